"""The chronology's picture: an SVG timeline drawn from the dates and titles.

Years on an axis; statements marked as circles above it, other events as diamonds below
it; marks of the same year stack instead of overlapping. Each statement, and each event an
editor marks as key, is labelled with its title, set upright along a leader to its mark; the
labels are spread along the axis so that none overlaps another. A book with more statements
than the labels or the stacks have room for is drawn by year instead: one bar a year for
each kind of mark, its height its count, the count above it; key events keep their labels.
The cover's version of the picture is a motif: the marks without the labels.
Whatever the number of marks, every mark and every word stays inside the picture.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from kpbrief.edition.model import TimelineMark

# The picture is 440 units wide: set in the print text block (112 mm), a unit is about
# 0.72 pt, so the labels' 10 units print at about 7.2 pt and the years' 11 at 7.9 pt.
WIDTH = 440.0
MARGIN = 16.0
STEP = 12.0  # one level of a stack
RADIUS = 4.5
MAX_STACK = 6  # a year with more marks of a kind than this is drawn as a bar
BAR_HEIGHT = 64.0
LABEL_SIZE = 10.0
LABEL_GAP = 11.5  # between the axes of two upright labels: a line of 10 units and a little
LABEL_CHARS = 30  # a label longer than this is cut after a word, with an ellipsis
YEAR_SIZE = 11.0
COUNT_SIZE = 9.0
ADVANCE = 0.56  # a character's advance, as a fraction of the size (generous for the sans)
FONT = "KP Sans, Linux Biolinum O, sans-serif"

# The colours of the picture: on the page, on the cover's dark ground, and in a briefing pack's
# header band, where the cover's colours are toned down to 70 % over the same ground. The band's
# are mixed here rather than by CSS opacity: WeasyPrint paints a translucent box as a group
# that no marked content holds, which PDF/UA forbids (neither content nor artifact).
PALETTES = {
    "page": {
        "axis": "#1d3557",
        "statement": "#c1121f",
        "event": "#457b9d",
        "ground": "#fff",
        "label": "#1b1b1b",
    },
    "cover": {
        "axis": "#a8c4dc",
        "statement": "#e5484d",
        "event": "#8ecae6",
        "ground": "#1d3557",
        "label": "#dbe6f0",
    },
    "band": {
        "axis": "#7e99b4",
        "statement": "#a94250",
        "event": "#6c9dbb",
        "ground": "#1d3557",
        "label": "#a2b1c2",
    },
}


@dataclass(frozen=True)
class Box:
    """What a word or mark of the picture covers, for the tests: x, y, width, height."""

    x: float
    y: float
    width: float
    height: float


def text_width(text: str, size: float) -> float:
    """The room a line of text takes, estimated from its length (every glyph as wide as a
    wide one): what keeps labels apart and inside the picture."""
    return len(text) * size * ADVANCE


def short_label(title: str, limit: int = LABEL_CHARS) -> str:
    """A title cut to at most `limit` characters after a whole word, with an ellipsis."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    words: list[str] = []
    for word in title.split(" "):
        if len(" ".join([*words, word])) + 1 > limit:
            break
        words.append(word)
    kept = " ".join(words) if words else title.split(" ")[0]
    return kept.rstrip(",;:.–—-") + "…"


def spread(wanted: Sequence[float], gap: float, low: float, high: float) -> list[float] | None:
    """Positions as near `wanted` (ascending) as can be, at least `gap` apart, all within
    [low, high]; None if they cannot all fit."""
    if not wanted:
        return []
    if (len(wanted) - 1) * gap > high - low:
        return None
    placed: list[float] = []
    for position in wanted:
        placed.append(max(position, low, placed[-1] + gap if placed else low))
    placed[-1] = min(placed[-1], high)
    for index in range(len(placed) - 2, -1, -1):
        placed[index] = min(placed[index], placed[index + 1] - gap)
    return placed


def _fraction(mark: TimelineMark) -> float:
    date = mark.date
    return ((date.month or 6.5) - 1 + ((date.day or 15) - 1) / 31) / 12


def _year_step(per_year: float) -> int:
    """Every how many years a year is written under the axis, so that none touches the next."""
    room = text_width("0000", YEAR_SIZE) + 6
    return next((s for s in (1, 2, 5, 10, 20, 50, 100) if s * per_year >= room), 200)


