"""BITV 2.0 beyond WCAG, per tenant: the accessibility statement with its feedback form,
Leichte Sprache, German Sign Language, and the footer links to them on every tenant page."""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path

import pytest
from sqlalchemy import func, select

from amtsweg.platform.db import db, tenant_scope
from amtsweg.tenants import service
from amtsweg.tenants.models import AccessibilityFeedback
from tests.login import csrf_token

DE = {"Accept-Language": "de"}
EN = {"Accept-Language": "en"}
STATEMENT = "/t/musterstadt/barrierefreiheit"


@pytest.fixture
def musterstadt(create_tenant):
    return create_tenant(
        "musterstadt",
        "Gemeinde Musterstadt",
        contact_email="rathaus@musterstadt.example",
        contact_phone="0221 12345",
    )


def _cli(app, *args: str):
    return app.test_cli_runner().invoke(args=["tenants", *args])


def _feedback_count() -> int:
    """Feedback messages stored, in every tenant."""
    total = 0
    for tenant in service.list_tenants():
        with tenant_scope(tenant.id):
            total += db.session.scalar(select(func.count()).select_from(AccessibilityFeedback))
    return total


def _mails(settings) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(Path(settings.mail_outbox_dir).glob("*.eml"))
    ]


@pytest.mark.sqlite
def test_every_tenant_page_links_to_accessibility_easy_read_and_sign_language(
    client, musterstadt
) -> None:
    for path in ("/t/musterstadt/", "/t/musterstadt/nothing-here"):
        page = client.get(path, headers=DE).get_data(as_text=True)
        footer = page[page.index("<footer") :]
        assert 'href="/t/musterstadt/barrierefreiheit">Barrierefreiheit</a>' in footer
        assert re.search(r'href="/t/musterstadt/leichte-sprache">.*Leichte Sprache</a>', footer)
        assert re.search(r'href="/t/musterstadt/gebaerdensprache">.*Gebärdensprache</a>', footer)
        assert 'kern-icon--easy-language" aria-hidden="true"' in footer
        assert 'kern-icon--sign-language" aria-hidden="true"' in footer


@pytest.mark.sqlite
def test_the_statement_follows_the_eu_model_in_german(client, musterstadt) -> None:
    page = client.get(STATEMENT, headers=DE).get_data(as_text=True)
    headings = re.findall(r"<h([1-3])[^>]*>([^<]+)</h", page)
    assert [text for _level, text in headings] == [
        "Erklärung zur Barrierefreiheit",
        "Geltungsbereich",
        "Stand der Vereinbarkeit mit den Anforderungen",
        "Nicht barrierefreie Inhalte",
        "Erstellung dieser Erklärung",
        "Feedback und Kontaktangaben",
        "Kontaktformular",
        "Durchsetzungsverfahren",
    ]
    assert "<strong>teilweise vereinbar</strong>" in page
    assert "ist ein getaggtes PDF (PDF/UA-1 und PDF/A-2a)" in page
    assert "am 23. November 2026 erstellt und zuletzt am 23. November 2026 überprüft" in page
    assert "Selbstbewertung" in page
    assert "axe-core" in page
    assert 'href="mailto:rathaus@musterstadt.example"' in page
    assert 'href="https://www.schlichtungsstelle-bgg.de/"' in page
    assert "hat die Durchsetzungsstelle ihres Landes noch nicht angegeben" in page


def test_the_statement_in_english(client, musterstadt) -> None:
    page = client.get(STATEMENT, headers=EN).get_data(as_text=True)
    assert "<h1" in page
    assert "Accessibility statement" in page
    assert "<strong>partially compliant</strong>" in page
    assert "Enforcement procedure" in page


