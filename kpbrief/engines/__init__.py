"""Engines: HTML documents made into files by WeasyPrint (PDF) and pandoc (EPUB).

This package knows nothing of content or editions: it takes HTML that keeps the contract of
`kpbrief.document` and the assets a document may use, and writes one file.
"""
