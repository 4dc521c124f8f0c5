"""Payment's periodic work: settle payments whose citizen never came back, expire the rest,
and compare recent refunds with the providers.

``amtsweg worker`` runs :func:`poll_every_tenant` every
``AMTSWEG_PAYMENT_POLL_SECONDS`` and :func:`compare_refunds_of_every_tenant` every
:data:`REFUND_CHECK_SECONDS` (see ``platform/periodic.py``); ``amtsweg payments
poll`` and ``amtsweg payments compare-refunds`` run them once (cron, or a system
without a worker).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flask import current_app

from amtsweg.payment import service
from amtsweg.platform.db import db, tenant_scope, utcnow
from amtsweg.platform.logs import log_context
from amtsweg.tenants import service as tenants
from amtsweg.tenants.models import Tenant

#: A card refund can still fail weeks after the provider accepted it (Stripe: the
#: issuer may take up to 30 days), and PayPal sends no notification when one does:
#: the refunds of that long are compared with the provider's four times a day.
REFUND_WATCH = dt.timedelta(days=30)
REFUND_CHECK_SECONDS = 6 * 60 * 60


def poll_every_tenant() -> dict[str, dict[str, int]]:
    """Per tenant slug, how many open payments were settled and how many expired."""
    return _for_every_tenant(service.poll_open_payments)


def compare_refunds_of_every_tenant() -> dict[str, dict[str, int]]:
    """Per tenant slug, how many recent refunds failed at the provider, how many made
    there were recorded, and how many payments the provider could not tell about."""
    since = utcnow() - REFUND_WATCH
    return _for_every_tenant(lambda tenant: service.compare_recent_refunds(tenant, since))


def _for_every_tenant(work: Callable[[Tenant], dict[str, int]]) -> dict[str, dict[str, int]]:
    public_url = current_app.config["AMTSWEG"].public_url
    counts = {}
    for tenant in tenants.list_tenants():
        # Providers get our return and notification addresses, absolute; outside a web
        # request they are built against the public address.
        with (
            current_app.test_request_context(base_url=public_url),
            tenant_scope(tenant.id),
            log_context(tenant=tenant.slug),
        ):
            counts[tenant.slug] = work(tenant)
            db.session.commit()
    return counts
