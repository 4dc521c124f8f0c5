"""The sandbox: a test payment provider served by Amtsweg itself.

It behaves like a card provider with a hosted payment page: the citizen is
sent to ``/t/<tenant>/sandbox-payment/<charge>`` (marked as a test, no
JavaScript needed), types a magic card number, and is sent back. Outcomes by
card number (also in the README):

============================  ==================================================
``4242 4242 4242 4242``       succeeds
``4000 0000 0000 0002``       declined
``4000 0000 0000 3220``       asks for an extra confirmation (like 3-D Secure)
``4000 0000 0000 0077``       stays pending; succeeds later (webhook)
``4000 0000 0000 0085``       stays pending; fails later (webhook)
============================  ==================================================

Every outcome is also notified by a webhook signed like Stripe's
(``Sandbox-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">``),
posted by a job after the commit to the account's webhook URL. Its own
records live in ``sandbox_charges``, as a real provider keeps its own.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Mapping
from urllib.parse import urlsplit

import requests
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from amtsweg.payment.interfaces import (
    Account,
    Capability,
    ConfigField,
    Observation,
    PaymentRequest,
    ProviderRefused,
    ProviderUnavailable,
    RemoteRefund,
    RemoteStatus,
    Started,
    WebhookRejected,
)
from amtsweg.payment.models import ProviderAccount, SandboxCharge
from amtsweg.payment.secrets import decrypt
from amtsweg.platform.db import db, tenant_scope
from amtsweg.platform.devidp.transport import InProcessAdapter
from amtsweg.platform.jobs import enqueue_after_commit

SIGNATURE_HEADER = "Sandbox-Signature"
TOLERANCE_SECONDS = 300

CARDS = {
    "4242424242424242": "succeeded",
    "4000000000000002": "declined",
    "4000000000003220": "requires_action",
    "4000000000000077": "processing:succeeded",
    "4000000000000085": "processing:failed",
}

_REMOTE = {
    "open": RemoteStatus.PENDING,
    "requires_action": RemoteStatus.PENDING,
    "processing": RemoteStatus.PENDING,
    "succeeded": RemoteStatus.SUCCEEDED,
    "declined": RemoteStatus.FAILED,
    "failed": RemoteStatus.FAILED,
    "cancelled": RemoteStatus.CANCELLED,
}
FINAL = frozenset({"succeeded", "declined", "failed", "cancelled"})


class UnknownCardError(ValueError):
    """Not one of the magic numbers."""


class SandboxProvider:
    key = "sandbox"
    label = "Sandbox (test payments)"
    capabilities = frozenset(
        {Capability.REDIRECT, Capability.WEBHOOKS, Capability.REFUND, Capability.CANCEL}
    )
    notification_events = ()  # it sends its own, to the address it was given
    config_fields = (
        ConfigField("webhook_secret", _l("Webhook signing secret"), secret=True),
        ConfigField("outage", _l("Simulate an outage (type 'yes')"), required=False),
    )

    def _available(self, account: Account) -> None:
        if account.settings.get("outage") == "yes":
            raise ProviderUnavailable("the sandbox simulates an outage")

    def start(self, account: Account, request: PaymentRequest) -> Started:
        self._available(account)
        charge = SandboxCharge(
            account_id=account.account_id,
            amount_cents=request.amount_cents,
            currency=request.currency,
            description=request.description[:200],
            return_url=request.return_url,
            webhook_url=account.webhook_url,
        )
        db.session.add(charge)
        db.session.flush()
        return Started(
            provider_payment_id=f"sbx_{charge.id.hex}",
            redirect_url=url_for(
                "sandbox.checkout",
                tenant_slug=account.tenant_slug,
                charge_id=charge.id,
                _external=True,
            ),
        )

    def fetch_status(self, account: Account, provider_payment_id: str) -> Observation:
        self._available(account)
        charge = _charge(provider_payment_id)
        return Observation(provider_payment_id, _REMOTE[charge.status])

    def parse_webhook(
        self, account: Account, body: bytes, headers: Mapping[str, str]
    ) -> Observation | None:
        verify_signature(account.credentials["webhook_secret"], body, headers)
        try:
            event = json.loads(body)
            charge = event["data"]
            return Observation(
                provider_payment_id=str(charge["id"]),
                status=_REMOTE[charge["status"]],
                event_id=str(event["id"]),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise WebhookRejected("the notification is not a sandbox event") from error

    def refund(
        self, account: Account, provider_payment_id: str, amount_cents: int, idempotency_key: str
    ) -> str:
        self._available(account)
        charge = _charge(provider_payment_id)
        refund_id = f"sbx_re_{hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]}"
        if any(made["id"] == refund_id for made in charge.refunds):
            return refund_id  # the same key: the earlier refund, as a real provider answers
        if charge.refunded_cents + amount_cents > charge.amount_cents:
            raise ProviderRefused("refund exceeds the charge")
        charge.refunded_cents += amount_cents
        made = {"id": refund_id, "amount_cents": amount_cents, "key": idempotency_key}
        charge.refunds = [*charge.refunds, made]
        return refund_id

    def refunds(self, account: Account, provider_payment_id: str) -> list[RemoteRefund]:
        self._available(account)
        return [
            RemoteRefund(made["id"], made["amount_cents"], made["key"], made.get("failure"))
            for made in _charge(provider_payment_id).refunds
        ]

    def cancel(self, account: Account, provider_payment_id: str) -> None:
        self._available(account)
        charge = _charge(provider_payment_id)
        if charge.status in FINAL - {"cancelled"}:
            raise ProviderRefused(f"the charge is {charge.status}")
        charge.status = "cancelled"

    def check(self, account: Account) -> None:
        self._available(account)
        if len(account.credentials.get("webhook_secret", "")) < 16:
            raise ProviderRefused("the webhook secret needs at least 16 characters")


def _charge(provider_payment_id: str) -> SandboxCharge:
    charge = find_charge(_charge_id(provider_payment_id))
    if charge is None:
        raise ProviderRefused("no such charge")
    return charge


def _charge_id(provider_payment_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(provider_payment_id.removeprefix("sbx_"))
    except ValueError as error:
        raise ProviderRefused("no such charge") from error


def find_charge(charge_id: uuid.UUID) -> SandboxCharge | None:
    return db.session.scalar(select(SandboxCharge).where(SandboxCharge.id == charge_id))


# --- the hosted page's actions -------------------------------------------------------


def normalise_card(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())


def pay(charge: SandboxCharge, card_number: str) -> str:
    """Apply a magic card to an open charge; returns the charge's new status."""
    card = normalise_card(card_number)
    if card not in CARDS:
        raise UnknownCardError(card)
    outcome = CARDS[card]
    charge.card_last4 = card[-4:]
    if outcome.startswith("processing:"):
        charge.status = "processing"
        enqueue_after_commit(settle_later, charge.tenant_id, charge.id, outcome.split(":")[1])
        return charge.status
    charge.status = outcome
    if outcome in FINAL:
        enqueue_after_commit(deliver_webhook, charge.tenant_id, charge.id)
    return charge.status


