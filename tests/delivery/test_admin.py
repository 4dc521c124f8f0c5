"""Tenant admins configure targets and test them; staff see attempts and re-deliver."""

from __future__ import annotations

import pytest

from amtsweg.delivery import service as delivery
from amtsweg.formdefs import service as formdefs
from amtsweg.platform.db import db
from amtsweg.tenants import service as tenants
from tests.delivery.conftest import submit, sweep, time_passes
from tests.isolation import assert_other_tenant_gets_404
from tests.login import csrf_token
from tests.platform.test_bearer_tokens import dev_token

PROBLEM = "application/problem+json"
API = "/api/v1/tenants/musterstadt/delivery"
PAGES = "/t/musterstadt/admin/delivery"


def bearer(app, role: str, tenant: str = "musterstadt") -> dict[str, str]:
    return {"Authorization": f"Bearer {dev_token(app, '--role', role, '--tenant', tenant)}"}


@pytest.fixture
def admin(app, musterstadt) -> dict[str, str]:
    return bearer(app, "tenant_admin")


@pytest.fixture
def clerk(app, musterstadt) -> dict[str, str]:
    return bearer(app, "clerk")


def test_without_a_token_nothing_is_read_or_changed(client, musterstadt) -> None:
    for method, path in (("GET", "/targets"), ("PUT", "/targets/x"), ("POST", "/targets/x/test")):
        answer = client.open(API + path, method=method, data="{not json", content_type="text/x")
        assert (answer.status_code, answer.mimetype) == (401, PROBLEM)


def test_an_admin_configures_a_webhook_and_its_secret_stays_secret(client, admin) -> None:
    config = {"url": "https://fach.musterstadt.example/eingang", "secret": "s" * 20}
    made = client.put(
        f"{API}/targets/fachverfahren", json={"kind": "webhook", "config": config}, headers=admin
    )
    assert made.status_code == 200, made.json
    assert made.json["config"] == {"url": config["url"], "secret": "********"}

    moved = {"url": "https://neu.musterstadt.example/eingang", "secret": "********"}
    again = client.put(
        f"{API}/targets/fachverfahren", json={"kind": "webhook", "config": moved}, headers=admin
    )
    assert again.json["config"]["url"] == moved["url"]
    log = client.get("/api/v1/tenants/musterstadt/audit-log", headers=admin).json
    assert log[0]["action"] == "delivery.target_saved"
    assert "s" * 20 not in str(log)
    stored = delivery.find_target(tenants.get_tenant("musterstadt"), "fachverfahren")
    assert delivery.settings_of(stored)["secret"] == "s" * 20


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"kind": "mailbox", "config": {"address": "kein-postfach"}}, "/config/address"),
        (
            {"kind": "webhook", "config": {"url": "http://fach.example/", "secret": "x" * 20}},
            "/config/url",
        ),
        (
            {"kind": "webhook", "config": {"url": "https://fach.example/", "secret": "kurz"}},
            "/config/secret",
        ),
        ({"kind": "cmis", "config": {"url": "https://dms.example/browser/r"}}, "/config/username"),
        ({"kind": "ftp", "config": {}}, "/kind"),
        ({"kind": "folder", "config": {"directory": "/etc"}}, "/config/directory"),
    ],
)
def test_a_bad_target_is_a_422_pointing_at_the_setting(client, admin, body, pointer) -> None:
    answer = client.put(f"{API}/targets/ziel", json=body, headers=admin)
    assert (answer.status_code, answer.mimetype) == (422, PROBLEM)
    assert pointer in [error["pointer"] for error in answer.json["errors"]]
    assert client.get(f"{API}/targets", headers=admin).json == []


def test_other_tenants_and_clerks_cannot_configure(
    client, admin, clerk, musterstadt, create_tenant
) -> None:
    beispieldorf = create_tenant("beispieldorf")
    client.put(
        f"{API}/targets/ablage",
        json={"kind": "folder"},
        headers=bearer(client.application, "tenant_admin", "beispieldorf"),
    )
    for method, body in (("GET", None), ("PUT", {"kind": "folder"}), ("DELETE", None)):
        client.put(f"{API}/targets/ablage", json={"kind": "folder"}, headers=admin)
        assert_other_tenant_gets_404(
            client,
            f"{API}/targets/ablage",
            owner=musterstadt,
            other=beispieldorf,
            method=method,
            json=body,
            headers=admin,
        )
    assert client.get(f"{API}/targets", headers=clerk).status_code == 404
    assert client.put(f"{API}/targets/x", json={"kind": "folder"}, headers=clerk).status_code == 404


def test_a_test_delivery_says_whether_it_arrived(client, admin, settings, cmis_repository):
    client.put(f"{API}/targets/ablage", json={"kind": "folder"}, headers=admin)
    wrong = {
        "url": cmis_repository.repository_url,
        "username": cmis_repository.username,
        "password": "falsch",
    }
    client.put(f"{API}/targets/dms", json={"kind": "cmis", "config": wrong}, headers=admin)

    folder = client.post(f"{API}/targets/ablage/test", headers=admin)
    dms = client.post(f"{API}/targets/dms/test", headers=admin)

    assert folder.json == {"ok": True, "error": None}
    [written] = (settings.deliveries_dir / "musterstadt").iterdir()
    assert written.name.startswith("TEST-")
    assert dms.json["ok"] is False
    assert "401" in dms.json["error"]


