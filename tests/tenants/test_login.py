"""Logging in and out through the development provider, black-box through HTTP."""

from __future__ import annotations

from dataclasses import replace
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask, jsonify

from amtsweg.platform.auth.access import require_principal
from amtsweg.platform.auth.trust import TrustLevel
from amtsweg.platform.db import db, tenant_scope
from amtsweg.tenants import service
from amtsweg.tenants.models import Role
from amtsweg.tenants.web import TenantView
from tests.login import csrf_token, dev_login, local

LOGIN_COOKIE = "amtsweg_login"


def login_cookie(response) -> SimpleCookie:
    cookie = SimpleCookie()
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(LOGIN_COOKIE + "="):
            cookie.load(header)
    return cookie


def shows_erika(app, session_id: str) -> bool:
    """Whether a browser holding only this login session id is Erika's."""
    browser = app.test_client()
    browser.set_cookie(LOGIN_COOKIE, session_id)
    return "Erika Mustermann" in browser.get("/t/nowhere/").get_data(as_text=True)


def log_out(client, page_path: str):
    page = client.get(page_path)
    return client.post("/logout", data={"csrf_token": csrf_token(page), "next": page_path})


@pytest.mark.sqlite
def test_erika_logs_in_and_sees_her_name(client, create_tenant) -> None:
    create_tenant("musterstadt")
    assert "Erika Mustermann" not in client.get("/t/musterstadt/").get_data(as_text=True)
    answer = dev_login(client, "erika", next_url="/t/musterstadt/")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/t/musterstadt/"
    cookie = login_cookie(answer)[LOGIN_COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"]  # plain HTTP in tests; production and HTTPS set it
    page = client.get("/t/musterstadt/").get_data(as_text=True)
    assert "Erika Mustermann" in page
    assert 'action="/logout"' in page


def test_login_rotates_the_session_id(app, client) -> None:
    first = login_cookie(dev_login(client))[LOGIN_COOKIE].value
    second = login_cookie(dev_login(client))[LOGIN_COOKIE].value
    assert first != second
    assert not shows_erika(app, first)
    assert shows_erika(app, second)


def test_logout_ends_the_session_here_and_at_the_provider(app, client, create_tenant) -> None:
    create_tenant("musterstadt")
    session_id = login_cookie(dev_login(client))[LOGIN_COOKIE].value
    to_provider = log_out(client, "/t/musterstadt/")
    assert to_provider.status_code == 302
    end_session = urlsplit(to_provider.headers["Location"])
    assert end_session.path == "/dev-idp/logout"
    assert "id_token_hint" in parse_qs(end_session.query)
    back = client.get(local(to_provider.headers["Location"]))
    assert back.headers["Location"] == "http://localhost:5000/logged-out"
    landed = client.get("/logged-out", follow_redirects=True)
    assert landed.request.path == "/t/musterstadt/"
    assert "Erika Mustermann" not in landed.get_data(as_text=True)
    assert not shows_erika(app, session_id), "the session lives on at the server"
    again = client.get(local(client.get("/login").headers["Location"]))
    assert again.status_code == 200, "the provider still remembered the person"


def test_logout_needs_the_csrf_token(client) -> None:
    dev_login(client)
    assert client.post("/logout").status_code == 400
    assert "Erika Mustermann" in client.get("/t/nowhere/").get_data(as_text=True)


def test_a_replayed_callback_is_refused(client) -> None:
    dev_login(client)
    to_provider = client.get("/login")
    callback = local(client.get(local(to_provider.headers["Location"])).headers["Location"])
    assert client.get(callback).status_code == 302
    replay = client.get(callback, headers={"Accept-Language": "de"})
    assert replay.status_code == 400
    assert "bereits verwendet" in replay.get_data(as_text=True)
    assert not login_cookie(replay)


def test_a_callback_with_a_forged_non_ascii_state_is_refused(client) -> None:
    client.get("/login")  # a login is pending in this browser
    answer = client.get("/login/callback", query_string={"state": "zustand-ä\u0085", "code": "x"})
    assert answer.status_code == 400
    assert not login_cookie(answer)


def test_a_callback_from_another_browser_is_refused(client, app) -> None:
    to_provider = client.get("/login")
    page = client.get(local(to_provider.headers["Location"]))
    approved = client.post(
        local(to_provider.headers["Location"]),
        data={"persona": "erika", "csrf_token": csrf_token(page)},
    )
    stranger = app.test_client()
    answer = stranger.get(local(approved.headers["Location"]))
    assert answer.status_code == 400
    assert not login_cookie(answer)
    assert "Erika Mustermann" not in stranger.get("/t/nowhere/").get_data(as_text=True)


def test_an_expired_login_session_is_over(make_app, settings) -> None:
    app = make_app(settings=replace(settings, login_session_minutes=0))
    with app.app_context():
        client = app.test_client()
        dev_login(client)
        assert "Erika Mustermann" not in client.get("/t/nowhere/").get_data(as_text=True)


@pytest.fixture
def guarded_app(make_app) -> Flask:
    """An app with two views that use the helpers the journey and clerk pages use."""
    app = make_app()

    def needs_substantial():
        principal = require_principal(TrustLevel.SUBSTANTIAL)
        return jsonify(name=principal.name, prefill=dict(principal.prefill))

    class ClerkPage(TenantView):
        required_roles = (Role.CLERK,)

        def get(self) -> str:
            return f"clerk page of {self.tenant.slug}"

    app.add_url_rule("/needs-substantial", view_func=needs_substantial)
    app.add_url_rule("/t/<slug:tenant_slug>/clerk-test", view_func=ClerkPage.as_view("clerk"))
    with app.app_context():
        yield app


def test_a_view_needing_a_trust_level_sends_people_to_a_strong_enough_login(guarded_app):
    client = guarded_app.test_client()
    anonymous = client.get("/needs-substantial")
    assert anonymous.status_code == 302
    assert parse_qs(urlsplit(anonymous.headers["Location"]).query) == {
        "next": ["/needs-substantial"],
        "level": ["substantial"],
    }
    dev_login(client, "max")
    step_up = client.get("/needs-substantial")
    assert step_up.status_code == 302
    to_provider = client.get(local(step_up.headers["Location"]))
    acr_values = parse_qs(urlsplit(to_provider.headers["Location"]).query)["acr_values"][0]
    assert "http://eidas.europa.eu/LoA/substantial" in acr_values.split()
    assert "http://eidas.europa.eu/LoA/low" not in acr_values.split()


def test_a_weaker_login_than_asked_does_not_proceed(guarded_app) -> None:
    client = guarded_app.test_client()
    answer = dev_login(client, "max", next_url="/needs-substantial", level="substantial")
    assert answer.status_code == 403
    assert "/needs-substantial" not in answer.headers.get("Location", "")
    assert client.get("/needs-substantial").status_code == 302


def test_a_strong_login_proceeds_with_prefill_claims(guarded_app) -> None:
    client = guarded_app.test_client()
    answer = dev_login(client, "erika", next_url="/needs-substantial", level="substantial")
    assert answer.headers["Location"] == "/needs-substantial"
    claims = client.get("/needs-substantial").json
    assert claims["name"] == "Erika Mustermann"
    assert claims["prefill"]["birthdate"] == "1964-08-12"
    assert claims["prefill"]["address"]["street_address"] == "Heidestraße 17"
    assert claims["prefill"]["address"]["postal_code"] == "51147"


def test_clerk_pages_answer_only_clerks_of_that_tenant(guarded_app, create_tenant) -> None:
    musterstadt = create_tenant("musterstadt")
    create_tenant("beispieldorf")
    clerk = guarded_app.test_client()
    dev_login(clerk, "clerk-musterstadt")
    assert clerk.get("/t/musterstadt/clerk-test").status_code == 200
    assert clerk.get("/t/beispieldorf/clerk-test").status_code == 404
    citizen = guarded_app.test_client()
    dev_login(citizen, "max")
    assert citizen.get("/t/musterstadt/clerk-test").status_code == 404
    max_user = service.find_or_create_user("http://localhost:5000/dev-idp", "max")
    with tenant_scope(musterstadt.id):
        service.grant_role(musterstadt, max_user, Role.CLERK)
        db.session.commit()
    assert citizen.get("/t/musterstadt/clerk-test").status_code == 200
    anonymous = guarded_app.test_client().get("/t/musterstadt/clerk-test")
    assert anonymous.status_code == 302
