"""Fixtures for the clerk's workplace: two municipalities, a submission of Erika's in one."""

from __future__ import annotations

import pytest

from amtsweg.formdefs import service as formdefs
from amtsweg.platform.db import db, tenant_scope
from tests.platform.test_bearer_tokens import dev_token
from tests.submissions import conftest as journey
from tests.submissions.test_api import FUND, HUNDE, dog, dog_tax_answers, fund_answers

musterstadt = journey.musterstadt
erika = journey.erika


@pytest.fixture
def beispieldorf(app, musterstadt, create_tenant):
    tenant = create_tenant("beispieldorf", "Gemeinde Beispieldorf", contact_email="rat@b.example")
    with tenant_scope(tenant.id):
        for definition in formdefs.list_definitions():
            formdefs.activate_form(tenant, definition)
        db.session.commit()
    return tenant


@pytest.fixture
def citizen_token(app, musterstadt):
    return {"Authorization": f"Bearer {dev_token(app, '--role', 'citizen')}"}


@pytest.fixture
def clerk_token(app, musterstadt):
    return {"Authorization": f"Bearer {dev_token(app, '--role', 'clerk')}"}


@pytest.fixture
def submit(app, client, musterstadt):
    """``submit()`` a lost-property report or ``submit("dogs")`` a dog-tax registration
    (with a token made at the time of submitting, so it works under a frozen clock)."""

    def make(kind: str = "fund", **changes):
        citizen_token = {"Authorization": f"Bearer {dev_token(app, '--role', 'citizen')}"}
        url, answers = (
            (HUNDE, dog_tax_answers(dog("Bello"), dog("=HYPERLINK(1)")))
            if kind == "dogs"
            else (FUND, fund_answers())
        )
        response = client.post(url, json={"answers": answers | changes}, headers=citizen_token)
        assert response.status_code == 201, response.json
        return response.json["reference"]

    return make


@pytest.fixture
def specialist_software(client, musterstadt):
    """The bearer header of Musterstadt's specialist software (client credentials)."""
    token = client.post(
        "/dev-idp/token",
        data={"grant_type": "client_credentials"},
        auth=("musterstadt-fachverfahren", "development-only-client-secret"),
    )
    assert token.status_code == 200, token.json
    return {"Authorization": f"Bearer {token.json['access_token']}"}
