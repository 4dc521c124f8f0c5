"""A citizen filling in a draft sees until when the login lasts and can extend it."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from sqlalchemy import update

from amtsweg.platform.db import db, utcnow
from amtsweg.tenants.models import LoginSession
from tests.login import local

FUNDSACHE = "/t/musterstadt/forms/fundsache-verlustmeldung/"
BERLIN = ZoneInfo("Europe/Berlin")


def _first_step(client) -> str:
    started = client.get(FUNDSACHE + "apply")
    assert started.status_code == 302
    return local(started.headers["Location"])


def test_the_step_page_shows_until_when_the_login_is_valid(client, musterstadt, log_in) -> None:
    log_in("erika")
    page = client.get(_first_step(client), headers={"Accept-Language": "de"})
    text = page.get_data(as_text=True)
    found = re.search(r"Ihre Anmeldung ist bis (\d\d:\d\d) Uhr gültig\.", text)
    assert found, text
    ends = utcnow() + dt.timedelta(minutes=60)  # AMTSWEG_LOGIN_SESSION_MINUTES
    assert found.group(1) in {
        (ends - dt.timedelta(minutes=delta)).astimezone(BERLIN).strftime("%H:%M")
        for delta in (0, 1)
    }
    assert "Gespeicherte Angaben bleiben erhalten, auch wenn die Anmeldung endet." in text
    assert 'action="/session/extend"' in text
    assert ">Anmeldung verlängern<" in text
    assert "/static/session-timeout.js" in text
    assert 'role="alertdialog"' in text


def test_at_its_maximum_the_login_offers_no_extension(client, musterstadt, log_in) -> None:
    log_in("erika")
    step = _first_step(client)
    now = utcnow()
    db.session.execute(
        update(LoginSession).values(
            created_at=now - dt.timedelta(hours=8), expires_at=now + dt.timedelta(minutes=3)
        )
    )
    db.session.commit()
    text = client.get(step, headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Sie kann nicht weiter verlängert werden" in text
    assert 'action="/session/extend"' not in text


def test_pages_without_a_login_show_no_notice(client, musterstadt) -> None:
    text = client.get(FUNDSACHE, headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Ihre Anmeldung ist bis" not in text
