"""The chronology's picture: an SVG timeline drawn from the dates alone.

Years on an axis; statements marked as circles above it, other events as diamonds below
it; marks of the same year stack instead of overlapping. The picture carries no words
but numbers, so it reads the same in every language; its legend lives in the template.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from kpbrief.edition.model import TimelineMark

WIDTH = 680.0
MARGIN = 24.0
AXIS_Y = 92.0
STEP = 13.0


def _position(mark: TimelineMark, first: int, span: int) -> float:
    date = mark.date
    fraction = ((date.month or 6.5) - 1 + ((date.day or 15) - 1) / 31) / 12
    return MARGIN + (date.year - first + fraction) / span * (WIDTH - 2 * MARGIN)


# The colours of the picture: on the page, and on the cover's dark ground.
PALETTES = {
    "page": {"axis": "#1d3557", "statement": "#c1121f", "event": "#457b9d", "ground": "#fff"},
    "cover": {"axis": "#a8c4dc", "statement": "#e5484d", "event": "#8ecae6", "ground": "#1d3557"},
}


def draw_timeline(marks: tuple[TimelineMark, ...], title: str, palette: str = "page") -> str:
    if not marks:
        return ""
    colour = PALETTES[palette]
    axis, ground = colour["axis"], colour["ground"]
    first = min(m.date.year for m in marks)
    last = max(m.date.year for m in marks) + 1
    span = max(1, last - first)
    step_years = 1 if span <= 14 else 2 if span <= 30 else 5 if span <= 120 else 10
    stacks: dict[tuple[str, int], int] = {}
    height = AXIS_Y * 2
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" '
        f'viewBox="0 0 {WIDTH:.0f} {height:.0f}" width="{WIDTH:.0f}" height="{height:.0f}" '
        f'aria-label="{escape(title, {chr(34): "&quot;"})}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{MARGIN}" y1="{AXIS_Y}" x2="{WIDTH - MARGIN}" y2="{AXIS_Y}" '
        f'stroke="{axis}" stroke-width="1.5"/>',
    ]
    for year in range(first, last + 1):
        x = MARGIN + (year - first) / span * (WIDTH - 2 * MARGIN)
        parts.append(
            f'<line x1="{x:.1f}" y1="{AXIS_Y - 4}" x2="{x:.1f}" y2="{AXIS_Y + 4}" '
            f'stroke="{axis}" stroke-width="1"/>'
        )
        if (year - first) % step_years == 0 and year < last:
            middle = x + (WIDTH - 2 * MARGIN) / span / 2
            parts.append(
                f'<text x="{middle:.1f}" y="{AXIS_Y + 17:.1f}" font-size="9.5" '
                f'text-anchor="middle" fill="{axis}" '
                f'font-family="KP Sans, Linux Biolinum O, sans-serif">{year}</text>'
            )
    for mark in marks:
        x = _position(mark, first, span)
        key = (mark.kind, mark.date.year)
        level = stacks.get(key, 0)
        stacks[key] = level + 1
        fill = colour["statement"] if mark.kind == "statement" else colour["event"]
        if mark.kind == "statement":
            y = AXIS_Y - 14 - level * STEP
            shape = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" '
        else:
            y = AXIS_Y + 36 + level * STEP
            shape = (
                f'<path d="M {x:.1f} {y - 5.5:.1f} L {x + 5.5:.1f} {y:.1f} L {x:.1f} '
                f'{y + 5.5:.1f} L {x - 5.5:.1f} {y:.1f} Z" '
            )
        # An event's stem leaves a gap where the year labels are, below the axis.
        stems = (
            [(AXIS_Y, y)] if mark.kind == "statement" else [(AXIS_Y, AXIS_Y + 6), (AXIS_Y + 21, y)]
        )
        parts.extend(
            f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{bottom:.1f}" stroke="{fill}" '
            'stroke-width="0.6"/>'
            for top, bottom in stems
        )
        parts.append(f'{shape}fill="{fill}" stroke="{ground}" stroke-width="1"/>')
    parts.append("</svg>")
    return "".join(parts)


# The picture for a phone, in the EPUB: years down the page, legible at 360 px, no text but
# the years, in the reader's own sans-serif (a picture behind <img> cannot load the book's fonts).
NARROW_WIDTH = 360.0
NARROW_TOP = 16.0
NARROW_ROW = 30.0
NARROW_AXIS_X = 64.0
NARROW_MARK_STEP = 15.0


def draw_narrow_timeline(marks: tuple[TimelineMark, ...]) -> str:
    """The chronology's picture for a phone: a vertical axis, years to its left, statements
    as circles and events as diamonds to its right, side by side within their year."""
    if not marks:
        return ""
    colour = PALETTES["page"]
    first = min(m.date.year for m in marks)
    last = max(m.date.year for m in marks)
    height = NARROW_TOP * 2 + NARROW_ROW * (last - first + 1)
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
        y = NARROW_TOP + (year - first) * NARROW_ROW
        parts.append(
            f'<line x1="{NARROW_AXIS_X - 6}" y1="{y:.1f}" x2="{NARROW_AXIS_X + 6}" y2="{y:.1f}" '
            f'stroke="{colour["axis"]}" stroke-width="1.5"/>'
        )
        parts.append(
            f'<text x="{NARROW_AXIS_X - 12}" y="{y + NARROW_ROW / 2 + 5:.1f}" font-size="15" '
            f'text-anchor="end" fill="{colour["axis"]}" font-family="sans-serif">{year}</text>'
        )
    counts: dict[tuple[str, int], int] = {}
    room = (NARROW_WIDTH - NARROW_AXIS_X - 24) / 2  # statements in the first half, events after
    for mark in marks:
        key = (mark.kind, mark.date.year)
        level = counts.get(key, 0)
        counts[key] = level + 1
        per_row = max(1, int(room // NARROW_MARK_STEP))  # a year of many marks: rows 10 apart
        y = (
            NARROW_TOP
            + (mark.date.year - first) * NARROW_ROW
            + NARROW_ROW / 2
            + (level // per_row) * 10
        )
        start = NARROW_AXIS_X + 18 + (0 if mark.kind == "statement" else room + 8)
        x = start + (level % per_row) * NARROW_MARK_STEP
        if mark.kind == "statement":
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{colour["statement"]}" '
                f'stroke="{colour["ground"]}" stroke-width="1"/>'
            )
        else:
            parts.append(
                f'<path d="M {x:.1f} {y - 6.5:.1f} L {x + 6.5:.1f} {y:.1f} L {x:.1f} '
                f'{y + 6.5:.1f} L {x - 6.5:.1f} {y:.1f} Z" fill="{colour["event"]}" '
                f'stroke="{colour["ground"]}" stroke-width="1"/>'
            )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
