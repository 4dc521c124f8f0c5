"""The delivery item of the onboarding checklist: a target that a test delivery reached.

A target passes when the newest thing that happened to it is a test delivery
that arrived: a test that failed afterwards, or a change of its settings
since, means it must be tested (again) before the tenant can go live.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from amtsweg.delivery import service
from amtsweg.delivery.models import Target
from amtsweg.tenants import onboarding
from amtsweg.tenants import service as tenants
from amtsweg.tenants.models import Tenant
from amtsweg.tenants.onboarding import CheckResult

TARGETS_PAGE = "delivery_admin.targets"


def register() -> None:
    onboarding.register_admin_page("delivery", _l("Delivery"), TARGETS_PAGE)
    onboarding.register_check(
        "delivery",
        _l("A delivery target and a test delivery that arrived"),
        check_test_delivery,
    )


def check_test_delivery(tenant: Tenant) -> CheckResult:
    enabled = [target for target in service.targets(tenant) if target.enabled]
    if not enabled:
        return CheckResult.missing(
            gettext("Set up where submissions go (a mailbox, a folder, a webhook or a DMS)."),
            TARGETS_PAGE,
        )
    if any(test_arrived(tenant, target) for target in enabled):
        return CheckResult.ok()
    return CheckResult.missing(
        gettext(
            "Send a test delivery to %(targets)s and make sure it arrives; "
            "after a change of its settings, test again.",
            targets=", ".join(target.name for target in enabled),
        ),
        TARGETS_PAGE,
    )


def test_arrived(tenant: Tenant, target: Target) -> bool:
    """Whether the target's newest event is a test delivery that arrived."""
    latest = tenants.latest_record(
        tenant,
        "delivery_target",
        target.name,
        actions=("delivery.target_saved", "delivery.tested"),
    )
    return latest is not None and latest.action == "delivery.tested" and latest.details.get("ok")
