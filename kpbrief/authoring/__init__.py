"""Authoring: the editors' commands around the build (watch, preview, import, new, i18n)."""
