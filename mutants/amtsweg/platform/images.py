"""Whether bytes are an image that opens whole: the check behind every image we accept."""

from __future__ import annotations

import io

from PIL import Image

MAX_IMAGE_PIXELS = 50_000_000  # a 50-megapixel photo is the largest a phone takes


def decodes_as_image(data: bytes, max_pixels: int = MAX_IMAGE_PIXELS) -> bool:
    """Whether the image decodes whole, within ``max_pixels``.

    A file's signature only says what it claims to be; a truncated image or a
    decompression bomb (a small file that unpacks to gigapixels) passes it, and
    would fail, or exhaust memory, wherever it is opened or printed.
    """
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > max_pixels:
                return False
            image.load()
    except (OSError, ValueError, Image.DecompressionBombError):
        return False
    return True
