"""Payment's periodic work: settle payments whose citizen never came back, expire the rest.

``amtsweg worker`` runs :func:`poll_every_tenant` every
``AMTSWEG_PAYMENT_POLL_SECONDS`` (see ``platform/periodic.py``); ``amtsweg
payments poll`` runs it once (cron, or a system without a worker).
"""

from __future__ import annotations

from flask import current_app

from amtsweg.payment import service
from amtsweg.platform.db import db, tenant_scope
from amtsweg.tenants import service as tenants


def poll_every_tenant() -> dict[str, dict[str, int]]:
    """Per tenant slug, how many open payments were settled and how many expired."""
    public_url = current_app.config["AMTSWEG"].public_url
    counts = {}
    for tenant in tenants.list_tenants():
        # Providers get our return and notification addresses, absolute; outside a web
        # request they are built against the public address.
        with current_app.test_request_context(base_url=public_url), tenant_scope(tenant.id):
            counts[tenant.slug] = service.poll_open_payments(tenant)
            db.session.commit()
    return counts