def _diamond(x: float, y: float, r: float) -> str:
    return (
        f"M {x:.1f} {y - r:.1f} L {x + r:.1f} {y:.1f} L {x:.1f} {y + r:.1f} L {x - r:.1f} {y:.1f} Z"
    )


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, width: float) -> str:
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}" '
        f'stroke-width="{width}"/>'
    )


def _upright(x: float, y: float, text: str, anchor: str, fill: str) -> str:
    """A label read from the foot up, its line's middle on x; `anchor` start: it rises
    from y; end: it hangs down from y."""
    base = x + LABEL_SIZE * 0.35  # the baseline, so that the glyphs centre on x
    return (
        f'<text x="{base:.1f}" y="{y:.1f}" transform="rotate(-90 {base:.1f} {y:.1f})" '
        f'font-size="{LABEL_SIZE:.0f}" text-anchor="{anchor}" fill="{fill}" '
        f'font-family="{FONT}">{escape(text)}</text>'
    )


def draw_timeline(marks: tuple[TimelineMark, ...], title: str, palette: str = "page") -> str:
    if not marks:
        return ""
    return _Wide(marks, palette).svg(title)


class _Wide:
    """The wide picture (the PDF's and the cover's), laid out before it is written."""

    def __init__(self, marks: tuple[TimelineMark, ...], palette: str) -> None:
        self.colour = PALETTES[palette]
        self.labelled = palette == "page"  # the cover's motif: marks only
        self.first = min(m.date.year for m in marks)
        self.last = max(m.date.year for m in marks) + 1
        self.span = max(1, self.last - self.first)
        self.per_year = (WIDTH - 2 * MARGIN) / self.span
        ordered = sorted(marks, key=lambda m: (m.date.sort_key(), m.kind))
        self.statements = [m for m in ordered if m.kind == "statement"]
        self.events = [m for m in ordered if m.kind != "statement"]
        self.keys = [m for m in self.events if m.key]
        counts = Counter((m.kind == "statement", m.date.year) for m in marks)
        self.counts = counts
        self.by_year = False
        statement_labels = self._labels(self.statements)
        self.by_year = max(counts.values()) > MAX_STACK or statement_labels is None
        self.statement_labels = [] if self.by_year else statement_labels or []
        self.key_labels = self._labels(self.keys) or []
        most = max(counts.values())
        up = max((n for (s, _y), n in counts.items() if s), default=0)
        down = max((n for (s, _y), n in counts.items() if not s), default=0)
        if self.by_year:
            rise = BAR_HEIGHT * up / most + COUNT_SIZE + 6 if up else 0
            fall = BAR_HEIGHT * down / most + COUNT_SIZE + 4 if down else 0
        else:
            rise = up * STEP + 6
            fall = down * STEP + 6
        longest_up = max(
            (text_width(t, LABEL_SIZE) for _x, t, _m in self.statement_labels), default=0
        )
        longest_down = max((text_width(t, LABEL_SIZE) for _x, t, _m in self.key_labels), default=0)
        self.top_room = (longest_up + 16) if longest_up else 0
        self.axis_y = 8 + self.top_room + rise + 6
        self.years_y = self.axis_y + 6 + YEAR_SIZE
        self.events_y = self.years_y + 8  # where event stacks and bars begin
        self.labels_down_y = self.events_y + fall + 10
        self.height = self.labels_down_y + (longest_down + 8 if longest_down else 0) + 4

    def x(self, mark: TimelineMark) -> float:
        """Where a mark is along the axis: at its date, or drawn by year, its year's middle."""
        within = 0.5 if self.by_year else _fraction(mark)
        return MARGIN + (mark.date.year - self.first + within) * self.per_year

    def _labels(self, marks: list[TimelineMark]) -> list[tuple[float, str, TimelineMark]] | None:
        if not self.labelled:
            return []
        places = spread(
            [self.x(m) for m in marks], LABEL_GAP, 6 + LABEL_SIZE / 2, WIDTH - 6 - LABEL_SIZE / 2
        )
        if places is None:
            return None
        return [(x, short_label(m.label), m) for x, m in zip(places, marks, strict=True)]

    def svg(self, title: str) -> str:
        colour = self.colour
        axis = colour["axis"]
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" '
            f'viewBox="0 0 {WIDTH:.0f} {self.height:.0f}" width="{WIDTH:.0f}" '
            f'height="{self.height:.0f}" aria-label="{escape(title, {chr(34): "&quot;"})}">',
            f"<title>{escape(title)}</title>",
            f'<line x1="{MARGIN}" y1="{self.axis_y:.1f}" x2="{WIDTH - MARGIN}" '
            f'y2="{self.axis_y:.1f}" stroke="{axis}" stroke-width="1.5"/>',
        ]
        step = _year_step(self.per_year)
        for year in range(self.first, self.last + 1):
            x = MARGIN + (year - self.first) * self.per_year
            parts.append(
                f'<line x1="{x:.1f}" y1="{self.axis_y - 4:.1f}" x2="{x:.1f}" '
                f'y2="{self.axis_y + 4:.1f}" stroke="{axis}" stroke-width="1"/>'
            )
            if (year - self.first) % step == 0 and year < self.last:
                parts.append(
                    f'<text x="{x + self.per_year / 2:.1f}" y="{self.years_y:.1f}" '
                    f'font-size="{YEAR_SIZE:.0f}" text-anchor="middle" fill="{axis}" '
                    f'font-family="{FONT}">{year}</text>'
                )
        if self.by_year:
            parts.extend(self._bars())
        else:
            parts.extend(self._stacks())
        parts.extend(self._key_labels())
        parts.append("</svg>")
        return "".join(parts)

    def _stacks(self) -> list[str]:
        colour, parts = self.colour, []
        levels: Counter[tuple[str, int]] = Counter()
        tops: dict[int, float] = {}  # id of a mark: where its label's leader starts
        for mark in self.statements + self.events:
            x = self.x(mark)
            level = levels[(mark.kind, mark.date.year)]
            levels[(mark.kind, mark.date.year)] += 1
            fill = colour["statement"] if mark.kind == "statement" else colour["event"]
            ground = colour["ground"]
            if mark.kind == "statement":
                y = self.axis_y - 10 - level * STEP
                tops[id(mark)] = y - RADIUS
                parts.append(_line(x, self.axis_y, x, y, fill, 0.6))
                parts.append(
                    f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{RADIUS}" fill="{fill}" '
                    f'stroke="{ground}" stroke-width="1"/>'
                )
            else:
                y = self.events_y + 6 + level * STEP
                tops[id(mark)] = y + RADIUS + 1
                # The stem leaves a gap where the years are written, below the axis.
                parts.append(_line(x, self.axis_y, x, self.axis_y + 5, fill, 0.6))
                parts.append(_line(x, self.events_y, x, y, fill, 0.6))
                parts.append(
                    f'<path d="{_diamond(x, y, RADIUS + 1)}" fill="{fill}" '
                    f'stroke="{ground}" stroke-width="1"/>'
                )
        self.ends = tops
        # Statement labels: a leader from above the year's stack to the label's foot.
        stack_top = (
            self.axis_y - 6 - max((n for (s, _y), n in self.counts.items() if s), default=0) * STEP
        )
        foot = 8 + self.top_room - 4
        for label_x, text, mark in self.statement_labels:
            x = self.x(mark)
            parts.append(
                f'<polyline points="{x:.1f},{tops[id(mark)] - 1:.1f} {x:.1f},{stack_top:.1f} '
                f'{label_x:.1f},{foot + 2:.1f}" fill="none" stroke="{colour["axis"]}" '
                'stroke-width="0.4"/>'
            )
            parts.append(_upright(label_x, foot, text, "start", colour["label"]))
        return parts

    def _bars(self) -> list[str]:
        colour, parts = self.colour, []
        most = max(self.counts.values())
        width = max(2.0, min(self.per_year * 0.55, 14.0))
        bottoms: dict[int, float] = {}  # a year: the foot of its events' bar and count
        for (is_statement, year), count in sorted(self.counts.items()):
            middle = MARGIN + (year - self.first + 0.5) * self.per_year
            height = max(2.0, BAR_HEIGHT * count / most)
            fill = colour["statement"] if is_statement else colour["event"]
            top = self.axis_y - 1 - height if is_statement else self.events_y
            parts.append(
                f'<rect x="{middle - width / 2:.1f}" y="{top:.1f}" width="{width:.1f}" '
                f'height="{height:.1f}" fill="{fill}"/>'
            )
            number = str(count)
            if not is_statement:
                bottoms[year] = top + height + 1
            if text_width(number, COUNT_SIZE) + 2 <= self.per_year:
                y = top - 3 if is_statement else top + height + COUNT_SIZE + 1
                if not is_statement:
                    bottoms[year] = y + 3
                parts.append(
                    f'<text x="{middle:.1f}" y="{y:.1f}" font-size="{COUNT_SIZE:.0f}" '
                    f'text-anchor="middle" fill="{colour["axis"]}" font-family="{FONT}">'
                    f"{number}</text>"
                )
        self.ends = {id(m): bottoms[m.date.year] for m in self.events}
        return parts

    def _key_labels(self) -> list[str]:
        colour, parts = self.colour, []
        head = self.labels_down_y
        for label_x, text, mark in self.key_labels:
            x = self.x(mark)
            start = self.ends[id(mark)]
            parts.append(
                f'<polyline points="{x:.1f},{start:.1f} {x:.1f},{head - 8:.1f} '
                f'{label_x:.1f},{head - 2:.1f}" fill="none" stroke="{colour["axis"]}" '
                'stroke-width="0.4"/>'
            )
            parts.append(_upright(label_x, head, text, "end", colour["label"]))
        return parts


