"""Panels other areas add to submission pages and receipts, without submissions importing them.

Two pages take panels: the citizen's submission page and the clerk's
(``/t/<tenant>/clerk/submissions/<reference>``). Payment registers the
citizen's (status, Kassenzeichen, GiroCode, "pay again") in its ``init_app``;
the clerk's page is where payment and delivery register theirs the same way
(payments and refunds, delivery attempts). A page draws its panels in
registration order.
Registering a key again replaces it (every app built in a process does).

The receipt takes one part the same way: payment registers the bank transfer
(GiroCode and transfer data) of an open transfer payment, worded in the
receipt's language (the caller sets it), which the pure renderer then prints.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from amtsweg.submissions.models import Submission
from amtsweg.submissions.receipts import Transfer
from amtsweg.tenants.models import Tenant

Render = Callable[[Tenant, Submission], Markup]
_CITIZEN_PANELS: dict[str, Render] = {}
_CLERK_PANELS: dict[str, Render] = {}
MakeTransfer = Callable[[Tenant, Submission], Transfer | None]
_RECEIPT_TRANSFERS: dict[str, MakeTransfer] = {}


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


def register_receipt_transfer(key: str, make: MakeTransfer) -> None:
    _RECEIPT_TRANSFERS[key] = make


def receipt_transfer(tenant: Tenant, submission: Submission) -> Transfer | None:
    """The first registered bank transfer the submission has open, if any."""
    made = (make(tenant, submission) for make in _RECEIPT_TRANSFERS.values())
    return next((transfer for transfer in made if transfer is not None), None)
