"""The press PDF's output profile that book.yaml may name (`press_profile`): judged by its bytes.

A PDF/X-4 output intent is an ICC profile of an output device (a printing condition) in
CMYK; the press PDF's colours are converted to it by the printer's RIP. The file must be in
the book's `layouts/` or `content/` folder, whose files every build digests (a changed
profile makes the press PDF again).
"""

from __future__ import annotations

from pathlib import Path

from kpbrief.confine import inside

FOLDERS = ("layouts", "content")  # where a book's own profile may be
HEADER = 128  # bytes of an ICC profile's header
MAX_BYTES = 16 * 1024 * 1024  # a printing condition's profile is a few megabytes at most
FIX = "name a CMYK output profile (.icc), e.g. press_profile: layouts/profiles/coated.icc"


def profile_problem(root: Path, named: str) -> str | None:
    """What is wrong with the profile `named` (from the book folder `root`); None if nothing."""
    path = root / named
    if Path(named).is_absolute() or not any(inside(root / folder, path) for folder in FOLDERS):
        return f"press_profile '{named}' is not a file of the book's layouts/ or content/: {FIX}"
    if not path.is_file():
        return f"press_profile '{named}': no such file: {FIX}"
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            header = handle.read(HEADER)
    except OSError as failure:
        return f"press_profile '{named}' cannot be read ({failure.strerror}): {FIX}"
    if size > MAX_BYTES:
        return f"press_profile '{named}' is over {MAX_BYTES // (1024 * 1024)} MiB: {FIX}"
    return header_problem(named, header, size)


def header_problem(named: str, header: bytes, size: int) -> str | None:
    """What an ICC header says against its use as the press PDF's output intent."""
    declared = int.from_bytes(header[:4], "big") if len(header) >= 4 else 0
    if len(header) < HEADER or header[36:40] != b"acsp" or declared != size:
        return f"press_profile '{named}' is not an ICC colour profile: {FIX}"
    device_class = header[12:16].decode("latin-1").strip()
    if device_class != "prtr":
        kinds = {"mntr": "a display", "scnr": "an input device", "spac": "a colour space"}
        kind = kinds.get(device_class, f"class '{device_class}'")
        return (
            f"press_profile '{named}' is the profile of {kind}, not of an output device "
            f"(a printing condition): {FIX}"
        )
    space = header[16:20].decode("latin-1").strip()
    if space != "CMYK":
        return f"press_profile '{named}' is an output profile in {space}, not in CMYK: {FIX}"
    return None
