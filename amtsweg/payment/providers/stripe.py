"""Card payments through the municipality's own Stripe account (the official ``stripe`` SDK).

Each tenant connects its **own** Stripe account with its own secret key and
webhook secret (not Stripe Connect): the money goes straight from Stripe to
the municipality, the association never holds it and never becomes a payment
platform with the onboarding and liability Connect brings; a municipality
that leaves takes its account with it.

The citizen pays on Stripe's hosted Checkout page (no JavaScript on our
pages): :meth:`StripeProvider.start` creates a Checkout Session whose
PaymentIntent carries the Kassenzeichen in its metadata. The session is our
payment's provider id: statuses are read from it and its PaymentIntent,
refunds go to that PaymentIntent (with their idempotency key in their
metadata, so a refund whose answer was lost is recognised when listed),
cancelling expires the session.
Notifications about either are verified from the raw body with
``Stripe-Signature`` and a 300 s tolerance. A notification about a refund
(``charge.refunded``, ``refund.*``: one made in Stripe's dashboard, say) names
the PaymentIntent, which is read for our Kassenzeichen; the service then reads
the payment's refunds. Every create call sends the
``Idempotency-Key`` the service gives (our payment's, or for a refund one made
from what was refunded before), so a retried call never charges or refunds
twice. A card declined on the Checkout page reads as failed while the session
stays open; a second card that succeeds there later wins (see
``service.transition``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import stripe
from flask_babel import lazy_gettext as _l

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

TOLERANCE_SECONDS = 300
TIMEOUT_SECONDS = 10
KEY_METADATA = "amtsweg_refund_key"  # a refund's idempotency key, kept in its metadata
UNDONE_REFUNDS = frozenset({"failed", "canceled"})

_INTENT = {
    "requires_payment_method": RemoteStatus.PENDING,
    "requires_confirmation": RemoteStatus.PENDING,
    "requires_action": RemoteStatus.PENDING,
    "processing": RemoteStatus.PENDING,
    "requires_capture": RemoteStatus.PENDING,
    "succeeded": RemoteStatus.SUCCEEDED,
    "canceled": RemoteStatus.CANCELLED,
}
_EVENTS = {
    "payment_intent.succeeded": RemoteStatus.SUCCEEDED,
    "payment_intent.payment_failed": RemoteStatus.FAILED,
    "payment_intent.canceled": RemoteStatus.CANCELLED,
    "payment_intent.processing": RemoteStatus.PENDING,
    "checkout.session.completed": None,  # paid, or pending for delayed methods
    "checkout.session.async_payment_succeeded": RemoteStatus.SUCCEEDED,
    "checkout.session.async_payment_failed": RemoteStatus.FAILED,
    "checkout.session.expired": RemoteStatus.CANCELLED,
}
# About a refund of a PaymentIntent (its subject a Charge or a Refund), however it was made.
_REFUND_EVENTS = frozenset(
    {
        "charge.refunded",
        "charge.refund.updated",
        "refund.created",
        "refund.updated",
        "refund.failed",
    }
)


def _client(account: Account) -> stripe.StripeClient:
    base = account.settings.get("api_base") or stripe.DEFAULT_API_BASE
    return stripe.StripeClient(
        account.credentials["secret_key"],
        base_addresses={"api": base},
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
    )


def _call(function: Any, *args: Any) -> Any:
    """Stripe's errors in our words: unreachable (try later) or refused (say why)."""
    try:
        return function(*args)
    except (stripe.APIConnectionError, stripe.RateLimitError) as error:
        raise ProviderUnavailable(str(error.user_message or error)) from error
    except stripe.StripeError as error:
        if error.http_status and error.http_status >= 500:
            raise ProviderUnavailable(str(error.user_message or error)) from error
        raise ProviderRefused(str(error.user_message or error)) from error


