"""Deletion periods with a frozen clock, and data-subject requests through the CLI."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
import time_machine
from sqlalchemy import select

from amtsweg.cli import main
from amtsweg.formdefs import service as formdefs
from amtsweg.platform.db import db, tenant_scope
from amtsweg.platform.signals import submission_erased
from amtsweg.platform.storage import storage
from amtsweg.submissions.models import Submission, Upload
from amtsweg.tenants import service as tenants
from amtsweg.tenants.models import User
from tests.login import local
from tests.submissions.test_journey import _apply, _pdf, _post_step, _submit

CLERK = "/t/musterstadt/clerk/"


def _parking_permit_with_a_scan(client) -> str:
    """Erika applies for a parking permit with her registration attached; the reference."""
    person = _apply(client, "bewohnerparkausweis")
    vehicle = client.get(local(_post_step(client, person, {"zone": "a"}).headers["Location"]))
    summary = _post_step(
        client,
        vehicle,
        {
            "kennzeichen": "K-AB 123",
            "halter": "yes",
            "bestaetigung": "yes",
            "zulassung": (io.BytesIO(_pdf("Zulassung")), "Zulassung.pdf"),
        },
    )
    after = _submit(client, local(summary.headers["Location"]))  # the confirmation, or paying
    return re.search(r"/submissions/([A-Z]+-\d{4}-\d{6})", after).group(1)


def _stored_keys(tenant) -> list[str]:
    with tenant_scope(tenant.id):
        return list(db.session.scalars(select(Upload.storage_key)))


def _purge(app, *what: str) -> str:
    result = app.test_cli_runner().invoke(main, [*what, "purge"])
    assert result.exit_code == 0, result.output
    return result.output


def test_submissions_and_drafts_go_on_time_with_their_files(
    app, client, log_in, musterstadt, submit
) -> None:
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    erased = []

    def receiver(_sender: object, **kwargs: object) -> None:
        erased.append(kwargs)

    with (
        submission_erased.connected_to(receiver),
        time_machine.travel(start, tick=False) as clock,
    ):
        log_in("erika")
        permit = _parking_permit_with_a_scan(client)  # kept 730 days
        lost_umbrella = submit()  # kept 365 days
        _apply(client, "fundsache-verlustmeldung")  # a draft, never submitted
        (scan,) = _stored_keys(musterstadt)
        assert storage().get(scan).startswith(b"%PDF")

        clock.move_to(start + dt.timedelta(days=364))
        assert "musterstadt: 0 submission" in _purge(app, "submissions")

        clock.move_to(start + dt.timedelta(days=366))
        assert "musterstadt: 1 submission" in _purge(app, "submissions")
        with tenant_scope(musterstadt.id):
            left = set(db.session.scalars(select(Submission.reference)))
        assert left == {permit}
        assert storage().get(scan)

        clock.move_to(start + dt.timedelta(days=731))
        assert "musterstadt: 1 submission" in _purge(app, "submissions")
        assert "musterstadt: 1 expired draft" in _purge(app, "drafts")
        assert _stored_keys(musterstadt) == []
        with pytest.raises(KeyError):
            storage().get(scan)
    with tenant_scope(musterstadt.id):
        assert db.session.scalar(select(Submission.id)) is None
    assert [kwargs["tenant_id"] for kwargs in erased] == [musterstadt.id] * 2
    entries, _total = tenants.audit_entries(musterstadt, 0, 100)
    purged = [entry.details for entry in entries if entry.action == "submissions.purged"]
    assert purged == [{"count": 1}, {"count": 1}]  # how many, never which
    assert lost_umbrella not in json.dumps([entry.details for entry in entries])


def test_a_tenant_may_shorten_the_period_but_not_extend_it(app, musterstadt, submit) -> None:
    lost_property = formdefs.get_definition("fundsache-verlustmeldung")
    with pytest.raises(formdefs.FormDefError):
        formdefs.shorten_retention(musterstadt, lost_property, 400)
    formdefs.shorten_retention(musterstadt, lost_property, 30)
    db.session.commit()
    with time_machine.travel(dt.datetime(2026, 5, 1, tzinfo=dt.UTC), tick=False) as clock:
        submit()
        clock.shift(dt.timedelta(days=31))
        assert "musterstadt: 1 submission" in _purge(app, "submissions")


def test_gdpr_export_and_erase_keep_what_the_municipality_must_keep(
    app, client, log_in, musterstadt, submit
) -> None:
    with time_machine.travel(dt.datetime(2026, 1, 10, tzinfo=dt.UTC), tick=False) as clock:
        old = submit()
        clock.shift(dt.timedelta(days=400))
        recent = submit()
        log_in("erika")
        _apply(client, "hundesteuer-anmeldung")
        runner = app.test_cli_runner()
        exported = runner.invoke(main, ["gdpr", "export", "--person", "erika"])
        assert exported.exit_code == 0, exported.output
        held = json.loads(exported.output)["tenants"]["musterstadt"]
        assert {s["reference"] for s in held["submissions"]} == {old, recent}
        assert [draft["form"] for draft in held["drafts"]] == ["hundesteuer-anmeldung"]

        erased = runner.invoke(main, ["gdpr", "erase", "--person", "erika"])
        assert erased.exit_code == 0, erased.output
        assert "musterstadt: 1 draft(s) and 1 submission(s) erased" in erased.output
        assert f"kept: {recent} until" in erased.output
        with tenant_scope(musterstadt.id):
            assert set(db.session.scalars(select(Submission.reference))) == {recent}
        (person,) = db.session.scalars(select(User).where(User.subject == "erika"))
        assert person.display_name == ""
    assert client.get("/t/musterstadt/applications/").status_code == 302  # logged out


def test_gdpr_names_an_unknown_person(app) -> None:
    result = app.test_cli_runner().invoke(main, ["gdpr", "export", "--person", "nobody"])
    assert result.exit_code != 0
    assert "Nobody with the subject 'nobody'" in result.output
