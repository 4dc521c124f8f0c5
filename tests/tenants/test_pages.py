"""Tenant pages: resolution from /t/<slug>/, branding, and clean 4xx answers."""

from __future__ import annotations

import pytest

from amtsweg.platform.db import db, tenant_scope
from amtsweg.tenants import service
from tests.images import png

PNG = png()


@pytest.mark.sqlite
def test_tenant_home_shows_the_name_and_branding(client, create_tenant) -> None:
    create_tenant(
        "musterstadt",
        "Gemeinde Musterstadt",
        contact_email="rathaus@musterstadt.example",
        imprint_url="https://musterstadt.example/impressum",
        privacy_url="https://musterstadt.example/datenschutz",
    )
    page = client.get("/t/musterstadt/").get_data(as_text=True)
    assert "<h1" in page
    assert "Gemeinde Musterstadt" in page
    assert "mailto:rathaus@musterstadt.example" in page
    assert 'href="https://musterstadt.example/impressum"' in page
    assert 'href="https://musterstadt.example/datenschutz"' in page
    assert 'href="#main"' in page  # skip link
    assert '<main id="main"' in page


def test_tenant_colour_reaches_pages_through_a_stylesheet(client, create_tenant) -> None:
    create_tenant("musterstadt", colour="#6A1B9A")
    page = client.get("/t/musterstadt/").get_data(as_text=True)
    assert "/t/musterstadt/branding.css" in page
    css = client.get("/t/musterstadt/branding.css")
    assert css.mimetype == "text/css"
    assert "--amtsweg-tenant-colour: #6a1b9a;" in css.get_data(as_text=True)


def test_coat_of_arms_is_served_only_for_its_tenant(client, create_tenant) -> None:
    musterstadt = create_tenant("musterstadt")
    create_tenant("beispieldorf")
    with tenant_scope(musterstadt.id):
        service.set_coat_of_arms(musterstadt, PNG)
        db.session.commit()
    page = client.get("/t/musterstadt/").get_data(as_text=True)
    assert 'alt="' in page
    assert "/t/musterstadt/coat-of-arms" in page
    image = client.get("/t/musterstadt/coat-of-arms")
    assert image.status_code == 200
    assert image.mimetype == "image/png"
    assert image.data == PNG
    assert client.get("/t/beispieldorf/coat-of-arms").status_code == 404


@pytest.mark.sqlite
@pytest.mark.parametrize(
    "path", ["/t/nirgendwo/", "/t/Bad_Slug!/", "/t/-dash/", "/t/" + "a" * 80 + "/", "/nothing"]
)
def test_unknown_or_malformed_tenant_is_a_404_page(client, create_tenant, path) -> None:
    create_tenant("musterstadt")
    response = client.get(path, headers={"Accept-Language": "de"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<h1" in response.get_data(as_text=True)


def test_a_disabled_tenant_says_so_politely_and_where_to_turn(client, create_tenant) -> None:
    tenant = create_tenant("musterstadt", contact_email="rathaus@musterstadt.example")
    assert client.get("/t/musterstadt/").status_code == 200
    with tenant_scope(tenant.id):
        service.disable_tenant(tenant)
        db.session.commit()
    answer = client.get("/t/musterstadt/", headers={"Accept-Language": "de"})
    assert answer.status_code == 503
    page = answer.get_data(as_text=True)
    assert "bietet hier derzeit keine Online-Dienste an" in page
    assert "rathaus@musterstadt.example" in page


@pytest.mark.sqlite
def test_api_errors_are_problem_documents(client) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 404
    assert response.json["title"]


def test_oversized_request_is_a_413_not_a_500(make_app, settings) -> None:
    from dataclasses import replace

    app = make_app(settings=replace(settings, max_request_bytes=1024))
    client = app.test_client()
    response = client.post("/api/v1/anything", data=b"x" * 4096, content_type="application/json")
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    page = client.post("/t/musterstadt/", data={"x": "y" * 4096})
    assert page.status_code == 413
    assert page.mimetype == "text/html"


def test_wrong_method_is_a_405_page(client, create_tenant) -> None:
    create_tenant("musterstadt")
    assert client.delete("/t/musterstadt/").status_code == 405


@pytest.mark.sqlite
def test_security_headers_on_every_page(client) -> None:
    response = client.get("/healthz")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Request-Id"]
    assert "max-age=" in response.headers["Strict-Transport-Security"]  # outside development


def test_a_replaced_coat_of_arms_is_removed_only_after_the_commit(app, client, create_tenant):
    from amtsweg.platform.storage import storage

    tenant = create_tenant("musterstadt")
    with tenant_scope(tenant.id):
        service.set_coat_of_arms(tenant, PNG)
        db.session.commit()
        first_key = tenant.coat_of_arms_key
        service.set_coat_of_arms(tenant, PNG + b"2")
        db.session.rollback()
        assert storage().get(first_key) == PNG
        service.set_coat_of_arms(tenant, PNG + b"3")
        db.session.commit()
    with pytest.raises(KeyError):
        storage().get(first_key)
    assert client.get("/t/musterstadt/coat-of-arms").data == PNG + b"3"


@pytest.mark.sqlite
def test_the_front_page_lists_enabled_municipalities(client, create_tenant) -> None:
    create_tenant("musterstadt", "Gemeinde Musterstadt")
    hidden = create_tenant("geschlossen", "Gemeinde Geschlossen")
    with tenant_scope(hidden.id):
        service.disable_tenant(hidden)
        db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert 'href="/t/musterstadt/"' in page
    assert "Gemeinde Musterstadt" in page
    assert "Geschlossen" not in page


def test_the_logout_form_may_continue_at_an_external_provider(settings) -> None:
    from dataclasses import replace

    from amtsweg.platform.web import base_content_security_policy

    external = replace(
        settings,
        dev_login=False,
        oidc_issuer="https://id.bundesland.example/realms/buerger",
        public_url="https://amtsweg.example",
    )
    assert "form-action 'self' https://id.bundesland.example;" in base_content_security_policy(
        external
    )
    assert "form-action 'self';" in base_content_security_policy(settings)
