"""Content: the files editors write, read into typed models and checked.

`load` turns the book folder's files into `model` objects, with the file and line of every
problem; `check` finds the problems between files (ids, privacy, faithfulness to sources).
"""
