"""Without ``AMTSWEG_DELIVERIES_DIR`` (production's default) no folder target can be set up:
in a container the app's own directory is read-only, and nobody would read it."""

from __future__ import annotations

import dataclasses

import pytest

from amtsweg.delivery import service as delivery
from amtsweg.platform.config import Settings
from amtsweg.platform.db import tenant_scope
from tests.delivery.test_admin import API, PAGES, bearer
from tests.login import csrf_token
from tests.platform.test_config import SAFE_PRODUCTION


@pytest.fixture
def client(make_app, settings, musterstadt):
    """Musterstadt delivered into a folder while the installation had one; now it has none."""
    with tenant_scope(musterstadt.id):
        delivery.save_target(musterstadt, "ablage", "folder", {}, default=True)
    no_folder = dataclasses.replace(settings, deliveries_dir=None)
    return make_app(settings=no_folder).test_client()


def test_production_has_no_folder_unless_the_operator_gives_one() -> None:
    assert Settings.from_env(SAFE_PRODUCTION).deliveries_dir is None
    given = Settings.from_env(SAFE_PRODUCTION | {"AMTSWEG_DELIVERIES_DIR": "/srv/ablage"})
    assert str(given.deliveries_dir) == "/srv/ablage"


def test_admins_are_not_offered_a_folder(app, client, musterstadt) -> None:
    admin = bearer(app, "tenant_admin")
    kinds = client.get(f"{API}/kinds", headers=admin).json
    assert [kind["kind"] for kind in kinds] == ["mailbox", "webhook", "cmis"]
    made = client.put(f"{API}/targets/neu", json={"kind": "folder", "config": {}}, headers=admin)
    assert made.status_code == 422
    assert [error["pointer"] for error in made.json["errors"]] == ["/kind"]
    assert delivery.find_target(musterstadt, "neu") is None


def test_the_pages_offer_no_folder_but_keep_the_old_target_editable(
    client, log_in, musterstadt
) -> None:
    log_in("admin-musterstadt", next_url=f"{PAGES}/")
    listing = client.get(f"{PAGES}/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert 'value="folder"' not in listing
    assert "Ordner auf dem Server" in listing  # the old target, still listed
    new = client.get(f"{PAGES}/new", query_string={"name": "neu", "kind": "folder"})
    assert new.headers["Location"].endswith(f"{PAGES}/")
    assert client.get(f"{PAGES}/targets/neu", query_string={"kind": "folder"}).status_code == 404
    old = client.get(f"{PAGES}/targets/ablage")
    assert old.status_code == 200
    disabled = client.post(f"{PAGES}/targets/ablage", data={"csrf_token": csrf_token(old)})
    assert disabled.status_code == 302
    assert delivery.find_target(musterstadt, "ablage").enabled is False


def test_a_test_delivery_to_the_old_target_says_why_it_fails(app, client) -> None:
    tested = client.post(f"{API}/targets/ablage/test", headers=bearer(app, "tenant_admin"))
    assert tested.status_code == 200
    assert tested.json == {
        "ok": False,
        "error": "This installation keeps no folder of deliveries (AMTSWEG_DELIVERIES_DIR).",
    }
