"""The press PDF finished: what PDF/X-4 asks beyond what WeasyPrint's `pdf/x-4` variant writes.

WeasyPrint writes the output intent (the CMYK profile given as its `device-cmyk` colour
profile, see `pdf.PdfVariant`), the PDF/X identification in the XMP metadata, `/Trapped`, and
each page's TrimBox and BleedBox (from the stylesheet's `@page { bleed }`). `finish_press`
adds, with pikepdf:

- `/GTS_PDFXVersion` in the document information too, where older preflight tools look;
- an XMP document identifier and a file identifier made from the pages' content
  (WeasyPrint draws a random one each time): the same book makes the same bytes;
- each page's BleedBox 3 mm outside its TrimBox (WeasyPrint puts it 10 points out at most,
  in the stylesheet's bleed, which is wider: the crop marks stand beyond the bleed);
- a `/DefaultRGB` colour space (ICC-based sRGB, the profile WeasyPrint ships for PDF/A) in
  every resource dictionary, pages', forms' and patterns': the book's colours are sRGB (CSS),
  which WeasyPrint paints as DeviceRGB; with a default colour space they are device
  independent, as PDF/X-4 requires of any colour that is not in the output intent's space,
  and the printer's RIP converts them to the output condition through the output intent;
- link annotations not printed (the screen PDF prints them, as PDF/UA asks): a link draws
  nothing, and PDF/X wants no printing annotation on the page but printer's marks;
- a gradient's shading in that sRGB space: WeasyPrint gives every shading its default colour
  space, which is the CMYK profile once there is one, even where the gradient's colours are
  RGB (three values a colour, which a CMYK space cannot read).

It works on one PDF as WeasyPrint wrote it; a long book's parts are each finished so, and
their join keeps the first part's output intent, metadata and document information.
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
from collections.abc import Iterator, Sequence
from decimal import Decimal
from importlib import resources

import pikepdf
from pikepdf import Array, Dictionary, Name

PDFX_VERSION = "PDF/X-4"
DOCUMENT_ID = re.compile(rb"xmp\.did:[0-9a-fA-F-]{36}")
PRINT_FLAG = 4  # an annotation's /F bit: printed
BLEED = 3 / 25.4 * 72  # points: the 3 mm of bleed print shops ask for, on every side


def finish_press(data: bytes) -> bytes:
    """A press PDF as WeasyPrint wrote it, finished for PDF/X-4 (see the module's account)."""
    pdf = pikepdf.open(io.BytesIO(data))
    pdf.trailer.Info.GTS_PDFXVersion = pikepdf.String(PDFX_VERSION)
    pdf.trailer.Info.Trapped = Name("/False")
    steady_document_id(pdf)
    for page in pdf.pages:
        page.obj.BleedBox = _bleed_box(page.obj)
        for annotation in page.obj.get("/Annots", ()):
            if annotation.get("/Subtype") == "/Link":
                annotation.F = int(annotation.get("/F", 0)) & ~PRINT_FLAG
    srgb = pdf.make_stream(_srgb_profile())
    srgb.N = 3
    default_rgb = Array([Name.ICCBased, srgb])
    for resource in _resource_dictionaries(pdf):
        spaces = resource.get("/ColorSpace")
        if spaces is None:
            resource.ColorSpace = Dictionary(DefaultRGB=default_rgb)
        elif "/DefaultRGB" not in spaces:
            spaces.DefaultRGB = default_rgb
        for shading in _shadings(resource):
            if _components(shading.get("/ColorSpace")) == 4 and _outputs(shading.Function) == 3:
                shading.ColorSpace = default_rgb
    # WeasyPrint's file identifier digests the random document id: qpdf makes both its
    # halves anew, from the content.
    if "/ID" in pdf.trailer:
        del pdf.trailer.ID
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, compress_streams=True)
    return out.getvalue()


def steady_document_id(pdf: pikepdf.Pdf, pages: Sequence[pikepdf.Object] | None = None) -> None:
    """The XMP's `xmpMM:DocumentID`, a digest of the pages' content (`pages`, by default
    the document's) instead of a random one (a long book's join sets it again, from all its
    pages)."""
    if "/Metadata" not in pdf.Root:
        return
    digest = hashlib.sha256()
    for page in pages if pages is not None else [page.obj for page in pdf.pages]:
        contents = page.get("/Contents")
        for stream in contents if isinstance(contents, Array) else [contents]:
            if isinstance(stream, pikepdf.Stream):
                digest.update(stream.read_raw_bytes())
    steady = f"xmp.did:{uuid.UUID(bytes=digest.digest()[:16])}".encode()
    xmp = pdf.Root.Metadata
    text = xmp.read_bytes()
    if DOCUMENT_ID.search(text):
        xmp.write(DOCUMENT_ID.sub(steady, text))


def _bleed_box(page: pikepdf.Object) -> Array:
    """The TrimBox grown by `BLEED` on every side, within the MediaBox."""
    media = [float(value) for value in page.MediaBox]
    trim = [float(value) for value in page.get("/TrimBox", page.MediaBox)]
    box = [
        max(media[0], trim[0] - BLEED),
        max(media[1], trim[1] - BLEED),
        min(media[2], trim[2] + BLEED),
        min(media[3], trim[3] + BLEED),
    ]
    return Array([Decimal(f"{value:.4f}") for value in box])


def _shadings(resource: pikepdf.Object) -> Iterator[pikepdf.Object]:
    """The shadings a resource dictionary names, alone or in shading patterns."""
    yield from resource.get("/Shading", Dictionary()).values()
    for pattern in resource.get("/Pattern", Dictionary()).values():
        if "/Shading" in pattern:
            yield pattern.Shading


def _components(space: pikepdf.Object | None) -> int | None:
    """How many values a colour has in an ICC-based colour space; None for other spaces."""
    if isinstance(space, Array) and len(space) == 2 and space[0] == Name.ICCBased:
        return int(space[1].get("/N", 0))
    return None


def _outputs(function: pikepdf.Object) -> int | None:
    """How many values a PDF function gives (a stitching function: its first part's)."""
    if isinstance(function, Array):
        return len(function) or None  # one function a value
    kind = int(function.get("/FunctionType", -1))
    if kind == 2:
        return len(function.get("/C0", [0]))
    if kind == 3:
        parts: pikepdf.Object = function.get("/Functions", Array())
        return _outputs(parts[0]) if len(parts) else None
    if "/Range" in function:
        return len(function.Range) // 2
    return None


def _srgb_profile() -> bytes:
    return (resources.files("weasyprint") / "pdf" / "sRGB2014.icc").read_bytes()


def _resource_dictionaries(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Object]:
    """Every resource dictionary the pages' content may paint with, each once."""
    seen: set[tuple[int, int]] = set()
    waiting: list[pikepdf.Object] = [
        page.obj.Resources for page in pdf.pages if "/Resources" in page.obj
    ]
    while waiting:
        resource = waiting.pop()
        if resource.is_indirect:
            if resource.objgen in seen:
                continue
            seen.add(resource.objgen)
        yield resource
        for kind in ("/XObject", "/Pattern"):
            for item in resource.get(kind, Dictionary()).values():
                if isinstance(item, pikepdf.Stream | Dictionary) and "/Resources" in item:
                    waiting.append(item.Resources)
