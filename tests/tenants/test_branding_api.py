"""A tenant admin changes the municipality's branding and uploads its coat of arms."""

from __future__ import annotations

import pytest

from tests.images import png
from tests.isolation import assert_other_tenant_gets_404
from tests.platform.test_bearer_tokens import dev_token

PNG = png()


@pytest.fixture
def tenants(create_tenant):
    return create_tenant("musterstadt", "Gemeinde Musterstadt"), create_tenant("beispieldorf")


@pytest.fixture
def admin(app, tenants):
    return {"Authorization": f"Bearer {dev_token(app, '--role', 'tenant_admin')}"}


def test_a_tenant_admin_changes_the_branding(client, admin) -> None:
    before = client.get("/t/musterstadt/").get_data(as_text=True)
    assert "impressum" not in before
    assert "tel:" not in before
    changed = client.patch(
        "/api/v1/tenants/musterstadt/branding",
        json={
            "colour": "#00468C",
            "imprint_url": "https://musterstadt.example/impressum",
            "contact_phone": "+49 1234 5678-0",
        },
        headers=admin,
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["colour"] == "#00468c"
    page = client.get("/t/musterstadt/").get_data(as_text=True)  # the very next page shows it
    assert 'href="https://musterstadt.example/impressum"' in page
    assert 'href="tel:+4912345678-0">+49 1234 5678-0</a>' in page


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"colour": "#ffff00"}, "Kontrast"),
        ({"imprint_url": "javascript:alert(1)"}, "keine Webadresse"),
        ({"name": "Gemeinde Anders"}, None),
    ],
)
def test_branding_that_would_break_the_pages_is_refused(client, admin, change, words) -> None:
    refused = client.patch("/api/v1/tenants/musterstadt/branding", json=change, headers=admin)
    assert refused.status_code == 422
    assert refused.mimetype == "application/problem+json"
    if words:
        assert words in refused.json["detail"]
    assert client.get("/api/v1/tenants/musterstadt/branding", headers=admin).json["colour"] == (
        "#0b5394"
    )


def test_a_tenant_admin_uploads_the_coat_of_arms(client, admin) -> None:
    shown = '<img src="/t/musterstadt/coat-of-arms" alt="Wappen: Gemeinde Musterstadt">'
    assert shown not in client.get("/t/musterstadt/").get_data(as_text=True)
    uploaded = client.put(
        "/api/v1/tenants/musterstadt/branding/coat-of-arms",
        data=PNG,
        headers=admin | {"Content-Type": "image/png"},
    )
    assert uploaded.status_code == 204
    assert client.get("/t/musterstadt/coat-of-arms").data == PNG
    assert shown in client.get("/t/musterstadt/").get_data(as_text=True)
    html = client.put(
        "/api/v1/tenants/musterstadt/branding/coat-of-arms",
        data=b"<svg onload=alert(1)>",
        headers=admin | {"Content-Type": "image/png"},
    )
    assert html.status_code == 422
    truncated = client.put(
        "/api/v1/tenants/musterstadt/branding/coat-of-arms",
        data=PNG[: len(PNG) // 2],
        headers=admin | {"Content-Type": "image/png"},
    )
    assert truncated.status_code == 422
    assert "beschädigt" in truncated.json["detail"]
    assert client.get("/t/musterstadt/coat-of-arms").data == PNG


def test_another_tenants_admin_and_a_citizen_get_404(app, client, admin, tenants) -> None:
    musterstadt, beispieldorf = tenants
    assert_other_tenant_gets_404(
        client, "/api/v1/tenants/musterstadt/branding", owner=musterstadt, other=beispieldorf,
        headers=admin,
    )  # fmt: skip
    citizen = {"Authorization": f"Bearer {dev_token(app, '--role', 'citizen')}"}
    assert client.get("/api/v1/tenants/musterstadt/branding", headers=citizen).status_code == 404
