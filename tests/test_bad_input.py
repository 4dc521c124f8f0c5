"""A corpus of bad input against every route of the app: never an answer of 500.

The routes are taken from the app's URL map, not listed here, so an endpoint
added later is covered the day it is added; the OpenAPI document is checked to
name no operation the map does not have. Every route gets the corpus as a JSON
body, as a form post (with a valid CSRF token, filled in over what the page
shows) and as query parameters, from a citizen's browser session and with
citizen, tenant admin and association admin tokens. Every page also answers
``HEAD`` as it answers ``GET``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from werkzeug.routing import Rule

from amtsweg.formdefs import service as formdefs
from amtsweg.platform.db import db, tenant_scope
from amtsweg.tenants import service as tenants
from tests.login import csrf_token, dev_login, local
from tests.platform.test_bearer_tokens import dev_token
from tests.submissions.html_forms import step_values

FORM = "fundsache-verlustmeldung"
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
NASTY_TEXTS = {
    "nul": "Regen\x00schirm",
    "controls": "\x01\x07\x1b[31m\x7f\u0085",
    "direction-override": "\u202etxt.exe",
    "oversized": "x" * 200_000,
    "huge-integer": "9" * 5_000,
    "huge-float": "1e400",
    "line-break": "/\r\nX-Injected: 1",
}
JSON_BODIES = {
    "deep-array": b"[" * 10_000 + b"]" * 10_000,
    "deep-object": b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    "huge-integer": b'{"answers": {"menge": ' + b"9" * 5_000 + b"}}",
    "integer-beyond-float": b'{"answers": {"menge": 1' + b"0" * 400 + b'}, "menge": 1e400}',
    "broken-utf8": b'{"answers": {"beschreibung": "\xff\xfe\xc3"}}',
    "nul-and-overrides": (
        b'{"answers": {"beschreibung": "a\\u0000b\\u202e\\ud800"}, "name": "\\u0000"}'
    ),
    "oversized-values": b'{"answers": {"beschreibung": "' + b"x" * 200_000 + b'"}}',
    "wrong-types": b'{"answers": [1, {"x": null}], "locale": {"de": 1}, "colour": [1]}',
    "not-json": b"\x00\x01 not json {",
}


@pytest.fixture
def world(make_app, settings) -> Iterator[dict[str, Any]]:
    """A tenant offering the catalogue, a citizen's draft and submission, and tokens."""
    generous = replace(
        settings,
        submit_rate_limit="100000/minute",
        step_rate_limit="100000/minute",
        login_rate_limit="100000/minute",
    )
    app = make_app(settings=generous)
    with app.app_context():
        formdefs.load_catalogue()
        tenant = tenants.create_tenant(
            "musterstadt",
            "Gemeinde Musterstadt",
            "MUS",
            tenants.Branding(contact_email="rat@musterstadt.example"),
        )
        with tenant_scope(tenant.id):
            for definition in formdefs.list_definitions():
                formdefs.activate_form(tenant, definition)
            db.session.commit()
        browser = app.test_client()
        dev_login(browser, "erika")
        applied = browser.get(f"/t/musterstadt/forms/{FORM}/apply")
        step_path = local(applied.headers["Location"])
        csrf = csrf_token(browser.get(step_path))
        draft_id = step_path.split("/")[4]
        token = {
            "citizen": dev_token(app, "--role", "citizen"),
            "tenant_admin": dev_token(app, "--role", "tenant_admin", "--tenant", "musterstadt"),
            "admin": dev_token(app, "--role", "admin"),
        }
        yield {
            "app": app,
            "browser": browser,
            "values": {
                "tenant_slug": "musterstadt",
                "form_slug": FORM,
                "definition_slug": FORM,
                "draft_id": draft_id,
                "step_id": step_path.rsplit("/", 1)[1],
                "number": 1,
                "locale": "de",
            },
            "tokens": token,
            "csrf": csrf,
        }


def _url(rule: Rule, values: dict[str, Any]) -> str:
    arguments = {name: values.get(name, _made_up(rule, name)) for name in rule.arguments}
    return rule.build(arguments, append_unknown=False)[1]


def _made_up(rule: Rule, name: str) -> Any:
    """A value the rule's converter accepts, for a part the corpus has no real value for."""
    converter = type(rule._converters[name]).__name__
    return {"UUIDConverter": uuid.uuid4(), "IntegerConverter": 1}.get(converter, "x")


def _body_rules(app: Flask) -> list[Rule]:
    rules = [rule for rule in app.url_map.iter_rules() if set(rule.methods) & set(BODY_METHODS)]
    return sorted(rules, key=lambda rule: "logout" in rule.endpoint)  # logging out comes last


def _form_values(browser, url: str, text: str, csrf: str) -> dict[str, Any]:
    """What the page at ``url`` would post, with every field replaced by ``text``."""
    page = browser.get(url)
    values: dict[str, Any] = {"csrf_token": csrf}
    if page.status_code == 200 and "amtsweg-step" in page.get_data(as_text=True):
        _action, shown = step_values(page.get_data(as_text=True))
        values |= {name: text for name in shown if name not in {"csrf_token", "_revision"}}
        values["_revision"] = shown.get("_revision", "")
    for name in ("declaration", "name", "email", "message", "persona", "next", "colour"):
        values.setdefault(name, text)
    return values


