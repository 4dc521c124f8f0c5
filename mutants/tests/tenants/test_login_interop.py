"""Login against an independent certified provider: the npm package oidc-provider.

The app runs as a real HTTP server; a ``requests`` session plays the browser,
follows the redirects and fills in the provider's own login and consent forms.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
import requests
from flask import Flask

from tests import servers
from tests.live_server import live_server
from tests.peers.forms import submit_form
from tests.peers.oidc_provider import new_key, oidc_provider, private_jwks

CLIENT_ID = "amtsweg"
CLIENT_SECRET = "interoperability-test-secret"
SERVICE = ("musterstadt-fachverfahren", "service-test-secret")
ERIKA = {
    "name": "Erika Mustermann",
    "given_name": "Erika",
    "family_name": "Mustermann",
    "birthdate": "1964-08-12",
    "email": "erika.mustermann@example.org",
    "address": {"street_address": "Heidestraße 17", "postal_code": "51147", "locality": "Köln"},
}


def peer_config(public_url: str) -> dict:
    return {
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [public_url + "/login/callback"],
                "post_logout_redirect_uris": [public_url + "/logged-out"],
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
            },
            {
                "client_id": SERVICE[0],
                "client_secret": SERVICE[1],
                "grant_types": ["client_credentials"],
                "response_types": [],
                "redirect_uris": [],
            },
        ],
        "accounts": {"erika": ERIKA},
        "jwks": private_jwks(new_key()),
        "api": {"resource": "urn:amtsweg:api", "audience": "amtsweg-api"},
        "serviceRoles": {SERVICE[0]: [{"role": "clerk", "tenant": "musterstadt"}]},
    }


@dataclass
class Site:
    app: Flask
    url: str
    issuer: str


@pytest.fixture
def site(make_app, settings, create_tenant) -> Iterator[Site]:
    create_tenant("musterstadt")
    port = servers.free_port()
    public_url = f"http://127.0.0.1:{port}"
    with oidc_provider(peer_config(public_url)) as issuer:
        app = make_app(
            settings=replace(
                settings,
                public_url=public_url,
                oidc_issuer=issuer,
                oidc_client_id=CLIENT_ID,
                oidc_client_secret=CLIENT_SECRET,
            )
        )
        with live_server(app, port) as url:
            yield Site(app, url, issuer)


def log_in_as_erika(browser: requests.Session, site: Site) -> requests.Response:
    login_form = browser.get(site.url + "/login?next=/t/musterstadt/", timeout=10)
    assert login_form.url.startswith(site.issuer), login_form.url
    consent_form = submit_form(browser, login_form, login="erika", password="any")
    assert consent_form.url.startswith(site.issuer), consent_form.url
    return submit_form(browser, consent_form)


def test_erika_logs_in_through_oidc_provider_and_out_again(site: Site) -> None:
    browser = requests.Session()
    landed = log_in_as_erika(browser, site)
    assert landed.url == site.url + "/t/musterstadt/"
    assert "Erika Mustermann" in landed.text
    session_id = browser.cookies.get("amtsweg_login")
    assert session_id

    confirm = submit_form(browser, landed, index=0)  # the header's logout form comes first
    assert confirm.url.startswith(site.issuer + "/session/end"), confirm.url
    back = submit_form(browser, confirm, logout="yes")
    assert back.url == site.url + "/t/musterstadt/"
    assert "Erika Mustermann" not in back.text

    stranger = requests.Session()
    stranger.cookies.set("amtsweg_login", session_id)
    assert "Erika Mustermann" not in stranger.get(site.url + "/t/musterstadt/", timeout=10).text
    again = browser.get(site.url + "/login", timeout=10)
    assert again.url.startswith(site.issuer + "/interaction/"), "the provider kept the session"
    assert 'name="password"' in again.text


def test_a_replayed_callback_from_oidc_provider_gets_no_session(site: Site) -> None:
    browser = requests.Session()
    landed = log_in_as_erika(browser, site)
    callback = next(r for r in landed.history if "/login/callback" in r.url).url
    stranger = requests.Session()
    replay = stranger.get(callback, timeout=10)
    assert replay.status_code == 400
    assert "amtsweg_login" not in stranger.cookies


def test_service_account_token_from_oidc_provider_reads_the_audit_log(site: Site) -> None:
    token = requests.post(
        site.issuer + "/token", data={"grant_type": "client_credentials"}, auth=SERVICE, timeout=10
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    me = requests.get(site.url + "/api/v1/me", headers=headers, timeout=10).json()
    assert me["kind"] == "service"
    assert me["roles"] == [{"role": "clerk", "tenant": "musterstadt"}]
    log = requests.get(
        site.url + "/api/v1/tenants/musterstadt/audit-log", headers=headers, timeout=10
    )
    assert log.status_code == 200
    assert [entry["action"] for entry in log.json()] == ["tenant.created"]
