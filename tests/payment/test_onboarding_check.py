"""Payment's item on the onboarding checklist and its page in the tenant admin's navigation."""

from __future__ import annotations

from amtsweg.platform.db import db, tenant_scope
from amtsweg.tenants import onboarding
from amtsweg.tenants import service as tenants
from tests.payment.conftest import connect_sandbox


def _payment_item(tenant) -> onboarding.ChecklistItem:
    (item,) = [i for i in onboarding.run_checklist(tenant) if i.check.key == "payment"]
    return item


def test_a_connected_provider_passes_the_recommended_payment_item(app) -> None:
    tenant = tenants.create_tenant("kleinheim", "Gemeinde Kleinheim", "KLH", live=False)
    db.session.commit()
    with tenant_scope(tenant.id):
        missing = _payment_item(tenant)
        assert not missing.result.passed
        assert not missing.check.required
        assert missing.result.fix_endpoint == "payment_staff.admin"
        connect_sandbox(tenant)
        db.session.commit()
        assert _payment_item(tenant).result.passed


def test_the_payment_page_is_in_the_tenant_admins_navigation(client, log_in, app) -> None:
    tenants.create_tenant("kleinheim", "Gemeinde Kleinheim", "KLH", live=False)
    db.session.commit()
    log_in("association-admin")
    page = client.get("/t/kleinheim/admin/", headers={"Accept-Language": "de"})
    assert 'href="/t/kleinheim/admin/payment/"' in page.get_data(as_text=True)
