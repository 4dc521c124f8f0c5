"""Drafts against clumsy and hostile citizens: files in groups, removing files,
limits when a file arrives, stale tabs, expiry, and what a browser may keep."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import replace
from pathlib import Path

import pytest
from babel.dates import format_date
from sqlalchemy import select

from amtsweg.platform.db import db, tenant_scope
from amtsweg.submissions import service
from amtsweg.submissions.models import Draft, Submission, Upload
from tests.html import parse
from tests.login import csrf_token, dev_login, local
from tests.submissions.html_forms import step_values
from tests.submissions.test_journey import _apply, _fill_fundsache, _pdf, _post_step, _submit
from tests.submissions.test_uploads import make_image

FUNDSACHE = "fundsache-verlustmeldung"


@pytest.fixture
def erika_logged_in(client, musterstadt, log_in):
    log_in("erika")
    return client


def _stored_files(settings) -> list[Path]:
    folder = Path(settings.storage_dir) / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


def _uploads(tenant) -> list[Upload]:
    with tenant_scope(tenant.id):
        return list(db.session.scalars(select(Upload)))


def _dogs_step(client):
    holder = _apply(client, "hundesteuer-anmeldung")
    return client.get(local(_post_step(client, holder, {}).headers["Location"]))


def _dangerous_dog(permit: tuple | None = None) -> dict:
    dog = {
        "hunde-0-name": "Rex",
        "hunde-0-rasse": "labrador",
        "hunde-0-geburtsdatum": (service.today() - dt.timedelta(days=900)).isoformat(),
        "hunde-0-gehalten_seit": service.today().isoformat(),
        "hunde-0-gefaehrlich": "yes",
    }
    return dog | ({"hunde-0-erlaubnis": permit} if permit else {})


def test_a_dangerous_dogs_permit_inside_the_group_is_received_and_submitted(
    erika_logged_in, musterstadt
) -> None:
    client = erika_logged_in
    dogs = _dogs_step(client)
    permit = _pdf("Erlaubnis nach LHundG NRW")
    moved = _post_step(
        client, dogs, _dangerous_dog((io.BytesIO(permit), "Erlaubnis.pdf")), action="continue"
    )
    assert moved.status_code == 302, moved.get_data(as_text=True)
    (upload,) = _uploads(musterstadt)
    assert upload.field_path == "hunde[0].erlaubnis"
    payment = client.get(local(moved.headers["Location"]))
    summary_url = local(
        _post_step(client, payment, {"lastschrift": "no", "bestaetigung": "yes"}).headers[
            "Location"
        ]
    )
    assert "Erlaubnis.pdf" in client.get(summary_url).get_data(as_text=True)
    confirmation = client.get(_submit(client, summary_url)).get_data(as_text=True)
    assert "Ihr Antrag ist eingegangen" in confirmation


def test_a_new_file_replaces_the_old_one_and_leaves_nothing_behind(
    erika_logged_in, musterstadt, settings
) -> None:
    client = erika_logged_in
    dogs = _dogs_step(client)
    first = _post_step(
        client, dogs, _dangerous_dog((io.BytesIO(_pdf("alt")), "alt.pdf")), action="refresh"
    )
    second = _post_step(
        client, first, _dangerous_dog((io.BytesIO(_pdf("neu")), "neu.pdf")), action="refresh"
    )
    page = second.get_data(as_text=True)
    assert "neu.pdf" in page
    assert "alt.pdf" not in page
    assert [upload.name for upload in _uploads(musterstadt)] == ["neu.pdf"]
    assert len(_stored_files(settings)) == 1


def test_many_files_posted_to_a_single_file_field_keep_one(
    erika_logged_in, musterstadt, settings
) -> None:
    client = erika_logged_in
    permits = [(io.BytesIO(_pdf(f"Erlaubnis {number}")), f"e-{number}.pdf") for number in range(12)]
    crowded = _post_step(client, _dogs_step(client), _dangerous_dog(permits), action="refresh")
    assert "höchstens 1 Datei" in crowded.get_data(as_text=True)
    assert [upload.name for upload in _uploads(musterstadt)] == ["e-0.pdf"]
    assert len(_stored_files(settings)) == 1


def test_a_file_for_a_field_hidden_at_submit_is_not_kept(
    erika_logged_in, musterstadt, settings
) -> None:
    client = erika_logged_in
    dogs = _dogs_step(client)
    harmless = _dangerous_dog((io.BytesIO(_pdf("unnötig")), "unnoetig.pdf")) | {
        "hunde-0-gefaehrlich": "no"
    }
    moved = _post_step(client, dogs, harmless)
    assert moved.status_code == 302, moved.get_data(as_text=True)
    payment = client.get(local(moved.headers["Location"]))
    done = _post_step(client, payment, {"lastschrift": "no", "bestaetigung": "yes"})
    summary_url = local(done.headers["Location"])
    assert "unnoetig.pdf" not in client.get(summary_url).get_data(as_text=True)
    assert client.get(_submit(client, summary_url)).status_code == 200
    assert _uploads(musterstadt) == []
    assert _stored_files(settings) == []


def _trees_step(client):
    applicant = _apply(client, "baumfaellung-antrag")
    moved = _post_step(client, applicant, {"eigentuemer": "yes"})
    assert moved.status_code == 302, moved.get_data(as_text=True)
    return client.get(local(moved.headers["Location"]))


def _photos(count: int) -> list[tuple[io.BytesIO, str]]:
    return [(io.BytesIO(make_image("PNG")), f"baum-{number}.png") for number in range(count)]


def test_a_field_takes_no_more_files_than_allowed_and_files_can_be_removed(
    erika_logged_in, musterstadt, settings
) -> None:
    client = erika_logged_in
    trees = _trees_step(client)
    crowded = _post_step(client, trees, {"fotos": _photos(12)}, action="refresh")
    text = crowded.get_data(as_text=True)
    assert "Hier sind höchstens 10 Dateien möglich" in text
    assert len(_uploads(musterstadt)) == 10
    assert len(_stored_files(settings)) == 10

    _url, values = step_values(text)
    assert values.getlist("fotos-remove") == []  # nothing is ticked by itself
    tokens = [str(upload.id) for upload in _uploads(musterstadt)][:3]
    fewer = _post_step(client, crowded, {"fotos-remove": tokens}, action="refresh")
    assert fewer.status_code == 200
    assert len(_uploads(musterstadt)) == 7
    assert len(_stored_files(settings)) == 7
    more = _post_step(client, fewer, {"fotos": _photos(3)}, action="refresh")
    assert "höchstens 10 Dateien" not in more.get_data(as_text=True)
    assert len(_uploads(musterstadt)) == 10


def test_the_files_of_a_draft_have_a_quota(make_app, settings, musterstadt) -> None:
    photo_size = len(make_image("PNG"))
    app = make_app(settings=replace(settings, draft_upload_quota_bytes=photo_size * 2))
    client = app.test_client()
    dev_login(client, "erika")
    trees = _trees_step(client)
    full = _post_step(client, trees, {"fotos": _photos(3)}, action="refresh")
    assert "dürfen zusammen höchstens" in full.get_data(as_text=True)
    assert len(_uploads(musterstadt)) == 2


def test_a_step_post_larger_than_its_files_may_be_is_refused_unread(erika_logged_in) -> None:
    client = erika_logged_in
    step = _apply(client, FUNDSACHE)
    huge = _post_step(client, step, {"beschreibung": "x" * (2 * 1024 * 1024)})
    assert huge.status_code == 413
    assert "zu groß" in huge.get_data(as_text=True)


def test_saving_steps_is_rate_limited(make_app, settings, musterstadt) -> None:
    client = make_app(settings=replace(settings, step_rate_limit="3/minute")).test_client()
    dev_login(client, "erika")
    step = _apply(client, FUNDSACHE)
    answers = [_post_step(client, step, {"beschreibung": "Rad"}).status_code for _ in range(4)]
    assert answers[:3] == [200, 200, 200]
    assert answers[3] == 429


def test_a_page_from_an_older_state_says_another_window_wrote_first(erika_logged_in) -> None:
    client = erika_logged_in
    tab_one = _apply(client, FUNDSACHE)
    url, _values = step_values(tab_one.get_data(as_text=True))
    tab_two = client.get(url)
    first = _post_step(client, tab_one, {"beschreibung": "Blaues Rad"}, action="refresh")
    assert "in einem anderen Fenster" not in first.get_data(as_text=True)
    second = _post_step(
        client,
        tab_two,
        {
            "kategorie": "fahrrad",
            "beschreibung": "Rotes Rad mit Korb",
            "verlustdatum": service.today().isoformat(),
            "verlustort": "Marktplatz",
        },
    )
    assert second.status_code == 200  # not moved on: the citizen should look first
    page = second.get_data(as_text=True)
    assert "in einem anderen Fenster geändert" in page
    assert "Rotes Rad mit Korb" in page  # what this tab sent is saved, not lost
    again = _post_step(client, second, {})
    assert again.status_code == 302


def test_drafts_are_kept_for_draft_days_and_say_until_when(make_app, settings, musterstadt) -> None:
    client = make_app(settings=replace(settings, draft_days=30)).test_client()
    dev_login(client, "erika")
    step = _apply(client, FUNDSACHE).get_data(as_text=True)
    until = service.today() + dt.timedelta(days=30)
    shown = format_date(until, "long", locale="de")  # 28. Dezember 2026
    assert f"aufbewahrt bis {shown}" in step
    assert f"gespeichert bis {shown}" in client.get("/t/musterstadt/applications/").get_data(
        as_text=True
    )


def test_purging_deletes_expired_drafts_with_their_files(
    app, erika_logged_in, musterstadt, settings
) -> None:
    client = erika_logged_in
    dogs = _dogs_step(client)
    _post_step(client, dogs, _dangerous_dog((io.BytesIO(_pdf("x")), "x.pdf")), action="refresh")
    assert len(_stored_files(settings)) == 1
    with tenant_scope(musterstadt.id):
        draft = db.session.scalars(select(Draft)).one()
        draft.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["drafts", "purge"])
    assert result.exit_code == 0, result.output
    assert "musterstadt: 1 expired draft(s) deleted" in result.output
    with tenant_scope(musterstadt.id):
        assert db.session.scalars(select(Draft)).all() == []
    assert _stored_files(settings) == []


def test_an_expired_draft_gives_way_to_a_new_one(erika_logged_in, musterstadt) -> None:
    client = erika_logged_in
    _apply(client, FUNDSACHE)
    with tenant_scope(musterstadt.id):
        db.session.scalars(select(Draft)).one().expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(
            minutes=1
        )
        db.session.commit()
    assert _apply(client, FUNDSACHE).status_code == 200
    with tenant_scope(musterstadt.id):
        assert len(db.session.scalars(select(Draft)).all()) == 1


def test_pages_with_personal_data_are_never_stored(erika_logged_in) -> None:
    client = erika_logged_in
    step = _apply(client, FUNDSACHE)
    assert "no-store" in step.headers["Cache-Control"]
    assert "no-store" in client.get("/t/musterstadt/applications/").headers["Cache-Control"]
    url, _values = step_values(step.get_data(as_text=True))
    summary = url.rsplit("/steps/", 1)[0] + "/summary"
    assert "no-store" in client.get(summary).headers["Cache-Control"]
    assert "no-store" not in client.get("/t/musterstadt/").headers.get("Cache-Control", "")
    confirmation = client.get(_submit(client, _fill_fundsache(client)))
    assert "Ihr Antrag ist eingegangen" in confirmation.get_data(as_text=True)
    assert "no-store" in confirmation.headers["Cache-Control"]


def test_head_is_answered_like_get(erika_logged_in) -> None:
    client = erika_logged_in
    step = _apply(client, FUNDSACHE)
    url, _values = step_values(step.get_data(as_text=True))
    for path in (url, "/t/musterstadt/", f"/t/musterstadt/forms/{FUNDSACHE}/"):
        head = client.head(path)
        assert head.status_code == 200, path
        assert head.data == b""
        assert head.headers["Content-Type"].startswith("text/html")


def test_direction_overrides_are_dropped_from_typed_answers(erika_logged_in) -> None:
    client = erika_logged_in
    step = _apply(client, FUNDSACHE)
    saved = _post_step(
        client,
        step,
        {
            "kategorie": "sonstiges",
            "beschreibung": "Rechnung\u202egnp.exe und Schirm",
            "verlustdatum": service.today().isoformat(),
            "verlustort": "Rathaus\u2066",
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)
    summary_url = local(saved.headers["Location"]).replace("/steps/kontakt", "/summary")
    text = client.get(summary_url).get_data(as_text=True)
    assert "Rechnunggnp.exe und Schirm" in text
    assert "\u202e" not in text
    assert "Rathaus\u2066" not in text


NUL_MESSAGE = "Diese Angabe enthält ein Nullzeichen (NUL), das nicht gespeichert werden kann."


@pytest.mark.parametrize("action", ["continue", "refresh"])
def test_a_nul_in_a_typed_answer_is_refused_next_to_it_and_the_rest_is_kept(
    erika_logged_in, action
) -> None:
    client = erika_logged_in
    step = _apply(client, FUNDSACHE)
    typed = {
        "kategorie": "sonstiges",
        "beschreibung": "Regen\x00schirm",
        "verlustdatum": service.today().isoformat(),
        "verlustort": "Bushaltestelle Rathaus",
    }

    refused = _post_step(client, step, typed, action=action)

    assert refused.status_code == 422
    page = parse(refused.get_data(as_text=True))
    (error,) = page.xpath("//*[@id='beschreibung-error']")
    assert NUL_MESSAGE in error.text_content()
    assert "beschreibung-error" in page.get_element_by_id("beschreibung").get("aria-describedby")
    _url, shown = step_values(refused.get_data(as_text=True))
    # to check and send again, without the NUL (a browser drops the text area's first break)
    assert shown["beschreibung"].removeprefix("\n") == "Regenschirm"
    assert {name: shown[name] for name in ("kategorie", "verlustdatum", "verlustort")} == {
        name: typed[name] for name in ("kategorie", "verlustdatum", "verlustort")
    }
    assert _post_step(client, refused, {}).status_code == 302


def test_a_summary_from_an_older_state_submits_nothing(erika_logged_in, musterstadt) -> None:
    client = erika_logged_in
    summary_url = _fill_fundsache(client)
    stale = client.get(summary_url)
    step_url = summary_url.replace("/summary", "/steps/kontakt")
    changed = _post_step(client, client.get(step_url), {"name": "Erika M."})
    assert changed.status_code == 302  # saved in another window
    refused = client.post(
        summary_url,
        data={"csrf_token": csrf_token(stale), "declaration": "yes", **_revision(stale)},
    )
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "Es wurde nichts abgesendet" in page
    assert "Erika M." in page  # the answers as they are now
    with tenant_scope(musterstadt.id):
        assert db.session.scalars(select(Submission)).all() == []
    assert client.get(_submit(client, summary_url)).status_code == 200


def _revision(page) -> dict[str, str]:
    found = re.search(r'name="_revision" value="(\d+)"', page.get_data(as_text=True))
    assert found, "the page has no revision"
    return {"_revision": found.group(1)}
