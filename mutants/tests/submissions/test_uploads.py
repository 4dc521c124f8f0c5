"""Uploads are judged by what they contain, not by what they are called."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from amtsweg.submissions.uploads import (
    MAX_NAME_LENGTH,
    UploadRejectedError,
    check_upload,
    safe_display_name,
)

FORM_ACCEPTS = ("application/pdf", "image/jpeg", "image/png")


def make_pdf() -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(100, 700, "Impfpass")
    canvas.save()
    return buffer.getvalue()


def make_image(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, kind)
    return buffer.getvalue()


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize(
    ("data", "name", "mime"),
    [
        (make_pdf(), "Impfpass.pdf", "application/pdf"),
        (make_image("PNG"), "Foto.png", "image/png"),
        (make_image("JPEG"), "Foto.jpeg", "image/jpeg"),
    ],
)
def test_accepted_files_are_described_by_their_content(data: bytes, name: str, mime: str) -> None:
    checked = check_upload(data, name, FORM_ACCEPTS)
    assert (checked.mime, checked.size, checked.name) == (mime, len(data), name)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()


def test_a_pdf_named_png_is_a_pdf_and_is_offered_as_one() -> None:
    checked = check_upload(make_pdf(), "scan.png", FORM_ACCEPTS)
    assert (checked.mime, checked.name) == ("application/pdf", "scan.pdf")


def test_a_pdf_named_png_is_refused_where_only_images_are_accepted() -> None:
    with pytest.raises(UploadRejectedError) as refused:
        check_upload(make_pdf(), "scan.png", ("image/jpeg", "image/png"))
    assert refused.value.code == "type_not_accepted"
    assert refused.value.message("de") == (
        "Der Inhalt der Datei ist keiner der erlaubten Typen (JPEG, PNG)."
    )
    assert (
        refused.value.message("en")
        == "The file's content is not one of the allowed types (JPEG, PNG)."
    )


@pytest.mark.parametrize(
    ("data", "name"),
    [(ELF, "antrag.pdf"), (WINDOWS_EXE, "antrag.pdf"), (HTML, "foto.png"), (b"Hallo", "a.pdf")],
    ids=["elf-as-pdf", "exe-as-pdf", "html-as-png", "text-as-pdf"],
)
def test_content_that_is_not_an_accepted_type_is_refused(data: bytes, name: str) -> None:
    with pytest.raises(UploadRejectedError) as refused:
        check_upload(data, name, FORM_ACCEPTS)
    assert refused.value.code == "type_not_accepted"


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(UploadRejectedError) as refused:
        check_upload(b"", "leer.pdf", FORM_ACCEPTS)
    assert refused.value.message("de") == "Die Datei ist leer."


def test_a_truncated_pdf_is_refused() -> None:
    pdf = make_pdf()
    with pytest.raises(UploadRejectedError) as refused:
        check_upload(pdf[: len(pdf) // 2], "halb.pdf", FORM_ACCEPTS)
    assert refused.value.code == "damaged_pdf"
    assert "beschädigt" in refused.value.message("de")


def test_a_file_over_the_limit_is_refused_with_the_limit_in_the_message() -> None:
    with pytest.raises(UploadRejectedError) as refused:
        check_upload(make_pdf() + b" " * 2_000, "gross.pdf", FORM_ACCEPTS, max_size=1_500)
    assert refused.value.message("de") == "Die Datei ist größer als 1,5 kB."
    assert refused.value.message("en") == "The file is larger than 1.5 kB."


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../etc/passwd", "passwd.pdf"),
        ("C:\\Users\\Jürgen\\Desktop\\Bescheinigung für Ämter.pdf", "Bescheinigung für Ämter.pdf"),
        ("rech\u202efdp.exe", "rech fdp.exe.pdf"),  # a right-to-left override hid ".exe"
        ("Antrag\r\nContent-Type: text_html.pdf", "Antrag Content-Type_ text_html.pdf"),
        ("tab\tand\x00nul.pdf", "tab and nul.pdf"),
        (".htaccess", "htaccess.pdf"),
        ("", "upload.pdf"),
        ("..", "upload.pdf"),
        ("Scan vom 3.4.", "Scan vom 3.4..pdf"),
        ('a<b>"c"|?*.pdf', "a_b__c____.pdf"),
    ],
)
def test_display_names_are_safe(given: str, shown: str) -> None:
    assert safe_display_name(given, "application/pdf") == shown


def test_long_names_are_cut_but_keep_their_extension() -> None:
    name = safe_display_name("Ä" * 500 + ".jpeg", "image/jpeg")
    assert len(name) == MAX_NAME_LENGTH
    assert name.endswith("ÄÄ.jpeg")


def test_umlauts_typed_decomposed_are_kept_composed() -> None:
    assert safe_display_name("Mu\u0308ller.png", "image/png") == "Müller.png"


def test_a_truncated_image_is_refused() -> None:
    buffer = io.BytesIO()
    Image.effect_noise((200, 200), 64).save(buffer, "PNG")
    cut = buffer.getvalue()[: len(buffer.getvalue()) // 2]
    with pytest.raises(UploadRejectedError) as refused:
        check_upload(cut, "foto.png", FORM_ACCEPTS)
    assert refused.value.code == "damaged_image"
    assert "beschädigt" in refused.value.message("de")


def test_a_decompression_bomb_is_refused_before_it_is_unpacked() -> None:
    buffer = io.BytesIO()
    Image.new("1", (10_000, 6_000)).save(buffer, "PNG")  # 60 megapixels in a few KB
    assert len(buffer.getvalue()) < 100_000
    with pytest.raises(UploadRejectedError) as refused:
        check_upload(buffer.getvalue(), "bombe.png", FORM_ACCEPTS)
    assert refused.value.code == "damaged_image"
    assert "50 megapixels" in refused.value.message("en")