# The picture for a phone, in the EPUB: years down the page, legible at 360 px, no text but
# the years, in the reader's own sans-serif (a picture behind <img> cannot load the book's fonts).
# A year of many marks takes as many rows as it needs, and the picture grows to hold them.
NARROW_WIDTH = 360.0
NARROW_TOP = 16.0
NARROW_ROW = 30.0
NARROW_AXIS_X = 64.0
NARROW_MARK_STEP = 15.0
NARROW_LINE = 15.0  # between two rows of marks within a year


def draw_narrow_timeline(marks: tuple[TimelineMark, ...]) -> str:
    """The chronology's picture for a phone: a vertical axis, years to its left, statements
    as circles and events as diamonds to its right, side by side within their year."""
    if not marks:
        return ""
    colour = PALETTES["page"]
    first = min(m.date.year for m in marks)
    last = max(m.date.year for m in marks)
    room = (NARROW_WIDTH - NARROW_AXIS_X - 24) / 2  # statements in the first half, events after
    per_row = max(1, int(room // NARROW_MARK_STEP))
    counts = Counter((m.kind == "statement", m.date.year) for m in marks)
    tops: dict[int, float] = {}
    y = NARROW_TOP
    for year in range(first, last + 1):
        tops[year] = y
        rows = max(-(-counts[(True, year)] // per_row), -(-counts[(False, year)] // per_row), 1)
        y += max(NARROW_ROW, (rows - 1) * NARROW_LINE + NARROW_ROW)
    height = y + NARROW_TOP
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" '
        f'viewBox="0 0 {NARROW_WIDTH:.0f} {height:.0f}" '
        f'width="{NARROW_WIDTH:.0f}" height="{height:.0f}">',
        f'<rect width="{NARROW_WIDTH:.0f}" height="{height:.0f}" fill="{colour["ground"]}"/>',
        f'<line x1="{NARROW_AXIS_X}" y1="{NARROW_TOP}" x2="{NARROW_AXIS_X}" '
        f'y2="{height - NARROW_TOP}" '
        f'stroke="{colour["axis"]}" stroke-width="2"/>',
    ]
    for year in range(first, last + 1):
        top = tops[year]
        parts.append(_line(NARROW_AXIS_X - 6, top, NARROW_AXIS_X + 6, top, colour["axis"], 1.5))
        parts.append(
            f'<text x="{NARROW_AXIS_X - 12}" y="{top + NARROW_ROW / 2 + 5:.1f}" font-size="15" '
            f'text-anchor="end" fill="{colour["axis"]}" font-family="sans-serif">{year}</text>'
        )
    levels: Counter[tuple[bool, int]] = Counter()
    for mark in marks:
        key = (mark.kind == "statement", mark.date.year)
        level = levels[key]
        levels[key] += 1
        y = tops[mark.date.year] + NARROW_ROW / 2 + (level // per_row) * NARROW_LINE
        start = NARROW_AXIS_X + 18 + (0 if mark.kind == "statement" else room + 8)
        x = start + (level % per_row) * NARROW_MARK_STEP
        if mark.kind == "statement":
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{colour["statement"]}" '
                f'stroke="{colour["ground"]}" stroke-width="1"/>'
            )
        else:
            parts.append(
                f'<path d="{_diamond(x, y, 6.5)}" fill="{colour["event"]}" '
                f'stroke="{colour["ground"]}" stroke-width="1"/>'
            )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
