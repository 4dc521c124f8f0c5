"""The form-definition API through HTTP with real tokens from the development provider.

Association admins manage the catalogue (``/api/v1/formdefs``); a tenant's
admins choose what the tenant offers (``/api/v1/tenants/<slug>/forms``).
"""

from __future__ import annotations

import copy

import pytest
from flask_babel import refresh

from amtsweg.formdefs import service
from amtsweg.formdefs.engine import catalogue_documents
from amtsweg.platform.db import db
from tests.formdefs.builders import document, field, options
from tests.isolation import assert_other_tenant_gets_404
from tests.platform.test_bearer_tokens import dev_token

PROBLEM = "application/problem+json"
CATALOGUE = {document_["slug"]: document_ for _name, document_ in catalogue_documents()}
TEXT = {"de": "Text", "en": "Text"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def catalogue(app) -> None:
    service.load_catalogue()
    db.session.commit()


@pytest.fixture
def admin(app) -> dict[str, str]:
    return bearer(dev_token(app, "--role", "admin"))


def pointers(answer) -> dict[str, str]:
    assert answer.mimetype == PROBLEM, answer.get_data(as_text=True)
    return {error["pointer"]: error["detail"] for error in answer.json["errors"]}


# --- the catalogue ----------------------------------------------------------------


@pytest.mark.sqlite
def test_admins_list_the_loaded_catalogue(client, catalogue, admin) -> None:
    answer = client.get("/api/v1/formdefs", headers=admin)

    assert answer.status_code == 200, answer.json
    assert len(answer.json) >= 8
    by_slug = {entry["slug"]: entry for entry in answer.json}
    gewerbe = by_slug["gewerbeanmeldung"]
    assert gewerbe["title"]["de"] == "Gewerbeanmeldung"
    assert gewerbe["published_version"] == 1
    assert gewerbe["draft_version"] is None
    assert [(v["number"], v["state"]) for v in gewerbe["versions"]] == [(1, "published")]
    assert gewerbe["versions"][0]["published_at"]


def test_one_definition_with_its_versions(client, catalogue, admin) -> None:
    answer = client.get("/api/v1/formdefs/hundesteuer-anmeldung", headers=admin)

    assert answer.status_code == 200
    assert answer.json["slug"] == "hundesteuer-anmeldung"
    assert answer.json["versions"][0]["digest"] == service.digest(
        CATALOGUE["hundesteuer-anmeldung"]
    )
    missing = client.get("/api/v1/formdefs/nothing-here", headers=admin)
    assert missing.status_code == 404
    assert missing.mimetype == PROBLEM
    assert (
        client.get("/api/v1/formdefs/gewerbeanmeldung/versions/7", headers=admin).status_code == 404
    )


@pytest.mark.sqlite
def test_a_published_version_is_changed_through_a_new_draft(client, catalogue, admin) -> None:
    path = "/api/v1/formdefs/gewerbeanmeldung/versions"
    changed = copy.deepcopy(CATALOGUE["gewerbeanmeldung"])
    changed["title"] = {"de": "Gewerbeanmeldung (neu)", "en": "Business registration (new)"}

    refused = client.put(f"{path}/1", json=changed, headers=admin)
    assert refused.status_code == 409
    assert refused.mimetype == PROBLEM
    assert "neuen Entwurf" in refused.json["detail"]

    draft = client.post(path, headers=admin)
    assert draft.status_code == 201, draft.json
    assert (draft.json["number"], draft.json["state"]) == (2, "draft")
    assert draft.headers["Location"].endswith(f"{path}/2")
    read = client.get(f"{path}/2", headers=admin)
    assert read.json == CATALOGUE["gewerbeanmeldung"]
    assert client.post(path, headers=admin).status_code == 409  # one draft at a time

    replaced = client.put(
        f"{path}/2", json=changed, headers=admin | {"If-Match": read.headers["ETag"]}
    )
    assert replaced.status_code == 200, replaced.json
    assert replaced.json["title"]["de"] == "Gewerbeanmeldung (neu)"

    published = client.post(f"{path}/2/publish", headers=admin)
    assert (published.status_code, published.json["state"]) == (200, "published")
    versions = client.get("/api/v1/formdefs/gewerbeanmeldung", headers=admin).json["versions"]
    assert [(v["number"], v["state"]) for v in versions] == [(1, "retired"), (2, "published")]
    assert client.put(f"{path}/2", json=changed, headers=admin).status_code == 409
    assert client.post(f"{path}/2/publish", headers=admin).status_code == 409

    retired = client.post(f"{path}/2/retire", headers=admin)
    assert (retired.status_code, retired.json["state"]) == (200, "retired")
    assert retired.json["retired_at"]


def test_a_new_draft_may_bring_its_document(client, catalogue, admin) -> None:
    changed = copy.deepcopy(CATALOGUE["sperrmuell-anmeldung"])
    changed["retention_days"] = 99
    path = "/api/v1/formdefs/sperrmuell-anmeldung/versions"

    draft = client.post(path, json=changed, headers=admin)

    assert draft.status_code == 201, draft.json
    assert client.get(f"{path}/{draft.json['number']}", headers=admin).json == changed


def test_export_then_import_under_another_slug(client, catalogue, admin) -> None:
    exported = client.get("/api/v1/formdefs/kita-voranmeldung/versions/1", headers=admin)
    assert exported.status_code == 200
    assert exported.mimetype == "application/json"
    assert "kita-voranmeldung-v1.json" in exported.headers["Content-Disposition"]
    assert exported.json == CATALOGUE["kita-voranmeldung"]

    copied = exported.json | {"slug": "kita-voranmeldung-test"}
    imported = client.post("/api/v1/formdefs", json=copied, headers=admin)

    assert imported.status_code == 201, imported.json
    assert (imported.json["slug"], imported.json["number"]) == ("kita-voranmeldung-test", 1)
    assert imported.json["state"] == "draft"
    again = client.get("/api/v1/formdefs/kita-voranmeldung-test/versions/1", headers=admin)
    assert again.json == copied
    assert client.post("/api/v1/formdefs", json=copied, headers=admin).status_code == 409


def test_the_slug_of_a_definition_stays(client, catalogue, admin) -> None:
    path = "/api/v1/formdefs/sperrmuell-anmeldung/versions"
    renamed = CATALOGUE["sperrmuell-anmeldung"] | {"slug": "anders"}

    assert pointers(client.post(path, json=renamed, headers=admin)) == {
        "/slug": "der Kurzname muss 'sperrmuell-anmeldung' bleiben"
    }


BAD_DEFINITIONS = {
    "unknown field type": (
        document(field("a", "text"), field("b", "colour")),
        "/steps/0/fields/1/type",
        '"colour" ist keiner der Werte ["text", "textarea",',
    ),
    "condition on a missing field": (
        document(field("a", "text", show_if={"field": "nope", "op": "answered"})),
        "/steps/0/fields/0/show_if/field",
        "unbekanntes Feld 'nope'",
    ),
    "fee amount in euros": (
        document(
            field("a", "text"),
            fees=[{"id": "f", "type": "fixed", "label": TEXT, "amount": 30.7}],
        ),
        "/fees/0/amount",
        '30.7 ist nicht vom Typ "integer"',
    ),
    "cycle of conditions": (
        document(
            field("a", "yesno", show_if={"field": "b", "op": "is_true"}),
            field("b", "yesno", show_if={"not": {"field": "a", "op": "is_false"}}),
        ),
        "/steps/0/fields/0/show_if",
        "die Bedingungen bilden einen Kreis: a -> b -> a",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_DEFINITIONS))
def test_a_bad_definition_is_a_422_naming_the_path(client, app, admin, case) -> None:
    bad, pointer, detail = BAD_DEFINITIONS[case]

    for path in ("/api/v1/formdefs", "/api/v1/formdefs/validate"):
        answer = client.post(path, json=bad, headers=admin)
        assert answer.status_code == 422, (path, answer.json)
        assert detail in pointers(answer)[pointer]
        assert answer.json["detail"] == "Die Formulardefinition hat 1 Fehler."
    assert client.get("/api/v1/formdefs", headers=admin).json == []


def test_the_problems_of_a_definition_are_named_in_the_callers_language(client, admin) -> None:
    bad = document(
        field("a", "text", show_if={"field": "nope", "op": "answered", "value": 1}),
        field("b", "text", min_length=5, max_length=2.5, pattern="("),
    )

    def checked(language: str):
        refresh()  # the test's app context outlives requests, and with it Flask-Babel's locale
        headers = admin | {"Accept-Language": language}
        return client.post("/api/v1/formdefs/validate", json=bad, headers=headers)

    assert pointers(checked("en")) == {
        "/steps/0/fields/0/show_if": 'the property "value" is not allowed here',
        "/steps/0/fields/1/max_length": '2.5 is not of type "integer"',
    }
    assert pointers(checked("de")) == {
        "/steps/0/fields/0/show_if": 'die Eigenschaft "value" ist hier nicht erlaubt',
        "/steps/0/fields/1/max_length": '2.5 ist nicht vom Typ "integer"',
    }
    del bad["steps"][0]["fields"][0]["show_if"]["value"]
    bad["steps"][0]["fields"][1]["max_length"] = 2
    answer = checked("en")
    assert answer.json["detail"] == "The form definition has 3 problems."
    assert pointers(answer) == {
        "/steps/0/fields/0/show_if/field": "unknown field 'nope'",
        "/steps/0/fields/1/min_length": "min_length is greater than max_length",
        "/steps/0/fields/1/pattern": (
            "the regular expression does not compile: missing ), unterminated subpattern "
            "at position 0"
        ),
    }
    assert pointers(checked("de")) == {
        "/steps/0/fields/0/show_if/field": "unbekanntes Feld 'nope'",
        "/steps/0/fields/1/min_length": "min_length ist größer als max_length",
        "/steps/0/fields/1/pattern": (
            "der reguläre Ausdruck ist ungültig: missing ), unterminated subpattern at position 0"
        ),
    }


@pytest.mark.parametrize("case", sorted(BAD_DEFINITIONS))
def test_a_draft_is_not_replaced_by_a_bad_definition(client, app, admin, case) -> None:
    good = document(field("a", "text"), field("b", "yesno"))
    assert client.post("/api/v1/formdefs", json=good, headers=admin).status_code == 201
    bad, pointer, _detail = BAD_DEFINITIONS[case]

    etag = client.get("/api/v1/formdefs/test-form/versions/1", headers=admin).headers["ETag"]
    answer = client.put(
        "/api/v1/formdefs/test-form/versions/1", json=bad, headers=admin | {"If-Match": etag}
    )

    assert answer.status_code == 422
    assert pointer in pointers(answer)
    assert client.get("/api/v1/formdefs/test-form/versions/1", headers=admin).json == good


def test_validate_saves_nothing(client, app, admin) -> None:
    good = document(field("zone", "select", options=options("a", "b")))

    answer = client.post("/api/v1/formdefs/validate", json=good, headers=admin)

    assert (answer.status_code, answer.json) == (200, {"valid": True})
    assert client.get("/api/v1/formdefs", headers=admin).json == []


@pytest.mark.parametrize(
    "body",
    [
        {"data": "{not json", "content_type": "application/json"},
        {"data": "slug=x", "content_type": "application/x-www-form-urlencoded"},
        {},
    ],
)
def test_a_body_that_is_not_json_is_a_400(client, app, admin, body) -> None:
    for path in ("/api/v1/formdefs", "/api/v1/formdefs/validate"):
        answer = client.post(path, headers=admin, **body)
        assert answer.status_code == 400, answer.get_data(as_text=True)
        assert answer.mimetype == PROBLEM
        assert "JSON" in answer.json["detail"]


def test_a_document_that_is_no_object_is_a_422(client, app, admin) -> None:
    answer = client.post("/api/v1/formdefs/validate", json=["a"], headers=admin)

    assert answer.status_code == 422
    assert answer.json["errors"]


ADMIN_REQUESTS = [
    ("GET", "/api/v1/formdefs"),
    ("POST", "/api/v1/formdefs"),
    ("POST", "/api/v1/formdefs/validate"),
    ("GET", "/api/v1/formdefs/gewerbeanmeldung"),
    ("POST", "/api/v1/formdefs/gewerbeanmeldung/versions"),
    ("GET", "/api/v1/formdefs/gewerbeanmeldung/versions/1"),
    ("PUT", "/api/v1/formdefs/gewerbeanmeldung/versions/1"),
    ("POST", "/api/v1/formdefs/gewerbeanmeldung/versions/1/publish"),
    ("POST", "/api/v1/formdefs/gewerbeanmeldung/versions/1/retire"),
]


@pytest.mark.parametrize(("method", "path"), ADMIN_REQUESTS)
def test_without_a_token_the_catalogue_is_a_401(client, catalogue, method, path) -> None:
    answer = client.open(path, method=method, json=CATALOGUE["gewerbeanmeldung"])

    assert answer.status_code == 401
    assert answer.mimetype == PROBLEM
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("endpoint", ADMIN_REQUESTS)
@pytest.mark.parametrize("role", ["citizen", "clerk", "tenant_admin"])
def test_only_association_admins_manage_the_catalogue(client, app, catalogue, endpoint, role):
    method, path = endpoint
    token = bearer(dev_token(app, "--role", role))

    answer = client.open(path, method=method, json=CATALOGUE["gewerbeanmeldung"], headers=token)

    assert answer.status_code == 403
    assert answer.mimetype == PROBLEM
    assert service.published_version(service.get_definition("gewerbeanmeldung")).number == 1


def test_the_json_schema_is_public(client) -> None:
    answer = client.get("/api/v1/formdefs/schema.json")

    assert answer.status_code == 200
    assert answer.mimetype == "application/schema+json"
    assert answer.json["properties"]["slug"]["pattern"]
    assert "steps" in answer.json["required"]


def test_the_openapi_document_describes_the_endpoints(client) -> None:
    spec = client.get("/api/v1/openapi.json").json
    paths = spec["paths"]

    for path in (
        "/api/v1/formdefs",
        "/api/v1/formdefs/validate",
        "/api/v1/formdefs/schema.json",
        "/api/v1/formdefs/{definition_slug}",
        "/api/v1/formdefs/{definition_slug}/versions",
        "/api/v1/formdefs/{definition_slug}/versions/{number}",
        "/api/v1/formdefs/{definition_slug}/versions/{number}/publish",
        "/api/v1/formdefs/{definition_slug}/versions/{number}/retire",
        "/api/v1/tenants/{tenant_slug}/forms",
        "/api/v1/tenants/{tenant_slug}/forms/{form_slug}",
    ):
        assert path in paths, path
    put = paths["/api/v1/formdefs/{definition_slug}/versions/{number}"]["put"]
    assert {"401", "403", "404", "409", "422"} <= set(put["responses"])
    assert put["security"] == [{"bearer": []}]
    assert "requestBody" in paths["/api/v1/formdefs"]["post"]
    assert {"200", "401", "404", "422"} <= set(
        paths["/api/v1/tenants/{tenant_slug}/forms/{form_slug}"]["put"]["responses"]
    )


# --- what a tenant offers ---------------------------------------------------------------


@pytest.fixture
def tenants(create_tenant, catalogue):
    return (
        create_tenant(
            "musterstadt", "Gemeinde Musterstadt", contact_email="post@musterstadt.example"
        ),
        create_tenant(
            "beispieldorf", "Gemeinde Beispieldorf", contact_email="post@beispieldorf.example"
        ),
    )


@pytest.fixture
def tenant_admin(app) -> dict[str, str]:
    return bearer(dev_token(app, "--role", "tenant_admin", "--tenant", "musterstadt"))


FORM = "/api/v1/tenants/musterstadt/forms/gewerbeanmeldung"


@pytest.mark.sqlite
def test_a_tenant_admin_offers_a_form_with_its_own_fee(client, tenants, tenant_admin) -> None:
    assert "Gewerbeanmeldung" not in client.get("/t/musterstadt/").get_data(as_text=True)

    answer = client.put(FORM, json={"fee_overrides": {"gebuehr": 3500}}, headers=tenant_admin)

    assert answer.status_code == 200, answer.json
    assert answer.json["form"] == "gewerbeanmeldung"
    assert answer.json["version"] == 1
    assert answer.json["fee_overrides"] == {"gebuehr": 3500}
    assert answer.json["delivery_targets"] == []
    rule = answer.json["fees"][0]
    assert (rule["id"], rule["amount"], rule["overridable"], rule["min"], rule["max"]) == (
        "gebuehr",
        2600,
        True,
        1000,
        6500,
    )
    page = client.get("/t/musterstadt/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Gewerbeanmeldung" in page
    assert "35,00\xa0€" in page
    assert "Gewerbeanmeldung" not in client.get("/t/beispieldorf/").get_data(as_text=True)
    listed = client.get("/api/v1/tenants/musterstadt/forms", headers=tenant_admin)
    assert [(f["form"], f["fee_overrides"]) for f in listed.json] == [
        ("gewerbeanmeldung", {"gebuehr": 3500})
    ]


def test_a_tenant_admin_chooses_the_delivery_targets_and_withdraws_the_form(
    client, tenants, tenant_admin
) -> None:
    for name in ("dms", "postfach"):
        config = {"address": "gewerbe@musterstadt.example"}
        made = client.put(
            f"/api/v1/tenants/musterstadt/delivery/targets/{name}",
            json={"kind": "mailbox", "config": config},
            headers=tenant_admin,
        )
        assert made.status_code == 200, made.json
    answer = client.put(FORM, json={"delivery_targets": ["postfach", "dms"]}, headers=tenant_admin)
    assert answer.json["delivery_targets"] == ["postfach", "dms"]
    assert answer.json["fee_overrides"] == {}

    withdrawn = client.delete(FORM, headers=tenant_admin)

    assert withdrawn.status_code == 204
    assert "Gewerbeanmeldung" not in client.get("/t/musterstadt/").get_data(as_text=True)
    assert client.get("/api/v1/tenants/musterstadt/forms", headers=tenant_admin).json == []
    again = client.delete(FORM, headers=tenant_admin)
    assert (again.status_code, again.mimetype) == (404, PROBLEM)


@pytest.mark.parametrize(
    ("overrides", "pointer"),
    [
        ({"gebuehr": 35.5}, "/fee_overrides/gebuehr"),
        ({"gebuehr": 35.0}, "/fee_overrides/gebuehr"),
        ({"gebuehr": "3500"}, "/fee_overrides/gebuehr"),
        ({"gebuehr": 999_999}, "/fee_overrides/gebuehr"),
        ({"gebuehr": 10}, "/fee_overrides/gebuehr"),
        ({"porto": 100}, "/fee_overrides/porto"),
    ],
)
def test_a_bad_fee_override_is_a_422_naming_the_rule(
    client, tenants, tenant_admin, overrides, pointer
) -> None:
    answer = client.put(FORM, json={"fee_overrides": overrides}, headers=tenant_admin)

    assert answer.status_code == 422
    found = pointers(answer)
    assert list(found) == [pointer]
    rule = pointer.rsplit("/", 1)[1]
    assert rule in found[pointer]
    assert client.get("/api/v1/tenants/musterstadt/forms", headers=tenant_admin).json == []


def test_a_bad_offer_is_a_422(client, tenants, tenant_admin) -> None:
    nowhere = client.put(FORM, json={"delivery_targets": ["ftp"]}, headers=tenant_admin)
    assert nowhere.status_code == 422
    assert "'ftp'" in pointers(nowhere)["/delivery_targets"]
    unknown = client.put(FORM, json={"fee": 100}, headers=tenant_admin)
    assert unknown.status_code == 422
    assert "/fee" in pointers(unknown)
    nothing = client.put(FORM, data="x", content_type="text/plain", headers=tenant_admin)
    assert nothing.status_code == 400
    assert nothing.mimetype == PROBLEM


def test_an_unknown_form_is_a_404(client, tenants, tenant_admin) -> None:
    answer = client.put("/api/v1/tenants/musterstadt/forms/nothing", json={}, headers=tenant_admin)
    assert (answer.status_code, answer.mimetype) == (404, PROBLEM)


def test_another_tenants_admin_gets_404(client, tenants, tenant_admin) -> None:
    musterstadt, beispieldorf = tenants
    for method, body in (("PUT", {"fee_overrides": {"gebuehr": 3000}}), ("DELETE", None)):
        assert_other_tenant_gets_404(
            client,
            FORM,
            owner=musterstadt,
            other=beispieldorf,
            method=method,
            json=body,
            headers=tenant_admin,
        )
    assert_other_tenant_gets_404(
        client,
        "/api/v1/tenants/musterstadt/forms",
        owner=musterstadt,
        other=beispieldorf,
        headers=tenant_admin,
    )


@pytest.mark.parametrize("role", ["citizen", "clerk"])
def test_citizens_and_clerks_get_404_and_nobody_401(client, app, tenants, role) -> None:
    token = bearer(dev_token(app, "--role", role))
    for method in ("GET", "PUT", "DELETE"):
        path = FORM if method != "GET" else "/api/v1/tenants/musterstadt/forms"
        assert client.open(path, method=method, json={}, headers=token).status_code == 404
        anonymous = client.open(path, method=method, json={})
        assert (anonymous.status_code, anonymous.mimetype) == (401, PROBLEM)


def test_association_admins_manage_every_tenants_offer(client, tenants, admin) -> None:
    for slug in ("musterstadt", "beispieldorf"):
        path = f"/api/v1/tenants/{slug}/forms/hundesteuer-anmeldung"
        assert client.put(path, json={}, headers=admin).status_code == 200
    assert client.get("/api/v1/tenants/beispieldorf/forms", headers=admin).json[0]["form"] == (
        "hundesteuer-anmeldung"
    )


def test_offers_are_audited_without_personal_data(client, tenants, tenant_admin) -> None:
    client.put(FORM, json={"fee_overrides": {"gebuehr": 3500}}, headers=tenant_admin)
    client.delete(FORM, headers=tenant_admin)

    log = client.get("/api/v1/tenants/musterstadt/audit-log", headers=tenant_admin).json

    deactivated, activated = log[0], log[1]
    assert (deactivated["action"], deactivated["object_id"]) == (
        "form.deactivated",
        "gewerbeanmeldung",
    )
    assert activated["action"] == "form.activated"
    assert activated["details"] == {"fee_overrides": {"gebuehr": 3500}, "delivery": []}
    assert activated["actor_id"]
    assert activated["actor_id"] == deactivated["actor_id"]
    assert "@" not in str(log)


def test_editing_a_draft_needs_the_etag_it_was_read_with(client, admin) -> None:
    first = document(field("a", "text"))
    assert client.post("/api/v1/formdefs", json=first, headers=admin).status_code == 201
    url = "/api/v1/formdefs/test-form/versions/1"
    etag = client.get(url, headers=admin).headers["ETag"]
    mine = first | {"title": {"de": "Meins", "en": "Mine"}}
    theirs = first | {"title": {"de": "Ihres", "en": "Theirs"}}

    assert client.put(url, json=mine, headers=admin).status_code == 428
    assert client.put(url, json=mine, headers=admin | {"If-Match": etag}).status_code == 200
    stale = client.put(url, json=theirs, headers=admin | {"If-Match": etag})
    assert stale.status_code == 412
    assert stale.mimetype == "application/problem+json"
    assert client.get(url, headers=admin).json["title"]["en"] == "Mine"
