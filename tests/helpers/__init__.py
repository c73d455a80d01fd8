"""What the tests share: fixture books, and what no output may hold."""
