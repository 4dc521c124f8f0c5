"""Extending a login before it ends: renewed within a maximum, only with a CSRF token.

Time is arranged, not waited for: the test moves the login's start and end into
the past through the database, as if the person had logged in long ago.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from amtsweg.platform.config import Settings
from amtsweg.platform.db import db, utcnow
from amtsweg.tenants.models import LoginSession
from tests.login import csrf_token, dev_login

BERLIN = ZoneInfo("Europe/Berlin")
HOME = "/t/musterstadt/"


@pytest.fixture
def client(
    make_app: Callable[..., Flask], settings: Settings, create_tenant
) -> Iterator[FlaskClient]:
    """Logged in as Erika; a login lasts 60 minutes and can be extended up to 120."""
    app = make_app(
        settings=replace(settings, login_session_minutes=60, login_session_max_minutes=120)
    )
    with app.app_context():
        create_tenant("musterstadt")
        client = app.test_client()
        dev_login(client, next_url=HOME)
        yield client


def _logged_in_since(minutes: int, ends_in: int) -> None:
    now = utcnow()
    db.session.execute(
        update(LoginSession).values(
            created_at=now - dt.timedelta(minutes=minutes),
            expires_at=now + dt.timedelta(minutes=ends_in),
        )
    )
    db.session.commit()


def _expires_at() -> dt.datetime:
    db.session.expire_all()
    value = db.session.scalar(select(LoginSession.expires_at))
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _clock(moment: dt.datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%H:%M")


def _shown_time(page: str, pattern: str) -> dt.datetime:
    """The clock time a sentence shows, as the moment nearest to now (Berlin)."""
    found = re.search(pattern, page)
    assert found, page
    hour, minute = map(int, found.group(1).split(":"))
    now = utcnow().astimezone(BERLIN)
    shown = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if shown < now - dt.timedelta(hours=12):
        shown += dt.timedelta(days=1)
    return shown


def _extend(client: FlaskClient, **headers: str):
    page = client.get(HOME, headers={"Accept-Language": "de"})
    return client.post(
        "/session/extend",
        data={"csrf_token": csrf_token(page), "next": HOME},
        headers={"Accept-Language": "de", **headers},
    )


def test_extending_renews_the_login_for_its_full_lifetime(client: FlaskClient) -> None:
    _logged_in_since(minutes=50, ends_in=10)
    response = _extend(client)
    assert response.status_code == 303
    assert response.headers["Location"] == HOME
    expected = utcnow() + dt.timedelta(minutes=60)
    assert abs(_expires_at() - expected) < dt.timedelta(seconds=30)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("amtsweg_login=")
    assert 3500 < int(re.search(r"Max-Age=(\d+)", cookie).group(1)) <= 3600
    page = client.get(HOME, headers={"Accept-Language": "de"}).get_data(as_text=True)
    shown = _shown_time(page, r"Ihre Anmeldung ist jetzt bis (\d\d:\d\d) Uhr gültig\.")
    assert abs(shown - expected) < dt.timedelta(minutes=1)
    assert "Erika Mustermann" in page  # still logged in


def test_extending_without_the_csrf_token_is_refused(client: FlaskClient) -> None:
    _logged_in_since(minutes=50, ends_in=10)
    before = _expires_at()
    response = client.post("/session/extend", data={"next": HOME})
    assert response.status_code == 400
    assert _expires_at() == before


def test_a_login_is_never_extended_beyond_its_maximum(client: FlaskClient) -> None:
    _logged_in_since(minutes=100, ends_in=10)
    _extend(client)
    cap = _expires_at()
    # 20 minutes were left of the 120: the login ends at its maximum, not 60 minutes from now.
    assert abs(cap - (utcnow() + dt.timedelta(minutes=20))) < dt.timedelta(seconds=30)
    refused = _extend(client)
    assert refused.status_code == 303
    assert _expires_at() == cap
    page = client.get(HOME, headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Ihre Anmeldung kann nicht weiter verlängert werden" in page
    shown = _shown_time(page, r"sie endet um (\d\d:\d\d) Uhr")
    assert abs(shown - cap) < dt.timedelta(minutes=1)


def test_the_script_gets_the_new_end_as_json(client: FlaskClient) -> None:
    _logged_in_since(minutes=50, ends_in=10)
    extended = _extend(client, Accept="application/json")
    assert extended.status_code == 200
    assert extended.json["extended"] is True
    assert 3500 < extended.json["seconds_left"] <= 3600
    assert extended.json["until"] == _clock(_expires_at())
    _logged_in_since(minutes=119, ends_in=1)
    refused = _extend(client, Accept="application/json")
    assert refused.status_code == 409
    assert refused.mimetype == "application/problem+json"
    assert refused.json["can_extend"] is False
    assert "nicht weiter verlängert" in refused.json["detail"]


def test_an_ended_login_stays_ended(client: FlaskClient) -> None:
    page = client.get(HOME)
    _logged_in_since(minutes=70, ends_in=-10)
    response = client.post(
        "/session/extend",
        data={"csrf_token": csrf_token(page), "next": HOME},
        headers={"Accept-Language": "de"},
    )
    assert response.status_code == 303
    after = client.get(HOME, headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Ihre Anmeldung ist abgelaufen" in after
    assert "Erika Mustermann" not in after