def test_a_tenant_names_its_limitations_review_and_enforcement_body(
    app, client, musterstadt
) -> None:
    limitations = Path(app.instance_path).parent / "limitations.txt"
    limitations.write_text(
        "Die Formulare zur Hundesteuer\nsind noch nicht geprüft.\n\n<b>Videos</b> haben keine "
        "Untertitel.\n",
        encoding="utf-8",
    )
    try:
        result = _cli(
            app,
            "accessibility",
            "musterstadt",
            "--limitations-file",
            str(limitations),
            "--reviewed-on",
            "2027-02-01",
            "--enforcement-body-name",
            "Landesbeauftragte für Menschen mit Behinderungen",
            "--enforcement-body-url",
            "https://land.example/schlichtung",
        )
    finally:
        limitations.unlink()
    assert result.exit_code == 0, result.output
    page = client.get(STATEMENT, headers=DE).get_data(as_text=True)
    assert "Weitere Einschränkungen laut Gemeinde Musterstadt" in page
    assert '<p class="kern-body">Die Formulare zur Hundesteuer sind noch nicht geprüft.</p>' in page
    assert "&lt;b&gt;Videos&lt;/b&gt; haben keine Untertitel." in page
    assert "zuletzt am 1. Februar 2027 überprüft" in page
    assert (
        '<a class="kern-link" href="https://land.example/schlichtung">'
        "Landesbeauftragte für Menschen mit Behinderungen</a>"
    ) in page
    assert "noch nicht angegeben" not in page


def test_a_setting_that_is_not_a_web_address_is_refused(app, musterstadt) -> None:
    result = _cli(app, "accessibility", "musterstadt", "--enforcement-body-url", "javascript:x")
    assert result.exit_code != 0
    assert "ist keine Webadresse" in result.output


def test_feedback_is_stored_and_mailed_to_the_municipality(client, musterstadt, settings) -> None:
    form = client.get(STATEMENT, headers=DE)
    sent = client.post(
        STATEMENT,
        data={
            "csrf_token": csrf_token(form),
            "name": "Erika Mustermann",
            "email": "erika@example.org",
            "message": "Der Kontrast der Hinweise ist zu schwach.\nBitte dunkler.",
        },
        headers={**DE, "Referer": "http://localhost/t/musterstadt/forms/x/"},
    )
    assert sent.status_code == 303
    assert sent.headers["Location"] == STATEMENT
    page = client.get(STATEMENT, headers=DE).get_data(as_text=True)
    assert "Vielen Dank für Ihre Nachricht." in page
    assert _feedback_count() == 1
    [mail] = _mails(settings)
    assert mail["To"] == "rathaus@musterstadt.example"
    assert mail["Reply-To"] == "erika@example.org"
    assert "Barrierefreiheit" in mail["Subject"]
    body = mail.get_content()
    assert "Der Kontrast der Hinweise ist zu schwach.\nBitte dunkler." in body
    assert "Erika Mustermann" in body
    assert "/t/musterstadt/forms/x/" in body


def test_feedback_needs_only_a_message(client, musterstadt, settings) -> None:
    form = client.get(STATEMENT)
    sent = client.post(
        STATEMENT, data={"csrf_token": csrf_token(form), "message": "Bitte Leichte Sprache."}
    )
    assert sent.status_code == 303
    [mail] = _mails(settings)
    assert mail["Reply-To"] is None
    assert "Name: (nicht angegeben)" in mail.get_content()


