"""Small real images for tests (a coat of arms, an upload)."""

from __future__ import annotations

import io

from PIL import Image


def png(colour: tuple[int, int, int] = (11, 83, 148), size: tuple[int, int] = (24, 32)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()
