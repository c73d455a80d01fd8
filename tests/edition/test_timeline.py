"""The chronology's pictures, drawn from real assembled books of a few and of 300 statements:
every mark and word inside the picture, no two words on top of each other, the statements
and key events labelled while there is room, counted by year when there is not."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
from helpers.books import copy_fixture

from kpbrief.content.load import load_content
from kpbrief.edition.assemble import assemble
from kpbrief.edition.model import TimelineMark
from kpbrief.edition.timeline import draw_narrow_timeline, draw_timeline, short_label

SVG = "{http://www.w3.org/2000/svg}"
Box = tuple[float, float, float, float]  # left, top, right, bottom
# A glyph's advance as a fraction of the size: wider than any of the sans's letters but
# the capitals W and M, so an estimate of a line's length errs on the long side.
ADVANCE = 0.6


def big_book(tmp_path: Path, size: int, spread_years: bool) -> Path:
    """The mini book with `size` statements: copies of its own (new ids, same texts, as the
    benchmarks make a big book), on their dates or one a month from 1996 on."""
    book = copy_fixture("mini", tmp_path)
    folder = book / "content" / "statements"
    statements = sorted(folder.glob("*.md"))
    originals = sorted({p.name.split(".")[0] for p in statements})
    for index in range(size - len(originals)):
        stem = originals[index % len(originals)]
        for path in statements:
            if path.name.split(".")[0] != stem:
                continue
            copy = folder / path.name.replace(stem, f"{stem}-copy-{index}", 1)
            shutil.copyfile(path, copy)
            if spread_years:
                text = copy.read_text(encoding="utf-8")
                date = f"{1996 + index // 12}-{index % 12 + 1:02d}"
                copy.write_text(
                    re.sub(r"^date: .*$", f"date: {date}", text, count=1, flags=re.M),
                    encoding="utf-8",
                )
    return book


def marks_of(book: Path, lang: str = "en") -> tuple[TimelineMark, ...]:
    content = load_content(book)
    assert not [p for p in content.problems if p.severity == "error"], content.problems
    return assemble(content, lang).timeline


def _numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text)]


def _text_box(element: ElementTree.Element) -> Box:
    size = float(element.get("font-size") or 0)
    x, y = float(element.get("x") or 0), float(element.get("y") or 0)
    length = len("".join(element.itertext())) * size * ADVANCE
    anchor = element.get("text-anchor", "start")
    if "rotate(-90" in (element.get("transform") or ""):
        # Read from the foot up: the line runs up from (x, y) (start) or down to it (end);
        # its ascenders point left of x, its descenders right.
        top, bottom = (y - length, y) if anchor == "start" else (y, y + length)
        return (x - size * 0.8, top, x + size * 0.25, bottom)
    left = {"start": x, "middle": x - length / 2, "end": x - length}[anchor]
    return (left, y - size * 0.8, left + length, y + size * 0.25)


def boxes(svg: str) -> tuple[Box, list[tuple[str, Box]]]:
    """The picture's viewBox, and what each of its drawn elements covers."""
    root = ElementTree.fromstring(svg)
    _x, _y, width, height = _numbers(root.get("viewBox") or "")
    drawn: list[tuple[str, Box]] = []
    for element in root.iter():
        tag = element.tag.removeprefix(SVG)
        if tag == "circle":
            cx, cy, r = (float(element.get(k) or 0) for k in ("cx", "cy", "r"))
            drawn.append((tag, (cx - r, cy - r, cx + r, cy + r)))
        elif tag in ("path", "polyline"):
            values = _numbers(element.get("d") or element.get("points") or "")
            xs, ys = values[0::2], values[1::2]
            drawn.append((tag, (min(xs), min(ys), max(xs), max(ys))))
        elif tag == "line":
            x1, y1, x2, y2 = (float(element.get(k) or 0) for k in ("x1", "y1", "x2", "y2"))
            drawn.append((tag, (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))))
        elif tag == "rect":
            x, y = float(element.get("x") or 0), float(element.get("y") or 0)
            w, h = float(element.get("width") or 0), float(element.get("height") or 0)
            drawn.append((tag, (x, y, x + w, y + h)))
        elif tag == "text":
            drawn.append((tag, _text_box(element)))
    return (0.0, 0.0, width, height), drawn


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def assert_inside_and_apart(svg: str) -> list[str]:
    """Every element within the viewBox, no two texts overlapping; the texts, returned."""
    (left, top, right, bottom), drawn = boxes(svg)
    for tag, (x0, y0, x1, y1) in drawn:
        assert left <= x0 and x1 <= right and top <= y0 and y1 <= bottom, (tag, (x0, y0, x1, y1))
    texts = [box for tag, box in drawn if tag == "text"]
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            assert not _overlap(a, b), (a, b)
    root = ElementTree.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_the_mini_books_picture_labels_its_statements_and_key_events() -> None:
    book = Path(__file__).parent.parent / "fixtures" / "mini"
    for lang in ("en", "fr"):
        marks = marks_of(book, lang)
        texts = assert_inside_and_apart(draw_timeline(marks, "Timeline"))
        statements = [m.label for m in marks if m.kind == "statement"]
        keys = [m.label for m in marks if m.key]
        unmarked = [m.label for m in marks if m.kind == "event" and not m.key]
        assert statements and keys and unmarked
        for label in statements + keys:
            assert short_label(label) in texts, (label, texts)
        for label in unmarked:
            assert short_label(label) not in texts
        assert_inside_and_apart(draw_timeline(marks, "Timeline", "cover"))
        assert_inside_and_apart(draw_narrow_timeline(marks))


@pytest.mark.parametrize("spread_years", [False, True], ids=["on-their-dates", "over-25-years"])
def test_a_300_statement_book_stays_inside_its_pictures(tmp_path: Path, spread_years: bool) -> None:
    marks = marks_of(big_book(tmp_path, 300, spread_years))
    assert len([m for m in marks if m.kind == "statement"]) == 300
    svg = draw_timeline(marks, "Timeline")
    texts = assert_inside_and_apart(svg)
    # Too many to name: counted by year instead, the counts adding up to the statements.
    root = ElementTree.fromstring(svg)
    bars = [r for r in root.iter(f"{SVG}rect")]
    assert bars
    counts = [int(t) for t in texts if t.isdigit() and len(t) < 4]
    assert sum(counts) == len(marks) or not spread_years
    # The key event keeps its label.
    assert [m.label for m in marks if m.key][0] in texts
    narrow = draw_narrow_timeline(marks)
    assert_inside_and_apart(narrow)
    # The phone's picture draws every mark, none on top of another.
    shapes = [box for tag, box in boxes(narrow)[1] if tag in ("circle", "path")]
    assert len(shapes) == len(marks)
    for i, a in enumerate(shapes):
        for b in shapes[i + 1 : i + 40]:
            assert not _overlap(a, b), (a, b)


def test_a_title_too_long_for_its_label_is_cut_after_a_word(tmp_path: Path) -> None:
    book = copy_fixture("mini", tmp_path)
    statement = book / "content" / "statements" / "2021-06-walkout.en.md"
    long_title = "Walk-out at the intersessional of the scheme that could not reform itself"
    statement.write_text(
        statement.read_text(encoding="utf-8").replace(
            "title: Walk-out at the intersessional", f"title: {long_title}"
        ),
        encoding="utf-8",
    )
    texts = assert_inside_and_apart(draw_timeline(marks_of(book), "Timeline"))
    label = next(t for t in texts if t.startswith("Walk-out"))
    assert label.endswith("…") and long_title.startswith(label[:-1]) and len(label) <= 31
    assert long_title[len(label) - 1] == " "
