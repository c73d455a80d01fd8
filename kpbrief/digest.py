"""A digest of plain data: the key a warm process keeps a stage's part under (`build.warm`).

The models are frozen dataclasses whose `repr` shows every field, so the digest of their
`repr` changes with any of them.
"""

from __future__ import annotations

import hashlib


def digest_of(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()
