"""The chronology's picture: an SVG timeline drawn from the dates alone.

Years on an axis; statements marked as circles above it, other events as diamonds below
it; marks of the same year stack instead of overlapping. The picture carries no words
but numbers, so it reads the same in every language; its legend lives in the template.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from .edition import TimelineMark

WIDTH = 680.0
MARGIN = 24.0
AXIS_Y = 92.0
STEP = 13.0


def _position(mark: TimelineMark, first: int, span: int) -> float:
    date = mark.date
    fraction = ((date.month or 6.5) - 1 + ((date.day or 15) - 1) / 31) / 12
    return MARGIN + (date.year - first + fraction) / span * (WIDTH - 2 * MARGIN)


def draw_timeline(marks: tuple[TimelineMark, ...], title: str) -> str:
    if not marks:
        return ""
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
        'stroke="#1d3557" stroke-width="1.5"/>',
    ]
    for year in range(first, last + 1):
        x = MARGIN + (year - first) / span * (WIDTH - 2 * MARGIN)
        parts.append(
            f'<line x1="{x:.1f}" y1="{AXIS_Y - 4}" x2="{x:.1f}" y2="{AXIS_Y + 4}" '
            'stroke="#1d3557" stroke-width="1"/>'
        )
        if (year - first) % step_years == 0 and year < last:
            middle = x + (WIDTH - 2 * MARGIN) / span / 2
            parts.append(
                f'<text x="{middle:.1f}" y="{AXIS_Y + 17:.1f}" font-size="9.5" '
                'text-anchor="middle" fill="#1d3557" '
                f'font-family="KP Sans, Linux Biolinum O, sans-serif">{year}</text>'
            )
    for mark in marks:
        x = _position(mark, first, span)
        key = (mark.kind, mark.date.year)
        level = stacks.get(key, 0)
        stacks[key] = level + 1
        if mark.kind == "statement":
            y = AXIS_Y - 14 - level * STEP
            parts.append(
                f'<line x1="{x:.1f}" y1="{AXIS_Y}" x2="{x:.1f}" y2="{y:.1f}" stroke="#c1121f" '
                'stroke-width="0.6"/>'
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="#c1121f" stroke="#fff" '
                'stroke-width="1"/>'
            )
        else:
            y = AXIS_Y + 36 + level * STEP
            parts.append(
                f'<line x1="{x:.1f}" y1="{AXIS_Y}" x2="{x:.1f}" y2="{y:.1f}" stroke="#457b9d" '
                'stroke-width="0.6"/>'
                f'<path d="M {x:.1f} {y - 5.5:.1f} L {x + 5.5:.1f} {y:.1f} L {x:.1f} '
                f'{y + 5.5:.1f} L {x - 5.5:.1f} {y:.1f} Z" fill="#457b9d" stroke="#fff" '
                'stroke-width="1"/>'
            )
    parts.append("</svg>")
    return "".join(parts)
