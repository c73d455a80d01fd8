"""Edition: one language's book, assembled from the content and rendered to HTML.

`assemble` makes the view-models of `model` (chronology, chapters, statements, appendices,
index) for one language; `render` turns them into HTML through the Jinja2 templates of the
layouts, with `typography` and the `timeline` picture; `i18n` holds catalogs, dates and names.
"""