def _no_server_error(answer, what: str) -> None:
    assert answer.status_code < 500, f"{what}: {answer.status_code} {answer.get_data()[:300]!r}"


def test_every_openapi_operation_is_a_route_the_corpus_reaches(world) -> None:
    app, browser = world["app"], world["browser"]
    spec = browser.get("/api/v1/openapi.json").json
    routes = {
        (re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods
    }
    operations = {
        (path, method.upper())
        for path, item in spec["paths"].items()
        for method in item
        if method.upper() in {"GET", *BODY_METHODS}
    }
    assert operations <= routes


def test_json_bodies_never_reach_a_500(world) -> None:
    app, browser, tokens = world["app"], world["browser"], world["tokens"]
    for rule in _body_rules(app):
        url = _url(rule, world["values"])
        for method in sorted(set(rule.methods) & set(BODY_METHODS)):
            for name, body in JSON_BODIES.items():
                for who, token in (None, None), *tokens.items():
                    headers = {"Authorization": f"Bearer {token}"} if token else {}
                    answer = app.test_client().open(
                        url,
                        method=method,
                        data=body,
                        headers=headers,
                        content_type="application/json",
                    )
                    _no_server_error(answer, f"{method} {url} {name} as {who}")
            answer = browser.open(
                url, method=method, data=JSON_BODIES["deep-array"], content_type="application/json"
            )
            _no_server_error(answer, f"{method} {url} deep JSON in the browser session")


def test_form_posts_never_reach_a_500(world) -> None:
    app, browser = world["app"], world["browser"]
    for rule in _body_rules(app):
        url = _url(rule, world["values"])
        for name, text in NASTY_TEXTS.items():
            values = _form_values(browser, url, text, world["csrf"])
            for method in sorted(set(rule.methods) & set(BODY_METHODS)):
                answer = browser.open(url, method=method, data=values)
                _no_server_error(answer, f"{method} {url} form with {name}")
        raw = b"csrf_token=x&beschreibung=%FF%FE%C3&name=%00%0D%0A"
        answer = browser.post(url, data=raw, content_type="application/x-www-form-urlencoded")
        _no_server_error(answer, f"POST {url} broken UTF-8 form")


def test_query_parameters_never_reach_a_500(world) -> None:
    app, browser, tokens = world["app"], world["browser"], world["tokens"]
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or "logout" in rule.endpoint:
            continue
        url = _url(rule, world["values"])
        for name, text in NASTY_TEXTS.items():
            value = text[:4_000] if name == "oversized" else text  # a URL, not a body
            query = dict.fromkeys(("next", "page", "per_page", "q", "level", "state"), value)
            for client, headers in (
                (browser, {}),
                (app.test_client(), {"Authorization": f"Bearer {tokens['admin']}"}),
            ):
                answer = client.get(url, query_string=query, headers=headers)
                _no_server_error(answer, f"GET {url} with {name}")


def test_head_is_answered_like_get_on_every_page(world) -> None:
    app, browser = world["app"], world["browser"]
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or "logout" in rule.endpoint:
            continue
        url = _url(rule, world["values"])
        get, head = browser.get(url), browser.head(url)
        assert head.status_code == get.status_code, f"HEAD {url}: {head.status_code}"
        assert head.data == b""


@pytest.mark.parametrize("field", ["name", "message"])
def test_a_nul_in_an_otherwise_valid_post_is_refused_saying_so_and_nothing_is_kept(
    client, create_tenant, field
) -> None:
    """A NUL hidden in one field of a post that passes every check: a 400 that says what
    to remove, in German first, and the feedback is neither stored nor mailed."""
    create_tenant("musterstadt", "Gemeinde Musterstadt", contact_email="rathaus@example.org")
    statement = "/t/musterstadt/barrierefreiheit"
    form = client.get(statement, headers={"Accept-Language": "de"})
    sent = {"name": "Erika Mustermann", "message": "Der Kontrast ist zu schwach."}
    refused = client.post(
        statement,
        data={**sent, field: "Regen\x00schirm", "csrf_token": csrf_token(form)},
        headers={"Accept-Language": "de"},
    )
    assert refused.status_code == 400
    assert "Nullzeichen (NUL)" in refused.get_data(as_text=True)
    accepted = client.post(statement, data={**sent, "csrf_token": csrf_token(form)})
    assert accepted.status_code == 303


def test_a_nul_in_a_json_text_the_api_stores_is_a_problem_document(world) -> None:
    """The same through the API: a new municipality's name with a NUL, as a problem document,
    and the municipality is not created."""
    client = world["app"].test_client()
    admin = {"Authorization": f"Bearer {world['tokens']['admin']}"}
    new = {"slug": "neustadt", "municipality_key": "05315000", "state": "05"}
    answer = client.post(
        "/api/v1/admin/tenants", json={**new, "name": "Neu\u0000stadt"}, headers=admin
    )
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert answer.content_type == "application/problem+json"
    assert "(NUL)" in answer.json["detail"]
    created = client.post("/api/v1/admin/tenants", json={**new, "name": "Neustadt"}, headers=admin)
    assert created.status_code == 201, created.get_data(as_text=True)
