"""Fixtures for the citizen journey: a municipality offering catalogue forms, citizens."""

from __future__ import annotations

import pytest

from amtsweg.formdefs import service as formdefs
from amtsweg.platform.db import db, tenant_scope
from amtsweg.tenants import service as tenants

ERIKA_CLAIMS = {
    "given_name": "Erika",
    "family_name": "Mustermann",
    "birthdate": "1964-08-12",
    "email": "erika@example.org",
    "address": {
        "street_address": "Heidestraße 17",
        "postal_code": "51147",
        "locality": "Köln",
        "country": "DE",
    },
}


@pytest.fixture
def musterstadt(app, create_tenant):
    """Musterstadt offering the whole catalogue; the test works in its scope, as a job would."""
    formdefs.load_catalogue()
    tenant = create_tenant("musterstadt", "Gemeinde Musterstadt", contact_email="rat@m.example")
    with tenant_scope(tenant.id):
        for definition in formdefs.list_definitions():
            formdefs.activate_form(tenant, definition)
        db.session.commit()
        yield tenant


@pytest.fixture
def erika(app):
    user = tenants.find_or_create_user("https://id.example", "erika", "Erika Mustermann")
    db.session.commit()
    return user


@pytest.fixture
def max_(app):
    user = tenants.find_or_create_user("https://id.example", "max", "Max Mustermann")
    db.session.commit()
    return user
