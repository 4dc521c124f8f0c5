"""Rules a tenant's branding must keep so every tenant page stays accessible and safe."""

from __future__ import annotations

import re

from flask_babel import gettext

from amtsweg.platform.errors import Refusal
from amtsweg.platform.images import decodes_as_image

MIN_CONTRAST = 4.5  # WCAG 2.1 AA for normal text
MAX_COAT_OF_ARMS_BYTES = 1024 * 1024
MAX_COAT_OF_ARMS_PIXELS = 4_000_000
_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


class BrandingError(Refusal):
    """The branding would break the pages; the message says why."""


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_with_white(colour: str) -> float:
    return 1.05 / (relative_luminance(colour) + 0.05)


def check_colour(colour: str) -> str:
    """Accept ``#rrggbb`` that carries white text at AA contrast; return it lower-case."""
    colour = colour.strip()
    if not _HEX_COLOUR.match(colour):
        raise BrandingError(
            gettext("%(colour)r is not a colour of the form #rrggbb.", colour=colour)
        )
    ratio = contrast_with_white(colour)
    if ratio < MIN_CONTRAST:
        raise BrandingError(
            gettext(
                "%(colour)s gives white text a contrast of only %(ratio).1f:1; "
                "choose a darker colour (at least %(minimum)s:1).",
                colour=colour,
                ratio=ratio,
                minimum=MIN_CONTRAST,
            )
        )
    return colour.lower()


def detect_image_type(data: bytes) -> str:
    """The image type judged by content, not by file name: PNG, JPEG or WebP."""
    if len(data) > MAX_COAT_OF_ARMS_BYTES:
        raise BrandingError(gettext("The coat of arms must be at most 1 MB."))
    mime = next((mime for signature, mime in _IMAGE_SIGNATURES if data.startswith(signature)), None)
    if mime is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        mime = "image/webp"
    if mime is None:
        raise BrandingError(gettext("The coat of arms must be a PNG, JPEG or WebP image."))
    if not decodes_as_image(data, MAX_COAT_OF_ARMS_PIXELS):
        raise BrandingError(
            gettext("The coat of arms is damaged or too large (at most 4 megapixels).")
        )
    return mime
