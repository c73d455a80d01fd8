"""kpbrief: an advocacy coalition's statements, made into a briefing book (PDF and EPUB)."""

from pathlib import Path

__version__ = "0.1.0"

# Where kpbrief's own layouts/ and locales/ live: beside the package in a checkout or an
# editable install, or under share/kpbrief in the environment of a regular install.
_CHECKOUT = Path(__file__).resolve().parent.parent
if (_CHECKOUT / "layouts").is_dir():
    TOOL_ROOT = _CHECKOUT
else:  # pragma: no cover - exercised by regular (non-editable) installs
    import sys

    TOOL_ROOT = Path(sys.prefix) / "share" / "kpbrief"
