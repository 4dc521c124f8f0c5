"""Checks on an uploaded file before it is stored (storing is ``platform/storage.py``).

The type of a file is judged by its content, never by its name or the browser's
Content-Type: both are chosen by the sender. Detection uses ``filetype`` (pure
Python, no system libmagic) because it already knows the container formats that
are fiddly to get right by hand, such as HEIC's ISO-BMFF brands and WebP's RIFF
header, and it names executables and archives as what they are. It only reads
signatures; formats without one (plain text, HTML, CSV) are never recognised and
so can never pass as an accepted type. A PDF must also have the frame every
reader needs: the ``%PDF-`` header and ``%%EOF`` near its end.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import PurePath

import filetype

from amtsweg.formdefs.engine.messages import Bytes, LocalizedText, format_value
from amtsweg.platform.images import decodes_as_image

MAX_NAME_LENGTH = 120
MAX_SUFFIX_LENGTH = 10
PDF_EOF_WINDOW = 1024  # writers may put a newline or a few bytes of padding after %%EOF
_EXTENSIONS: Mapping[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/webp": (".webp",),
    "image/gif": (".gif",),
    "image/heic": (".heic", ".heif"),
    "image/tiff": (".tif", ".tiff"),
}
_TYPE_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/heic": "HEIC"}
_KNOWN_SUFFIXES = {suffix for suffixes in _EXTENSIONS.values() for suffix in suffixes}
_UNSAFE_IN_NAMES = re.compile(r'[<>:"|?*]')

_MESSAGES: Mapping[str, LocalizedText] = {
    "empty": LocalizedText("Die Datei ist leer.", "The file is empty."),
    "too_large": LocalizedText(
        "Die Datei ist größer als {max_size}.", "The file is larger than {max_size}."
    ),
    "type_not_accepted": LocalizedText(
        "Der Inhalt der Datei ist keiner der erlaubten Typen ({accept}).",
        "The file's content is not one of the allowed types ({accept}).",
    ),
    "damaged_pdf": LocalizedText(
        "Die PDF-Datei ist beschädigt oder unvollständig. Bitte speichern Sie sie neu.",
        "The PDF file is damaged or incomplete. Please save it again.",
    ),
    "too_many_files": LocalizedText(
        "Hier sind höchstens {max} Dateien möglich. Entfernen Sie zuerst eine Datei, "
        "um eine andere hochzuladen.",
        "At most {max} files are possible here. Remove a file first to upload another one.",
    ),
    "upload_quota": LocalizedText(
        "Die Dateien dieses Antrags dürfen zusammen höchstens {quota} groß sein. "
        "Entfernen Sie Dateien oder verkleinern Sie sie.",
        "The files of this application may not be larger than {quota} together. "
        "Remove files or make them smaller.",
    ),
    "damaged_image": LocalizedText(
        "Das Bild ist beschädigt, unvollständig oder zu groß (mehr als 50 Megapixel). "
        "Bitte speichern Sie es neu.",
        "The image is damaged, incomplete or too large (more than 50 megapixels). "
        "Please save it again.",
    ),
}


class UploadRejectedError(ValueError):
    """The upload cannot be accepted; ``code`` selects the message shown to the citizen."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(self.message("en"))

    def message(self, locale: str = "de") -> str:
        values = {name: format_value(value, locale) for name, value in self.params.items()}
        return _MESSAGES[self.code].get(locale).format(**values)


@dataclass(frozen=True, slots=True)
class CheckedUpload:
    mime: str  # judged by content
    size: int
    name: str  # safe to show and to offer as a download name
    sha256: str = field(repr=False)


def detect_type(data: bytes) -> str | None:
    """The MIME type named by the content's signature, or ``None`` when there is none."""
    return filetype.guess_mime(data)


def type_name(mime: str) -> str:
    """``image/png`` → ``PNG``: how the types are named to citizens."""
    return _TYPE_NAMES.get(mime) or mime.rpartition("/")[2].upper()


def _looks_like_complete_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-PDF_EOF_WINDOW:]


def check_upload(
    data: bytes, filename: str, accept: Collection[str], *, max_size: int | None = None
) -> CheckedUpload:
    """Accept ``data`` if its content is one of the ``accept`` MIME types.

    Raises :class:`UploadRejectedError` for an empty, too large, unaccepted or broken file.
    """
    if not data:
        raise UploadRejectedError("empty")
    if max_size is not None and len(data) > max_size:
        raise UploadRejectedError("too_large", max_size=Bytes(max_size))
    mime = detect_type(data)
    if mime not in accept:
        allowed = ", ".join(sorted(type_name(kind) for kind in accept))
        raise UploadRejectedError("type_not_accepted", accept=allowed)
    if mime == "application/pdf" and not _looks_like_complete_pdf(data):
        raise UploadRejectedError("damaged_pdf")
    if mime.startswith("image/") and not decodes_as_image(data):
        raise UploadRejectedError("damaged_image")
    return CheckedUpload(
        mime=mime,
        size=len(data),
        name=safe_display_name(filename, mime),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _visible(character: str) -> bool:
    """Drop control, format (e.g. right-to-left override) and line/paragraph separators."""
    return not unicodedata.category(character).startswith(("C", "Zl", "Zp"))


def safe_display_name(filename: str, mime: str | None = None) -> str:
    """A file name fit to show and to download: no folders, no control characters, at most
    ``MAX_NAME_LENGTH`` characters, umlauts kept; its extension matches ``mime``."""
    name = unicodedata.normalize("NFC", filename).replace("\\", "/").rpartition("/")[2]
    name = "".join(ch if _visible(ch) else " " for ch in name)
    name = " ".join(_UNSAFE_IN_NAMES.sub("_", name).split()).lstrip(". ")
    path = PurePath(name or "upload")
    stem, suffix = (
        (path.stem, path.suffix) if 1 < len(path.suffix) <= MAX_SUFFIX_LENGTH else (path.name, "")
    )
    if mime in _EXTENSIONS and suffix.lower() not in _EXTENSIONS[mime]:
        # A PDF named scan.png is offered as scan.pdf; an unknown suffix is kept.
        stem = stem if suffix.lower() in _KNOWN_SUFFIXES else path.name
        suffix = _EXTENSIONS[mime][0]
    return stem[: MAX_NAME_LENGTH - len(suffix)].rstrip() + suffix
