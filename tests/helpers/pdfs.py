"""PDFs compared for what they hold rather than how qpdf happened to number it."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pikepdf


def normalised(path: Path) -> bytes:
    """The PDF as qpdf writes it without object streams (objects numbered as the book
    leads to them, whatever numbers they had), and without its identifier (a digest of the
    file)."""
    buffer = io.BytesIO()
    with pikepdf.open(path) as pdf:
        pdf.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.disable, static_id=True)
    return re.sub(rb"/ID \[<[0-9a-f]+>", b"/ID [<>", buffer.getvalue())
