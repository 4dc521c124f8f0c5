"""PayPal through its REST API: Orders v2 with intent CAPTURE, refunds through Payments v2.

Each municipality connects its own PayPal REST app (client id and secret of
the municipality's business account), so the money goes straight to it.

The flow: :meth:`PayPalProvider.start` creates an order (the amount, our
Kassenzeichen as ``invoice_id`` and ``custom_id``) and sends the citizen to its
``payer-action`` link. After the approval PayPal sends the citizen back to our
return address; reading the status there (:meth:`fetch_status`) reads the order
with ``GET`` and, when it is APPROVED, captures it - an approved order moves
no money until it is captured, so "what is the status" and "finish it" are the
same question here. The polling job asks the same question for a citizen who
approved and closed the tab, and so does a verified ``CHECKOUT.ORDER.APPROVED``
notification. A turned-back citizen lands on our cancel address; Orders v2
has no way to cancel an unapproved order, it lapses at PayPal by itself.

Every create, capture and refund carries ``PayPal-Request-Id`` (our payment,
``capture-<order>`` or the key the service makes of what was refunded before),
so a retry returns the earlier result instead of charging or refunding twice.
A refund also carries that key as its ``custom_id``: PayPal keeps it with the
refund in the order's ``payments.refunds``, where :meth:`PayPalProvider.refunds`
reads it back. Notifications are never trusted by
themselves: their transmission headers and body go to PayPal's
``POST /v1/notifications/verify-webhook-signature`` with the account's webhook
id, and only a ``SUCCESS`` answer lets them through - after which the order is
read back again anyway. ``PAYMENT.CAPTURE.REFUNDED`` (a refund made here or in
PayPal's own dashboard) names the order through the refund's capture; the
service then reads the order's refunds. The OAuth2 token is cached until
shortly before its ``expires_in`` and fetched again when PayPal no longer
accepts it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

import requests
from flask_babel import lazy_gettext as _l

from amtsweg.payment import money
from amtsweg.payment.interfaces import (
    Account,
    Capability,
    ConfigField,
    Observation,
    PaymentRequest,
    ProviderRefused,
    RemoteRefund,
    RemoteStatus,
    Started,
    WebhookRejected,
)
from amtsweg.payment.providers import http

LIVE_API = "https://api-m.paypal.com"

# The headers PayPal signs a notification with, and the names the verify call wants.
TRANSMISSION_HEADERS = {
    "auth_algo": "PAYPAL-AUTH-ALGO",
    "cert_url": "PAYPAL-CERT-URL",
    "transmission_id": "PAYPAL-TRANSMISSION-ID",
    "transmission_sig": "PAYPAL-TRANSMISSION-SIG",
    "transmission_time": "PAYPAL-TRANSMISSION-TIME",
}

_CAPTURE = {
    "COMPLETED": RemoteStatus.SUCCEEDED,
    # A refund does not undo the payment; our own refund records say what went back.
    "PARTIALLY_REFUNDED": RemoteStatus.SUCCEEDED,
    "REFUNDED": RemoteStatus.SUCCEEDED,
    "PENDING": RemoteStatus.PENDING,
    "DECLINED": RemoteStatus.FAILED,
    "FAILED": RemoteStatus.FAILED,
}
UNDONE_REFUNDS = frozenset({"FAILED", "CANCELLED"})
# A capture refunded, here or in PayPal's own dashboard: the resource is the refund.
_REFUND_EVENT = "PAYMENT.CAPTURE.REFUNDED"
# Events about an order or its capture.
_ORDER_EVENTS = frozenset(
    {
        "CHECKOUT.ORDER.APPROVED",
        "PAYMENT.CAPTURE.COMPLETED",
        "PAYMENT.CAPTURE.PENDING",
        "PAYMENT.CAPTURE.DENIED",
        "PAYMENT.CAPTURE.DECLINED",
    }
)


class PayPalProvider:
    key = "paypal"
    label = "PayPal"
    capabilities = frozenset({Capability.REDIRECT, Capability.WEBHOOKS, Capability.REFUND})
    notification_events = tuple(sorted({*_ORDER_EVENTS, _REFUND_EVENT}))
    config_fields = (
        ConfigField("client_id", _l("Client ID of the municipality's PayPal REST app")),
        ConfigField("client_secret", _l("Secret of the PayPal REST app"), secret=True),
        ConfigField("webhook_id", _l("Webhook ID (PayPal shows it when the webhook is added)")),
        ConfigField(
            "api_base",
            _l("API address (empty: live; https://api-m.sandbox.paypal.com for PayPal's sandbox)"),
            required=False,
        ),
    )

    def start(self, account: Account, request: PaymentRequest) -> Started:
        kassenzeichen = request.kassenzeichen
        order = _api(
            account,
            "POST",
            "/v2/checkout/orders",
            request_id=request.idempotency_key,
            json={
                "intent": "CAPTURE",
                "purchase_units": [
                    {
                        "reference_id": kassenzeichen,
                        "custom_id": kassenzeichen,
                        "invoice_id": kassenzeichen,
                        "description": request.description[:127],
                        "amount": _money(request.currency, request.amount_cents),
                    }
                ],
                "payment_source": {
                    "paypal": {
                        "experience_context": {
                            "return_url": request.return_url,
                            "cancel_url": request.cancel_url or request.return_url,
                            "user_action": "PAY_NOW",
                            "shipping_preference": "NO_SHIPPING",
                            "locale": "de-DE",
                        }
                    }
                },
            },
        )
        approval = _link(order, "payer-action") or _link(order, "approve")
        if approval is None:
            raise ProviderRefused("PayPal gave no approval link for the order")
        return Started(provider_payment_id=order["id"], redirect_url=approval)

    def fetch_status(self, account: Account, provider_payment_id: str) -> Observation:
        order = _api(account, "GET", f"/v2/checkout/orders/{provider_payment_id}")
        if order.get("status") == "APPROVED":
            return self._capture(account, provider_payment_id)
        return _observation(order)

    def _capture(self, account: Account, order_id: str) -> Observation:
        """Capture an approved order; the same request id makes a second capture harmless."""
        try:
            order = _api(
                account,
                "POST",
                f"/v2/checkout/orders/{order_id}/capture",
                request_id=f"capture-{order_id}",
                json={},
            )
        except http.HttpRefused as refused:
            issue = _issue(refused.body)
            if issue == "INSTRUMENT_DECLINED":
                return Observation(order_id, RemoteStatus.FAILED, detail=issue)
            if issue not in {"ORDER_ALREADY_CAPTURED", "ORDER_NOT_APPROVED"}:
                raise
            # Captured meanwhile (another tab, the webhook), or not approved after all.
            order = _api(account, "GET", f"/v2/checkout/orders/{order_id}")
        return _observation(order)

    def parse_webhook(
        self, account: Account, body: bytes, headers: Mapping[str, str]
    ) -> Observation | None:
        event = _verified_event(account, body, headers)
        if event.get("event_type") == _REFUND_EVENT:
            return self._refunds_changed(account, event)
        if event.get("event_type") not in _ORDER_EVENTS:
            return None
        order_id = _order_id_of(event)
        if not order_id:
            raise WebhookRejected("the PayPal notification names no order")
        try:
            observation = self.fetch_status(account, order_id)
        except ProviderRefused:
            return None  # an order this account does not know: not ours
        return dataclasses.replace(observation, event_id=str(event["id"]))

    def _refunds_changed(self, account: Account, event: Mapping[str, Any]) -> Observation | None:
        """The refund names its capture (its ``up`` link), and the capture our order."""
        capture_url = _link(event.get("resource") or {}, "up")
        if not capture_url:
            raise WebhookRejected("the PayPal notification names no capture")
        capture_id = capture_url.rsplit("/", 1)[-1]
        try:
            capture = _api(account, "GET", f"/v2/payments/captures/{capture_id}")
        except ProviderRefused:
            return None  # a capture this account does not know: not ours
        order_id = _related_order_id(capture)
        if not order_id:
            return None
        return Observation(
            order_id, RemoteStatus.SUCCEEDED, event_id=str(event["id"]), about_refunds=True
        )

    def refund(
        self, account: Account, provider_payment_id: str, amount_cents: int, idempotency_key: str
    ) -> str:
        order = _api(account, "GET", f"/v2/checkout/orders/{provider_payment_id}")
        capture = _capture_of(order)
        if capture is None:
            raise ProviderRefused("the PayPal order has no capture to refund")
        refund = _api(
            account,
            "POST",
            f"/v2/payments/captures/{capture['id']}/refund",
            request_id=idempotency_key,
            json={
                "amount": _money(capture["amount"]["currency_code"], amount_cents),
                "custom_id": idempotency_key,
            },
        )
        return refund["id"]

    def refunds(self, account: Account, provider_payment_id: str) -> list[RemoteRefund]:
        order = _api(account, "GET", f"/v2/checkout/orders/{provider_payment_id}")
        return [
            _remote_refund(refund)
            for unit in order.get("purchase_units", [])
            for refund in (unit.get("payments") or {}).get("refunds") or []
        ]

    def cancel(self, account: Account, provider_payment_id: str) -> None:  # noqa: ARG002
        raise ProviderRefused("PayPal orders cannot be cancelled; an unapproved one lapses")

    def check(self, account: Account) -> None:
        """A token for the client id and secret proves both (and that PayPal answers)."""
        http.bearer_token(_credentials(account), _describe)


# --- calls -------------------------------------------------------------------------------


def _base(account: Account) -> str:
    return (account.settings.get("api_base") or LIVE_API).rstrip("/")


def _credentials(account: Account) -> http.ClientCredentials:
    return http.ClientCredentials(
        token_url=f"{_base(account)}/v1/oauth2/token",
        client_id=account.settings["client_id"],
        client_secret=account.credentials["client_secret"],
    )


def _api(
    account: Account, method: str, path: str, *, request_id: str | None = None, **kwargs: Any
) -> Any:
    """One authenticated call; a token PayPal no longer accepts is replaced once."""
    credentials = _credentials(account)
    headers = {"PayPal-Request-Id": request_id} if request_id else {}

    def authorised() -> Any:
        token = http.bearer_token(credentials, _describe)
        return http.call(
            method,
            _base(account) + path,
            _describe,
            headers={**headers, "Authorization": f"Bearer {token}"},
            **kwargs,
        )

    try:
        return authorised()
    except http.HttpRefused as refused:
        if refused.status != 401:
            raise
        http.forget_token(credentials)
    return authorised()


def _describe(response: requests.Response) -> str:
    """PayPal's error in one line: name, issue and debug id (for PayPal's support)."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if not isinstance(body, dict):
        return f"HTTP {response.status_code}"
    name = body.get("name") or body.get("error") or f"HTTP {response.status_code}"
    issue = _issue(body) or body.get("error_description") or ""
    debug = body.get("debug_id") or response.headers.get("PayPal-Debug-Id", "")
    return " ".join(part for part in (name, issue, f"(debug id {debug})" if debug else "") if part)


