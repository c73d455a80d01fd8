"""The contract between the HTML that kpbrief renders and the engines that lay it out.

Templates (the book's own layouts too) and the engines agree on these names, and on nothing
else; `kpbrief.engines` reads them from here, the templates write them.

Assets. A document refers to every file it uses as `kpbrief-assets/<folder>/<name>`:
`styles/`, `fonts/` and `images/` of the layouts, `media/` of the book's content. Anything
else is refused (`engines.assets.guard_resources`). Engines see the document at
`VIRTUAL_ROOT`, so that a relative URL never names a real file.

Book parts. A page-opening `<h2 id="…" data-part="Part name">` names its book part for the
running head (`string-set: part attr(data-part)` in print.css); a part's own opening, `<h1
id="…" data-part="Part name">`, names it too (print.css takes the heading's text). In a long
book's print edition, each year of the chronology and each letter of the index after the
first (`<p id="…">`) is a soft opening (`class="soft-opening"`, with `data-part` and
`data-running`): it opens no page and sets no running string, but the book may be cut
before it, and the part that begins with it opens a page there and sets the strings from
its attributes. A long book may be cut before such a heading and its parts laid out apart
(`engines.parts`): each sets every running string it needs, none carries on from the
heading before it. Only a heading that opens a page on either side may carry the
attribute: a part laid out alone cannot begin with the blank page that a right-hand
opening (`break-before: right`) needs after a right-hand page (WeasyPrint sides a
document's first page by its root alone), so the book's own part openings on a right-hand
page (the chronology, the issues, …) do not. A book's own layouts that open such a heading
on a given side anyway get a book laid out as one document (the engine finds the part that
opens on the wrong side).

Page lists. An element with `data-page-list` holds empty links to places of the document
(an index entry's targets); the stylesheet prints each link's page with
`target-counter(attr(href url), page)`. The engine writes the list out: each page once, in
ascending order, a link to the first target on it, its number as its text; pages in a row as
a range, whose last page's link carries `RANGE_END` (the stylesheet puts the dash before it).
The attribute's value is the text written between two numbers (", " in the book's template):
text of the list, not of a link, so that a line breaks there rather than inside the entry's
name.

Page references. Every stylesheet rule whose content holds `PAGE_REFERENCE`
is copied for links of class `CROSSING_CLASS`, printing their `data-page` attribute instead
(`engines.pages.crossing_rules`): every link's page is given that way, from a page map
(`engines.pages.settle_pages`, `engines.parts`). The root element is given `PAGE_DIGITS`:
the number of digits of the highest page the map gives.
"""

from __future__ import annotations

ASSETS = "kpbrief-assets"  # the folder every asset a document uses is named under
VIRTUAL_ROOT = "file:///kpbrief-book/"  # where the engines see the document
# The chronology's picture for a phone, made for the EPUB (under ASSETS): the template names it.
EPUB_TIMELINE = "generated/timeline.svg"

# on a page-opening h1 or h2, or a soft opening (p): the book part it opens or continues
PART = "data-part"
PAGE_LIST = "data-page-list"  # on an element of empty links: print their pages, once each,
# with the attribute's value between two of them
RANGE_END = "data-range-end"  # on a page list's link: the last page of a range ("12–15")

PAGE_REFERENCE = "target-counter(attr(href url), page)"  # how a stylesheet prints a link's page
CROSSING_CLASS = "xpart"  # a link whose page is given as data-page
GIVEN_PAGE = "data-page"  # that page
# on the root element: how many digits the book's page numbers have at most (from the page
# map), so that a stylesheet can give a page number a slot of that width
PAGE_DIGITS = "data-page-digits"
