"""A municipality's online services as a public list, for the state portal and the
service directories to link: what it offers, by which keys, at which login and fee."""

from __future__ import annotations

from amtsweg.formdefs import service as formdefs
from amtsweg.platform.db import db, tenant_scope
from amtsweg.tenants import service as tenants
from tests.submissions.conftest import musterstadt  # noqa: F401 - a fixture

FEED = "/api/v1/tenants/musterstadt/services"


def test_a_portal_reads_which_services_start_where(app, client, musterstadt) -> None:  # noqa: F811
    answer = client.get(FEED)

    assert answer.status_code == 200
    services = {service["form"]: service for service in answer.json}
    assert set(services) == {form.slug for form in formdefs.offered_forms(musterstadt)}
    lost = services["fundsache-verlustmeldung"]
    assert lost["url"] == "http://localhost:5000/t/musterstadt/forms/fundsache-verlustmeldung/"
    assert client.get(lost["url"].removeprefix("http://localhost:5000")).status_code == 200
    assert lost["title"]["de"] == "Verlust einer Sache melden (Fundbüro)"
    assert lost["fee"] == {"kind": "free", "amount": 0}
    assert (lost["leika_id"], lost["trust_level"]) == (None, "none")
    assert services["bewohnerparkausweis"]["fee"] == {"kind": "fixed", "amount": 3070}
    assert services["baumfaellung-antrag"]["fee"] == {"kind": "from", "amount": 5000}
    assert services["hundesteuer-anmeldung"]["fee"] == {"kind": "by_notice", "amount": 0}
    assert client.get(FEED.replace("musterstadt", "nirgendwo")).status_code == 404


def test_a_municipality_still_onboarding_lists_nothing(app, client, create_tenant) -> None:
    formdefs.load_catalogue()
    tenant = create_tenant("vorschau")
    tenant.live_since = None
    db.session.commit()

    answer = client.get("/api/v1/tenants/vorschau/services")

    assert (answer.status_code, answer.json) == (200, [])
    with tenant_scope(tenant.id):
        tenants.disable_tenant(tenant)
    db.session.commit()
    assert client.get("/api/v1/tenants/vorschau/services").status_code == 503