def _issue(body: Mapping[str, Any]) -> str:
    details = body.get("details") or [{}]
    return str(details[0].get("issue", "")) if isinstance(details[0], dict) else ""


# --- reading orders and notifications ----------------------------------------------------


def _money(currency: str, cents: int) -> dict[str, str]:
    """Cents as PayPal's decimal string (``30.70``)."""
    return {"currency_code": currency, "value": money.decimal_text(cents)}


def _link(document: Mapping[str, Any], rel: str) -> str | None:
    return next((link["href"] for link in document.get("links", []) if link["rel"] == rel), None)


def _remote_refund(refund: Mapping[str, Any]) -> RemoteRefund:
    """A refund as the order lists it; PayPal gives no reason for a failed one."""
    failure = refund["status"] if refund.get("status") in UNDONE_REFUNDS else None
    return RemoteRefund(
        refund["id"],
        money.cents_of_decimal_text(refund["amount"]["value"]),
        refund.get("custom_id"),
        failure,
    )


def _capture_of(order: Mapping[str, Any]) -> dict[str, Any] | None:
    for unit in order.get("purchase_units", []):
        captures = (unit.get("payments") or {}).get("captures") or []
        if captures:
            return captures[0]
    return None


def _observation(order: Mapping[str, Any]) -> Observation:
    status = order.get("status")
    capture = _capture_of(order)
    if status == "COMPLETED" and capture is not None:
        remote = _CAPTURE.get(capture.get("status", ""), RemoteStatus.PENDING)
        detail = (capture.get("status_details") or {}).get("reason")
    else:
        remote = RemoteStatus.CANCELLED if status == "VOIDED" else RemoteStatus.PENDING
        detail = None
    return Observation(order["id"], remote, payer=_payer(order), detail=detail)