def test_feedback_errors_are_linked_and_described(client, musterstadt, settings) -> None:
    form = client.get(STATEMENT, headers=DE)
    refused = client.post(
        STATEMENT,
        data={"csrf_token": csrf_token(form), "email": "nicht-gültig", "message": "  "},
        headers=DE,
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'role="alert"' in page
    assert (
        '<a class="kern-link" href="#feedback-message">Bitte schreiben Sie Ihre Nachricht.</a>'
        in (page)
    )
    assert 'href="#feedback-email"' in page
    message = re.search(r"<textarea[^>]*>", page).group(0)
    assert 'id="feedback-message"' in message
    assert 'aria-describedby="feedback-message-hint feedback-message-error"' in message
    assert 'aria-invalid="true"' in message
    assert 'value="nicht-gültig"' in page  # what was typed stays
    assert '<label class="kern-label" for="feedback-name">Ihr Name' in page
    assert _feedback_count() == 0
    assert _mails(settings) == []


def test_feedback_without_the_csrf_token_is_refused(client, musterstadt, settings) -> None:
    refused = client.post(STATEMENT, data={"message": "Hallo"})
    assert refused.status_code == 400
    assert _feedback_count() == 0


def test_feedback_is_kept_for_a_municipality_without_email(client, create_tenant, settings) -> None:
    create_tenant("ohnepost")
    form = client.get("/t/ohnepost/barrierefreiheit")
    sent = client.post(
        "/t/ohnepost/barrierefreiheit",
        data={"csrf_token": csrf_token(form), "message": "Hallo"},
    )
    assert sent.status_code == 303
    assert _feedback_count() == 1
    assert _mails(settings) == []


@pytest.mark.sqlite
def test_leichte_sprache_explains_the_site_in_short_sentences(client, musterstadt) -> None:
    page = client.get("/t/musterstadt/leichte-sprache", headers=DE).get_data(as_text=True)
    assert '<h1 class="kern-heading-large">Informationen in Leichter Sprache</h1>' in page
    headings = re.findall(r"<h2[^>]*>([^<]+)</h2>", page)
    assert headings == [
        "Was ist diese Internet-Seite?",
        "Was können Sie hier machen?",
        "Wie melden Sie sich an?",
        "Wie füllen Sie einen Antrag aus?",
        "Wo bekommen Sie Hilfe?",
    ]
    assert "Ein Bürger-Konto ist wie ein Ausweis im Internet." in page
    assert 'href="tel:022112345"' in page
    sentences = re.findall(r'<p class="kern-body">([^<]+)</p>', page)
    assert sentences
    assert max(len(sentence.split()) for sentence in sentences) <= 12


def test_easy_read_in_english(client, musterstadt) -> None:
    page = client.get("/t/musterstadt/leichte-sprache", headers=EN).get_data(as_text=True)
    assert "Information in Easy Read" in page
    assert "How do you log in?" in page


def test_sign_language_page_without_a_video_says_one_will_follow(client, musterstadt) -> None:
    page = client.get("/t/musterstadt/gebaerdensprache", headers=DE).get_data(as_text=True)
    assert "Informationen in Deutscher Gebärdensprache (DGS)" in page
    assert "stellt hier bald ein Video in Deutscher Gebärdensprache bereit" in page
    assert 'href="mailto:rathaus@musterstadt.example"' in page
    assert "Was das Video sagt" in page
    assert "<video" not in page


def test_sign_language_video_file_plays_on_the_page_with_captions(app, client, musterstadt) -> None:
    result = _cli(
        app,
        "accessibility",
        "musterstadt",
        "--sign-language-video-url",
        "https://media.musterstadt.example/dgs/amtsweg.mp4",
        "--sign-language-captions-url",
        "https://media.musterstadt.example/dgs/amtsweg.vtt",
    )
    assert result.exit_code == 0, result.output
    response = client.get("/t/musterstadt/gebaerdensprache", headers=DE)
    page = response.get_data(as_text=True)
    assert '<source src="https://media.musterstadt.example/dgs/amtsweg.mp4">' in page
    assert '<track kind="captions" src="https://media.musterstadt.example/dgs/amtsweg.vtt"' in page
    policy_header = response.headers["Content-Security-Policy"]
    assert "media-src 'self' https://media.musterstadt.example" in policy_header
    assert "script-src 'self'" in policy_header


def test_sign_language_video_page_elsewhere_is_linked(app, client, musterstadt) -> None:
    video = "https://video.example/watch?v=dgs"
    assert (
        _cli(app, "accessibility", "musterstadt", "--sign-language-video-url", video).exit_code == 0
    )
    response = client.get("/t/musterstadt/gebaerdensprache", headers=DE)
    page = response.get_data(as_text=True)
    assert f'href="{video}"' in page
    assert "<video" not in page
    assert "media-src" not in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path",
    [
        "/t/nirgendwo/barrierefreiheit",
        "/t/nirgendwo/leichte-sprache",
        "/t/nirgendwo/gebaerdensprache",
    ],
)
def test_unknown_tenants_have_no_accessibility_pages(client, musterstadt, path) -> None:
    assert client.get(path).status_code == 404