@pytest.fixture
def dead_delivery(client, admin, musterstadt, erika, cmis_repository):
    """A submission whose only target, a DMS answering 500, gave up after its retries."""
    config = {
        "url": cmis_repository.repository_url,
        "username": cmis_repository.username,
        "password": cmis_repository.password,
    }
    client.put(
        f"{API}/targets/dms",
        json={"kind": "cmis", "config": config, "default": True},
        headers=admin,
    )
    cmis_repository.fail_next(7, status=500)
    submission = submit(musterstadt, erika)
    for _retry in range(6):
        time_passes()
        sweep(client.application)
    return submission


def test_staff_see_the_attempts_and_send_a_dead_delivery_again_once(
    client, admin, clerk, dead_delivery, cmis_repository
) -> None:
    path = f"{API}/submissions/{dead_delivery.reference}"

    [state] = client.get(path, headers=clerk).json
    assert (state["target"], state["status"], state["attempts"]) == ("dms", "dead", 7)
    assert [a["outcome"] for a in state["history"]] == ["retry"] * 6 + ["dead"]
    assert "500" in state["history"][0]["error"]

    again = client.post(f"{path}/dms/redeliver", headers=clerk)
    assert again.status_code == 202, again.json
    db.session.expire_all()
    [state] = client.get(path, headers=clerk).json
    assert (state["status"], state["attempts"]) == ("done", 1)
    assert len(cmis_repository.documents()) == 2
    twice = client.post(f"{path}/dms/redeliver", headers=clerk)
    assert (twice.status_code, twice.mimetype) == (409, PROBLEM)
    assert len(cmis_repository.documents()) == 2
    log = client.get("/api/v1/tenants/musterstadt/audit-log", headers=admin).json
    assert [e["action"] for e in log].count("delivery.redelivered") == 1


# --- pages -------------------------------------------------------------------


def test_an_admin_adds_a_target_on_the_pages(client, log_in, musterstadt) -> None:
    log_in("admin-musterstadt", next_url=f"{PAGES}/")
    page = client.get(f"{PAGES}/")
    assert page.status_code == 200
    form = client.get(f"{PAGES}/new", query_string={"name": "postfach", "kind": "mailbox"})
    edit = client.get(form.headers["Location"])
    assert 'id="config-address"' in edit.get_data(as_text=True)

    bad = client.post(
        form.headers["Location"],
        data={"csrf_token": csrf_token(edit), "config-address": "kein", "enabled": "on"},
    )
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert 'href="#config-address"' in text
    assert 'aria-invalid="true"' in text

    good = client.post(
        form.headers["Location"],
        data={
            "csrf_token": csrf_token(edit),
            "config-address": "a@musterstadt.example",
            "config-attach_xlsx": "on",
            "enabled": "on",
            "default": "on",
        },
    )
    assert good.status_code == 302
    listed = client.get(f"{PAGES}/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "postfach" in listed
    assert '<td class="kern-table__cell">Funktionspostfach (E-Mail)</td>' in listed
    assert '<option value="folder">Ordner auf dem Server</option>' in listed
    saved = delivery.find_target(musterstadt, "postfach").config
    assert (saved["attach_csv"], saved["attach_xlsx"]) == (False, True)
    shown = client.get(f"{PAGES}/targets/postfach").get_data(as_text=True)
    assert "Gemeinde Musterstadt · Funktionspostfach (E-Mail)" in shown
    assert 'type="checkbox" id="config-attach_xlsx" name="config-attach_xlsx" checked' in shown
    assert 'type="checkbox" id="config-attach_csv" name="config-attach_csv">' in shown


def test_a_clerk_sees_a_submissions_deliveries_but_not_the_settings(
    client, log_in, musterstadt, erika, settings
) -> None:
    delivery.save_target(musterstadt, "ablage", "folder", {}, default=True)
    db.session.commit()
    submission = submit(musterstadt, erika)
    log_in("clerk-musterstadt", next_url=f"{PAGES}/")

    page = client.get(f"{PAGES}/submissions/{submission.reference}")
    assert page.status_code == 200
    assert "ablage (Ordner auf dem Server)</h2>" in page.get_data(as_text=True)
    assert client.get(f"{PAGES}/").status_code == 404


def test_metrics_count_deliveries_by_target_and_outcome(client, dead_delivery) -> None:
    text = client.get("/metrics").get_data(as_text=True)
    assert 'amtsweg_deliveries_total{kind="cmis",outcome="dead"} 1.0' in text
    assert 'amtsweg_deliveries_dead{kind="cmis",target="dms",tenant="musterstadt"} 1.0' in text
    assert 'amtsweg_outbox_dead{kind="delivery"} 1.0' in text


def test_a_target_a_form_delivers_to_cannot_be_deleted(client, admin, log_in, musterstadt) -> None:
    delivery.save_target(musterstadt, "postfach", "mailbox", {"address": "a@musterstadt.example"})
    formdefs.activate_form(
        musterstadt,
        formdefs.get_definition("fundsache-verlustmeldung"),
        delivery_targets=["postfach"],
    )
    db.session.commit()

    refused = client.delete(f"{API}/targets/postfach", headers=admin)
    assert (refused.status_code, refused.mimetype) == (409, PROBLEM)
    assert "fundsache-verlustmeldung" in refused.json["detail"]
    log_in("admin-musterstadt", next_url=f"{PAGES}/")
    edit = client.get(f"{PAGES}/targets/postfach")
    page = client.post(f"{PAGES}/targets/postfach/delete", data={"csrf_token": csrf_token(edit)})
    assert page.status_code == 409
    assert "fundsache-verlustmeldung" in page.get_data(as_text=True)
    assert client.get(f"{API}/targets/postfach", headers=admin).status_code == 200

    formdefs.activate_form(musterstadt, formdefs.get_definition("fundsache-verlustmeldung"))
    db.session.commit()
    assert client.delete(f"{API}/targets/postfach", headers=admin).status_code == 204
