"""The tenant admin's forms page: offer catalogue forms, fees within bounds, a start-page note."""

from __future__ import annotations

import pytest

from amtsweg.formdefs import service
from amtsweg.platform.db import db, tenant_scope
from amtsweg.tenants import service as tenants
from tests.login import csrf_token

FORMS = "/t/kleinheim/admin/forms"
GERMAN = {"Accept-Language": "de"}


@pytest.fixture
def kleinheim(app):
    service.load_catalogue()
    tenant = tenants.create_tenant(
        "kleinheim",
        "Gemeinde Kleinheim",
        "KLH",
        tenants.Branding(contact_email="rathaus@kleinheim.example"),
        live=False,
    )
    db.session.commit()
    return tenant


@pytest.fixture
def admin(client, log_in, kleinheim):
    log_in("association-admin")
    return client


def _post(admin, **data):
    token = csrf_token(admin.get(FORMS))
    return admin.post(FORMS, data=data | {"csrf_token": token}, headers=GERMAN)


def test_only_the_tenants_admins_reach_the_page(client, log_in, kleinheim) -> None:
    assert client.get(FORMS).status_code == 302
    log_in("admin-musterstadt")  # an admin of another tenant
    assert client.get(FORMS).status_code == 404


def test_an_admin_offers_a_form_with_its_fee_and_a_note(admin, kleinheim) -> None:
    answer = _post(
        admin,
        definition="gewerbeanmeldung",
        action="offer",
        **{"fee-gebuehr": "35,50"},
        start_note="Sprechzeiten: Di 8 bis 12 Uhr.\n\nBitte Ausweis mitbringen.",
    )
    assert answer.status_code == 302
    with tenant_scope(kleinheim.id):
        offered = service.offered_form(kleinheim, "gewerbeanmeldung")
    assert offered.tenant_form.fee_overrides == {"gebuehr": 3550}
    start = admin.get("/t/kleinheim/forms/gewerbeanmeldung/").get_data(as_text=True)
    assert "35,50\xa0€" in start
    assert '<p class="kern-body">Bitte Ausweis mitbringen.</p>' in start


@pytest.mark.parametrize(
    ("fee", "message"), [("999", "höchstens 65,00"), ("zwölf", "in Euro ein, z. B. 26,50")]
)
def test_a_fee_outside_the_bounds_is_refused_and_nothing_is_offered(
    admin, kleinheim, fee, message
) -> None:
    answer = _post(admin, definition="gewerbeanmeldung", action="offer", **{"fee-gebuehr": fee})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert message in page
    assert 'href="#gewerbeanmeldung-gebuehr"' in page
    with tenant_scope(kleinheim.id):
        assert service.offered_forms(kleinheim) == []


def test_a_withdrawn_form_leaves_the_start_page(admin, kleinheim) -> None:
    _post(admin, definition="hundesteuer-anmeldung", action="offer")
    assert admin.get("/t/kleinheim/forms/hundesteuer-anmeldung/").status_code == 200
    _post(admin, definition="hundesteuer-anmeldung", action="withdraw")
    assert admin.get("/t/kleinheim/forms/hundesteuer-anmeldung/").status_code == 404
