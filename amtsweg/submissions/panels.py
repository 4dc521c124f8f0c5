"""Panels other areas add to a citizen's submission page, without submissions importing them.

Payment registers one (status, Kassenzeichen, GiroCode, "pay again") in its
``init_app``; the page draws every registered panel in registration order.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from amtsweg.submissions.models import Submission
from amtsweg.tenants.models import Tenant

Render = Callable[[Tenant, Submission], Markup]
_CITIZEN_PANELS: dict[str, Render] = {}


def register_citizen_panel(key: str, render: Render) -> None:
    _CITIZEN_PANELS[key] = render


def citizen_panels(tenant: Tenant, submission: Submission) -> list[Markup]:
    return [render(tenant, submission) for render in _CITIZEN_PANELS.values()]