def _payer(order: Mapping[str, Any]) -> str | None:
    name = (order.get("payer") or {}).get("name") or {}
    full = " ".join(part for part in (name.get("given_name"), name.get("surname")) if part)
    return full or None


def _verified_event(account: Account, body: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
    """The notification's event, after PayPal confirmed it sent exactly this to this webhook."""
    claim = {name: headers.get(header, "") for name, header in TRANSMISSION_HEADERS.items()}
    if not all(claim.values()):
        raise WebhookRejected("the PayPal notification lacks its transmission headers")
    try:
        event = json.loads(body)
    except ValueError as error:
        raise WebhookRejected("the PayPal notification is not JSON") from error
    if not isinstance(event, dict) or not event.get("id"):
        raise WebhookRejected("the PayPal notification is not an event")
    try:
        answer = _api(
            account,
            "POST",
            "/v1/notifications/verify-webhook-signature",
            json={**claim, "webhook_id": account.settings["webhook_id"], "webhook_event": event},
        )
    except http.HttpRefused as refused:
        raise WebhookRejected(f"PayPal refused to verify the notification: {refused}") from refused
    if answer.get("verification_status") != "SUCCESS":
        raise WebhookRejected("PayPal does not confirm this notification")
    return event


def _order_id_of(event: Mapping[str, Any]) -> str | None:
    resource = event.get("resource") or {}
    if event.get("event_type", "").startswith("CHECKOUT.ORDER."):
        return resource.get("id")
    return _related_order_id(resource)


def _related_order_id(capture: Mapping[str, Any]) -> str | None:
    related = (capture.get("supplementary_data") or {}).get("related_ids") or {}
    return related.get("order_id")