def confirm(charge: SandboxCharge, *, approved: bool) -> str:
    """The extra confirmation step (3-D Secure-like): approved or not."""
    charge.status = "succeeded" if approved else "declined"
    enqueue_after_commit(deliver_webhook, charge.tenant_id, charge.id)
    return charge.status


def abandon(charge: SandboxCharge) -> None:
    charge.status = "cancelled"
    enqueue_after_commit(deliver_webhook, charge.tenant_id, charge.id)


# --- webhooks -------------------------------------------------------------------------


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(secret: str, body: bytes, headers: Mapping[str, str]) -> None:
    """Stripe's scheme: a fresh timestamp and an HMAC of ``t.body`` with the secret."""
    header = headers.get(SIGNATURE_HEADER, "")
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        name, _, value = item.strip().partition("=")
        parts.setdefault(name, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError) as error:
        raise WebhookRejected("the notification carries no valid signature") from error
    if abs(time.time() - timestamp) > TOLERANCE_SECONDS:
        raise WebhookRejected("the notification's signature is too old")
    expected = sign(secret, body, timestamp).split("v1=")[1]
    if not any(hmac.compare_digest(expected, given) for given in parts.get("v1", [])):
        raise WebhookRejected("the notification's signature does not match")


def event_body(charge: SandboxCharge) -> bytes:
    return json.dumps(
        {
            "id": f"evt_{uuid.uuid4().hex}",
            "type": f"charge.{charge.status}",
            "data": {"id": f"sbx_{charge.id.hex}", "status": charge.status},
        }
    ).encode()


def settle_later(tenant_id: uuid.UUID, charge_id: uuid.UUID, outcome: str) -> None:
    """The bank's late answer for a pending charge, then its webhook (a job)."""
    with tenant_scope(tenant_id):
        charge = find_charge(charge_id)
        if charge is None or charge.status != "processing":
            return
        charge.status = outcome
        db.session.commit()
    deliver_webhook(tenant_id, charge_id)


def deliver_webhook(tenant_id: uuid.UUID, charge_id: uuid.UUID) -> None:
    """Post the charge's current status, signed, to the account's webhook URL (a job)."""
    with tenant_scope(tenant_id):
        charge = find_charge(charge_id)
        if charge is None:
            return
        account = db.session.scalar(
            select(ProviderAccount).where(ProviderAccount.id == charge.account_id)
        )
        secret = decrypt(account.credentials)["webhook_secret"] if account else ""
        body, url = event_body(charge), charge.webhook_url
        db.session.commit()
    response = _http(url).post(
        url,
        data=body,
        headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, body)},
        timeout=10,
    )
    response.raise_for_status()  # a failed job is retried, as providers retry


def _http(url: str) -> requests.Session:
    """The sandbox is part of this app, so its notifications go into this app's WSGI
    callable (as the development login's calls do): the same raw body, headers and
    handler as a real provider's request, with no port to open."""
    parts = urlsplit(url)
    session = requests.Session()
    session.mount(
        f"{parts.scheme}://{parts.netloc}/",
        InProcessAdapter(current_app._get_current_object()),  # noqa: SLF001 - Flask's proxy API
    )
    return session
