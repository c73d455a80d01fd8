"""kpbrief: an advocacy coalition's statements, made into a briefing book (PDF and EPUB)."""

from pathlib import Path

__version__ = "0.1.0"

# Where kpbrief's own layouts/, locales/ and babel.cfg live. A regular install carries them in
# the package, as kpbrief/bundled/ (see [tool.setuptools] in pyproject.toml); a checkout or an
# editable install has them at the top of the repository, beside the package.
_PACKAGE = Path(__file__).resolve().parent
_BUNDLED = _PACKAGE / "bundled"
TOOL_ROOT = _BUNDLED if (_BUNDLED / "layouts").is_dir() else _PACKAGE.parent
