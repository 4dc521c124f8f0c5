"""Where a ``next`` parameter may send a person: only back into this site."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next_url(target: str | None, default: str = "/") -> str:
    """Return ``target`` if it is a local path, else ``default`` (no open redirect)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(
        ord(character) < 0x20 or ord(character) == 0x7F for character in target
    ):
        return default  # a line break in a Location header would split the response
    return target
