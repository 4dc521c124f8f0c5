"""Fixtures for payments: a municipality offering a form with a fee due online, its
provider accounts, and a citizen who fills the form in through the HTML journey."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from amtsweg.formdefs import service as formdefs
from amtsweg.payment import service
from amtsweg.platform.db import db, tenant_scope
from amtsweg.tenants.models import Tenant
from tests.login import csrf_token, local
from tests.submissions.html_forms import step_values

WEBHOOK_SECRET = "whsec_sandbox_0123456789abcdef"
FEE_CENTS = 3070

PARKING_PERMIT = {
    "schema_version": 1,
    "slug": "parkausweis-gebuehr",
    "title": {"de": "Bewohnerparkausweis (Gebühr)", "en": "Residents' parking permit (fee)"},
    "description": {"de": "Ein Ausweis mit Gebühr.", "en": "A permit with a fee."},
    "trust_level": "basic",
    "retention_days": 30,
    "privacy_notice": {"de": "Für den Ausweis.", "en": "For the permit."},
    "declaration": {"de": "Alles ist richtig.", "en": "All is correct."},
    "steps": [
        {
            "id": "fahrzeug",
            "title": {"de": "Fahrzeug", "en": "Vehicle"},
            "fields": [
                {
                    "id": "kennzeichen",
                    "type": "text",
                    "label": {"de": "Kennzeichen", "en": "Registration number"},
                    "required": True,
                    "max_length": 20,
                }
            ],
        }
    ],
    "fees": [
        {
            "id": "gebuehr",
            "type": "fixed",
            "label": {"de": "Gebühr", "en": "Fee"},
            "amount": 2500,
            "overridable": True,
            "min": 1000,
            "max": 36000,
        }
    ],
}
FORM = PARKING_PERMIT["slug"]
IBAN = "DE02120300000000202051"
BIC = "BYLADEM1001"


def offer_fee_form(tenant: Tenant) -> None:
    """The form, with the tenant's override of the fee (so the amount is the tenant's)."""
    definition = formdefs.find_definition(FORM)
    if definition is None:
        formdefs.publish(formdefs.create_definition(PARKING_PERMIT))
        definition = formdefs.get_definition(FORM)
    formdefs.activate_form(tenant, definition, fee_overrides={"gebuehr": FEE_CENTS})


def connect_sandbox(tenant: Tenant, secret: str = WEBHOOK_SECRET, **settings: str) -> None:
    with tenant_scope(tenant.id):
        service.connect_account(tenant, "sandbox", {"webhook_secret": secret, **settings})
        service.connect_account(
            tenant,
            "banktransfer",
            {"account_holder": f"Stadtkasse {tenant.name}", "iban": IBAN, "bic": BIC},
        )


def _fee_tenant(create_tenant, slug: str, name: str, contact_email: str) -> Tenant:
    """A municipality offering the fee form with a sandbox account."""
    tenant = create_tenant(slug, name, contact_email=contact_email)
    with tenant_scope(tenant.id):
        offer_fee_form(tenant)
    connect_sandbox(tenant)
    db.session.commit()
    return tenant


@pytest.fixture
def musterstadt(app, create_tenant) -> Tenant:
    return _fee_tenant(create_tenant, "musterstadt", "Gemeinde Musterstadt", "rat@m.example")


@pytest.fixture
def apply_and_submit(client: FlaskClient, log_in) -> Callable[..., TestResponse]:
    """Erika fills the fee form in and submits it; returns the answer to the submit."""

    def apply(tenant_slug: str = "musterstadt", plate: str = "M-AB 123") -> TestResponse:
        log_in("erika")
        started = client.get(f"/t/{tenant_slug}/forms/{FORM}/apply")
        assert started.status_code == 302, started.get_data(as_text=True)
        step = client.get(local(started.headers["Location"]))
        url, values = step_values(step.get_data(as_text=True))
        values.setlist("kennzeichen", [plate])
        values.setlist("_action", ["continue"])
        to_summary = client.post(url, data=values)
        assert to_summary.status_code == 302, to_summary.get_data(as_text=True)
        summary_url = local(to_summary.headers["Location"])
        summary = client.get(summary_url)
        return client.post(
            summary_url, data={"csrf_token": csrf_token(summary), "declaration": "yes"}
        )

    return apply


@pytest.fixture
def nachbarort(app, create_tenant) -> Tenant:
    """A second municipality like Musterstadt."""
    return _fee_tenant(create_tenant, "nachbarort", "Gemeinde Nachbarort", "amt@n.example")
