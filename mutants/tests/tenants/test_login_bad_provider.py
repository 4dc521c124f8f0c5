"""A provider that misbehaves, or is down, ends the login on an error page with no session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import replace

import pytest
import requests
from flask import Flask

from tests import servers
from tests.login import local
from tests.peers.misbehaving_provider import DEFECTS, MisbehavingProvider, misbehaving_provider

CLIENT_ID = "amtsweg"


@pytest.fixture
def provider() -> Iterator[MisbehavingProvider]:
    with misbehaving_provider(CLIENT_ID) as peer:
        yield peer


@pytest.fixture
def app_for(make_app, settings) -> Iterator[Callable[[str], Flask]]:
    """Apps that log in through the provider at ``issuer``."""
    with ExitStack() as contexts:

        def make(issuer: str) -> Flask:
            app = make_app(
                settings=replace(
                    settings, oidc_issuer=issuer, oidc_client_id=CLIENT_ID, oidc_client_secret="x"
                )
            )
            contexts.enter_context(app.app_context())
            return app

        yield make


def log_in(app: Flask):
    """Through the provider, which answers the authorization request at once."""
    client = app.test_client()
    to_provider = client.get("/login")
    assert to_provider.status_code == 302, to_provider.get_data(as_text=True)
    back = requests.get(to_provider.headers["Location"], allow_redirects=False, timeout=5)
    return client, client.get(local(back.headers["Location"]), headers={"Accept-Language": "de"})


def assert_no_session(client, answer) -> None:
    assert not any(h.startswith("amtsweg_login=") for h in answer.headers.getlist("Set-Cookie"))
    assert client.get("/t/nowhere/").get_data(as_text=True).count("Erika Mustermann") == 0


def test_the_well_behaved_peer_logs_in_so_the_refusals_mean_something(app_for, provider):
    client, answer = log_in(app_for(provider.issuer))
    assert answer.status_code == 302
    assert "Erika Mustermann" in client.get("/t/nowhere/").get_data(as_text=True)


@pytest.mark.parametrize("defect", DEFECTS)
def test_a_bad_id_token_ends_on_an_error_page(app_for, provider, defect) -> None:
    provider.defect = defect
    client, answer = log_in(app_for(provider.issuer))
    assert answer.status_code == 400
    assert answer.mimetype == "text/html"
    page = answer.get_data(as_text=True)
    assert "Anmeldung fehlgeschlagen" in page
    assert "nicht vertraut" in page
    assert_no_session(client, answer)


def test_a_rotated_key_is_fetched_when_a_token_names_it(app_for, provider) -> None:
    app = app_for(provider.issuer)
    assert log_in(app)[1].status_code == 302
    provider.rotate_key()
    client, answer = log_in(app)
    assert answer.status_code == 302
    assert "Erika Mustermann" in client.get("/t/nowhere/").get_data(as_text=True)


def test_a_provider_that_is_down_ends_on_an_error_page(app_for) -> None:
    client = app_for(f"http://127.0.0.1:{servers.free_port()}").test_client()
    answer = client.get("/login", headers={"Accept-Language": "de"})
    assert answer.status_code == 503
    assert "nicht erreichbar" in answer.get_data(as_text=True)
    assert_no_session(client, answer)


def test_a_provider_that_goes_down_mid_login_ends_on_an_error_page(app_for) -> None:
    with misbehaving_provider(CLIENT_ID) as peer:
        app = app_for(peer.issuer)
        client = app.test_client()
        to_provider = client.get("/login")
        back = requests.get(to_provider.headers["Location"], allow_redirects=False, timeout=5)
    answer = client.get(local(back.headers["Location"]), headers={"Accept-Language": "de"})
    assert answer.status_code == 503
    assert_no_session(client, answer)