class StripeProvider:
    key = "stripe"
    label = "Stripe (card)"
    capabilities = frozenset(
        {Capability.REDIRECT, Capability.WEBHOOKS, Capability.REFUND, Capability.CANCEL}
    )
    notification_events = tuple(sorted({*_EVENTS, *_REFUND_EVENTS}))
    config_fields = (
        ConfigField(
            "secret_key", _l("Secret key (sk_…) of the municipality's account"), secret=True
        ),
        ConfigField("webhook_secret", _l("Webhook signing secret (whsec_…)"), secret=True),
        ConfigField("api_base", _l("API address (only for tests)"), required=False),
    )

    def start(self, account: Account, request: PaymentRequest) -> Started:
        session = _call(
            _client(account).v1.checkout.sessions.create,
            {
                "mode": "payment",
                "client_reference_id": request.kassenzeichen,
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": request.currency.lower(),
                            "unit_amount": request.amount_cents,
                            "product_data": {"name": request.description},
                        },
                    }
                ],
                "payment_method_types": ["card"],
                "payment_intent_data": {
                    "description": request.description,
                    "metadata": {"kassenzeichen": request.kassenzeichen},
                },
                "success_url": request.return_url,
                "cancel_url": request.return_url,
            },
            {"idempotency_key": request.idempotency_key},
        )
        return Started(provider_payment_id=session.id, redirect_url=session.url)

    def fetch_status(self, account: Account, provider_payment_id: str) -> Observation:
        client = _client(account)
        session = _session(client, provider_payment_id)
        if session.status == "expired":
            return Observation(provider_payment_id, RemoteStatus.CANCELLED)
        if not session.payment_intent:
            return Observation(provider_payment_id, RemoteStatus.PENDING)
        intent = _call(client.v1.payment_intents.retrieve, str(session.payment_intent))
        return Observation(provider_payment_id, _intent_status(intent))

    def parse_webhook(
        self, account: Account, body: bytes, headers: Mapping[str, str]
    ) -> Observation | None:
        try:
            event = stripe.Webhook.construct_event(
                body,
                headers.get("Stripe-Signature", ""),
                account.credentials["webhook_secret"],
                tolerance=TOLERANCE_SECONDS,
            )
        except (stripe.SignatureVerificationError, ValueError) as error:
            raise WebhookRejected(f"the Stripe notification is not genuine: {error}") from error
        subject = event.data.object.to_dict()
        if event.type in _REFUND_EVENTS:
            return self._refunds_changed(account, event.id, subject)
        if event.type not in _EVENTS:
            return None
        if event.type.startswith("checkout.session."):
            status = _EVENTS[event.type] or (
                RemoteStatus.SUCCEEDED
                if subject.get("payment_status") == "paid"
                else RemoteStatus.PENDING
            )
            return Observation(subject["id"], status, event_id=event.id)
        metadata = subject.get("metadata") or {}
        return Observation(
            provider_payment_id=subject["id"],
            status=_EVENTS[event.type],
            event_id=event.id,
            kassenzeichen=metadata.get("kassenzeichen"),
        )

    def _refunds_changed(
        self, account: Account, event_id: str, subject: Mapping[str, Any]
    ) -> Observation | None:
        """A refund's notification names the PaymentIntent, whose metadata names our
        payment; a refund made in the dashboard carries none of ours itself."""
        if not subject.get("payment_intent"):
            return None  # a charge without a PaymentIntent was not made by Checkout
        client = _client(account)
        try:
            intent = _call(client.v1.payment_intents.retrieve, str(subject["payment_intent"]))
        except ProviderRefused:
            return None  # a PaymentIntent this account does not know: not ours
        metadata = intent.to_dict().get("metadata") or {}
        return Observation(
            provider_payment_id=intent.id,
            status=_intent_status(intent),
            event_id=event_id,
            kassenzeichen=metadata.get("kassenzeichen"),
            about_refunds=True,
        )

    def refund(
        self, account: Account, provider_payment_id: str, amount_cents: int, idempotency_key: str
    ) -> str:
        client = _client(account)
        session = _session(client, provider_payment_id)
        if not session.payment_intent:
            raise ProviderRefused("the Checkout Session has no payment yet")
        refund = _call(
            client.v1.refunds.create,
            {
                "payment_intent": str(session.payment_intent),
                "amount": amount_cents,
                "metadata": {KEY_METADATA: idempotency_key},
            },
            {"idempotency_key": idempotency_key},
        )
        return refund.id

    def refunds(self, account: Account, provider_payment_id: str) -> list[RemoteRefund]:
        client = _client(account)
        session = _session(client, provider_payment_id)
        if not session.payment_intent:
            return []
        listed = _call(
            client.v1.refunds.list, {"payment_intent": str(session.payment_intent), "limit": 100}
        )
        return [
            _remote_refund(refund.to_dict())
            for refund in _call(lambda: list(listed.auto_paging_iter()))
        ]

    def cancel(self, account: Account, provider_payment_id: str) -> None:
        _call(_client(account).v1.checkout.sessions.expire, provider_payment_id)

    def check(self, account: Account) -> None:
        _call(_client(account).v1.balance.retrieve)


def _session(client: stripe.StripeClient, session_id: str) -> Any:
    """Our payment's Checkout Session (what :meth:`StripeProvider.start` returned). Its
    PaymentIntent exists once the citizen confirmed a card on Stripe's page."""
    return _call(client.v1.checkout.sessions.retrieve, session_id)


def _remote_refund(refund: Mapping[str, Any]) -> RemoteRefund:
    metadata = refund.get("metadata") or {}
    failure = None
    if refund["status"] in UNDONE_REFUNDS:
        failure = refund.get("failure_reason") or refund["status"]
    return RemoteRefund(refund["id"], refund["amount"], metadata.get(KEY_METADATA), failure)


def _intent_status(intent: Any) -> RemoteStatus:
    if intent.status == "requires_payment_method" and intent.to_dict().get("last_payment_error"):
        return RemoteStatus.FAILED
    return _INTENT.get(intent.status, RemoteStatus.PENDING)
