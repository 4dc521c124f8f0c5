"""Panels other areas add to submission pages, without submissions importing them.

Two pages take panels: the citizen's submission page and the clerk's
(``/t/<tenant>/clerk/submissions/<reference>``). Payment registers the
citizen's (status, Kassenzeichen, GiroCode, "pay again") in its ``init_app``;
the clerk's page is where payment and delivery register theirs the same way
(payments and refunds, delivery attempts). A page draws its panels in
registration order.
Registering a key again replaces it (every app built in a process does).
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from amtsweg.submissions.models import Submission
from amtsweg.tenants.models import Tenant

Render = Callable[[Tenant, Submission], Markup]
_CITIZEN_PANELS: dict[str, Render] = {}
_CLERK_PANELS: dict[str, Render] = {}


def register_citizen_panel(key: str, render: Render) -> None:
    _CITIZEN_PANELS[key] = render


def citizen_panels(tenant: Tenant, submission: Submission) -> list[Markup]:
    return _drawn(_CITIZEN_PANELS, tenant, submission)


def register_clerk_panel(key: str, render: Render) -> None:
    _CLERK_PANELS[key] = render


def clerk_panels(tenant: Tenant, submission: Submission) -> list[Markup]:
    return _drawn(_CLERK_PANELS, tenant, submission)


def _drawn(registered: dict[str, Render], tenant: Tenant, submission: Submission) -> list[Markup]:
    return [render(tenant, submission) for render in registered.values()]
