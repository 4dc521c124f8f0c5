"""PayPal's REST API as far as a checkout with Orders v2 uses it, for testing the PayPal client.

Follows PayPal's published REST reference (developer.paypal.com, as of 2025):
"Authentication" (``POST /v1/oauth2/token``, client credentials with HTTP Basic,
``{"error": "invalid_client", "error_description": "Client Authentication
failed"}`` with 401 for wrong ones), "Orders v2" (create, show, capture),
"Payments v2" (show capture, refund, show refund), "Webhooks v1" (event
delivery with the ``PAYPAL-TRANSMISSION-*`` / ``PAYPAL-CERT-URL`` /
``PAYPAL-AUTH-ALGO`` headers, ``POST /v1/notifications/verify-webhook-signature``),
"Idempotency" (``PayPal-Request-Id``: the same id returns the earlier result
instead of doing the work again) and "Errors" (``name``, ``message``,
``debug_id``, ``details[]`` with ``issue``/``description``/``field``/
``location``, ``links``; a ``PayPal-Debug-Id`` header on every answer).
Issue names used: INVALID_REQUEST (MALFORMED_REQUEST_JSON,
MISSING_REQUIRED_PARAMETER, INVALID_PARAMETER_SYNTAX, INVALID_PARAMETER_VALUE,
INVALID_STRING_LENGTH),
RESOURCE_NOT_FOUND (INVALID_RESOURCE_ID), UNPROCESSABLE_ENTITY
(ORDER_NOT_APPROVED, ORDER_ALREADY_CAPTURED, DECIMAL_PRECISION,
CANNOT_BE_ZERO_OR_NEGATIVE, ITEM_TOTAL_REQUIRED, ITEM_TOTAL_MISMATCH, AMOUNT_MISMATCH,
DUPLICATE_INVOICE_ID, INSTRUMENT_DECLINED, CURRENCY_MISMATCH,
REFUND_AMOUNT_EXCEEDED, CAPTURE_FULLY_REFUNDED), AUTHENTICATION_FAILURE,
INTERNAL_SERVER_ERROR, SERVICE_UNAVAILABLE.

Implemented: intent CAPTURE with 1..10 purchase units (amount as decimal
string with the currency's precision, optional breakdown/items checked like
PayPal does, custom_id, invoice_id, description, reference_id); the order
flow CREATED (or PAYER_ACTION_REQUIRED when ``payment_source.paypal.
experience_context`` is used, with ``rel=payer-action`` instead of
``rel=approve``) → APPROVED → COMPLETED; an approval page without JavaScript
(``GET /checkoutnow?token=<order>``) whose buttons redirect to ``return_url``
with ``?token=<order>&PayerID=<payer>`` or to ``cancel_url`` with
``?token=<order>``; captures that complete, stay PENDING or are declined
(``next_capture_outcome``); full and partial refunds, listed with their
``custom_id`` in the order's ``purchase_units[].payments.refunds``; webhook events
CHECKOUT.ORDER.APPROVED, PAYMENT.CAPTURE.COMPLETED / PENDING / REFUNDED
signed as PayPal documents it (SHA256withRSA over
``<transmission id>|<time>|<webhook id>|<crc32 of the body>``, the
certificate served at ``PAYPAL-CERT-URL``) so both online and offline
verification work, and the verify endpoint answers SUCCESS only for an event
exactly as it was sent with its own headers and webhook id.

Left out deliberately: intent AUTHORIZE and authorizations, PATCH of orders,
vaulting and payment sources other than the PayPal wallet, order expiry,
shipping, disputes, payouts, the JavaScript SDK, retries of webhook delivery
(the test calls ``deliver_events()``; PayPal would retry for three days),
``Prefer: return=minimal`` on capture (captures are always answered in full).

The test controls it through :class:`PayPalSandbox`: ``approve(order_id)``
(as the payer's click would), ``fail_next(n, status)``,
``drop_after_accepting(n, path)``, ``down`` (hang up at once), ``expire_tokens()``,
``forget_request_ids()``, ``fail_refund(refund_id)``,
``next_capture_outcome``, ``complete_pending(capture_id)``, ``webhook_url``
and ``deliver_events()`` / ``send_event(...)``, and inspects ``orders``,
``captures``, ``refunds``, ``sent_webhooks``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import html
import json
import re
import secrets
import string
import threading
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from werkzeug.wrappers import Request, Response

from tests import servers
from tests.live_server import hang_up, html_page, serving

ZERO_DECIMAL_CURRENCIES = {"HUF", "JPY", "TWD"}
VALUE_SYNTAX = re.compile(r"^-?(?:\d+|\d*\.\d+)$")
ERROR_LINK = "https://developer.paypal.com/docs/api/orders/v2/#error-"
CERT_PATH = "/v1/notifications/certs/CERT-360caa42-fca2a594-peer0001"
ISSUE_TEXT = {
    "MALFORMED_REQUEST_JSON": "The request JSON is not well formed.",
    "MISSING_REQUIRED_PARAMETER": "A required field / parameter is missing.",
    "INVALID_PARAMETER_SYNTAX": "The value of a field does not conform to the expected format.",
    "INVALID_PARAMETER_VALUE": "The value of a field is invalid.",
    "INVALID_RESOURCE_ID": "Specified resource ID does not exist. Please check the resource ID "
    "and try again.",
    "ORDER_NOT_APPROVED": "Payer has not yet approved the Order for payment. Please redirect "
    "the payer to the 'rel':'approve' url returned as part of the HATEOAS links within the "
    "Create Order call or provide a valid payment_source in the request.",
    "ORDER_ALREADY_CAPTURED": "Order already captured.If 'intent=CAPTURE' only one capture "
    "per order is allowed.",
    "DECIMAL_PRECISION": "If the currency supports decimals, only two decimal place precision "
    "is supported.",
    "CANNOT_BE_ZERO_OR_NEGATIVE": "Must be greater than zero. If the currency supports "
    "decimals, only two decimal place precision is supported.",
    "ITEM_TOTAL_MISMATCH": "Should equal sum of (unit_amount * quantity) across all items for "
    "a given purchase_unit.",
    "AMOUNT_MISMATCH": "Should equal item_total + tax_total + shipping + handling + insurance "
    "- shipping_discount - discount.",
    "DUPLICATE_INVOICE_ID": "Duplicate Invoice ID detected. To avoid a potential duplicate "
    "transaction your account setting requires that Invoice Id be unique for each transaction.",
    "INSTRUMENT_DECLINED": "The instrument presented was either declined by the processor or "
    "bank, or it can't be used for this payment.",
    "CURRENCY_MISMATCH": "Currency of capture must be the same as currency of refund.",
    "REFUND_AMOUNT_EXCEEDED": "The refund amount must be less than or equal to the capture "
    "amount that has not yet been refunded.",
    "CAPTURE_FULLY_REFUNDED": "The capture has already been fully refunded.",
}
UNPROCESSABLE = (
    "The requested action could not be performed, semantically incorrect, or failed business "
    "validation."
)
ERROR_NAMES = {
    400: (
        "INVALID_REQUEST",
        "Request is not well-formed, syntactically incorrect, or violates schema.",
    ),
    404: ("RESOURCE_NOT_FOUND", "The specified resource does not exist."),
    422: ("UNPROCESSABLE_ENTITY", UNPROCESSABLE),
    500: ("INTERNAL_SERVER_ERROR", "An internal server error has occurred."),
    503: ("SERVICE_UNAVAILABLE", "Service Unavailable."),
}


class PayPalError(Exception):
    """An error answer in PayPal's shape: status, one detail with an issue."""

    def __init__(
        self,
        status: int,
        issue: str,
        *,
        field_path: str = "",
        value: Any = None,
        location: str = "body",
    ) -> None:
        super().__init__(issue)
        self.status = status
        self.issue = issue
        self.field_path = field_path
        self.value = value
        self.location = location


@dataclass
class SentWebhook:
    """One delivery: the headers and the exact body PayPal's peer posted."""

    headers: dict[str, str]
    body: bytes
    status: int | None

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class PayPalSandbox:
    client_id: str = "amtsweg-paypal-client"
    client_secret: str = "paypal-secret"
    webhook_id: str = "8PT597110X687430LKGECATA"
    webhook_url: str = ""
    url: str = ""
    next_capture_outcome: str = "COMPLETED"  # or "PENDING", "DECLINED" (once)
    down: bool = False
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    captures: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    sent_webhooks: list[SentWebhook] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)
    _tokens: set[str] = field(default_factory=set)
    _idempotent: dict[tuple[str, str], Response] = field(default_factory=dict)
    _order_of_request: dict[str, str] = field(default_factory=dict)
    _delivered: int = 0
    _failures: list[int] = field(default_factory=list)
    _drops: int = 0
    _drop_path: str = ""
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        self._key, self._certificate = _signing_identity()

    # --- what the test controls

    def fail_next(self, count: int = 1, status: int = 503) -> None:
        """Answer the next ``count`` API calls with ``status`` (500 or 503), change nothing."""
        with self._lock:
            self._failures.extend([status] * count)

    def drop_after_accepting(self, count: int = 1, path: str = "") -> None:
        """Carry out the next ``count`` API calls (those whose path matches the regular
        expression ``path``, if given), then hang up without answering."""
        with self._lock:
            self._drops += count
            self._drop_path = path

    def forget_request_ids(self) -> None:
        """PayPal keeps a ``PayPal-Request-Id`` for a limited time only; after it, the same
        id does the work again."""
        with self._lock:
            self._idempotent.clear()

    def fail_refund(self, refund_id: str) -> None:
        """A refund PayPal could not complete (``FAILED``, as when the payer's bank returns
        it): it gives nothing back, and the order lists it as failed."""
        with self._lock:
            refund = self.refunds[refund_id]
            unit = self._unit_of(self.captures[refund["_capture_id"]])
            for made in (refund, *unit["payments"]["refunds"]):
                if made["id"] == refund_id:
                    made["status"] = "FAILED"

    def expire_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()

    def approve(self, order_id: str) -> str:
        """Approve as the payer would on the approval page; returns the redirect target."""
        with self._lock:
            return self._decide(self.orders[order_id], "approve")

    def complete_pending(self, capture_id: str) -> None:
        with self._lock:
            capture = self.captures[capture_id]
            capture["status"] = "COMPLETED"
            capture.pop("status_details", None)
            capture["update_time"] = _now()
            self._queue_event("PAYMENT.CAPTURE.COMPLETED", "capture", capture)

    def deliver_events(self) -> list[int | None]:
        """Post every event not yet delivered to ``webhook_url``; their HTTP statuses."""
        with self._lock:
            pending = self.events[self._delivered :]
            self._delivered = len(self.events)
        return [self.send_event(event).status for event in pending]

    def send_event(self, event: dict[str, Any]) -> SentWebhook:
        """Sign and post ``event`` as PayPal does (outside the lock: the receiver may call back)."""
        body = json.dumps(event).encode()
        transmission_id = str(uuid.uuid1())
        transmission_time = _now()
        message = f"{transmission_id}|{transmission_time}|{self.webhook_id}|{zlib.crc32(body)}"
        signature = self._key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())
        headers = {
            "Content-Type": "application/json",
            "PAYPAL-TRANSMISSION-ID": transmission_id,
            "PAYPAL-TRANSMISSION-TIME": transmission_time,
            "PAYPAL-TRANSMISSION-SIG": base64.b64encode(signature).decode(),
            "PAYPAL-CERT-URL": self.url + CERT_PATH,
            "PAYPAL-AUTH-ALGO": "SHA256withRSA",
        }
        sent = SentWebhook(headers, body, None)
        with self._lock:
            self.sent_webhooks.append(sent)
        try:
            answer = requests.post(self.webhook_url, data=body, headers=headers, timeout=10)
            sent.status = answer.status_code
        except requests.ConnectionError:
            sent.status = None
        return sent

    # --- WSGI

    @Request.application
    def __call__(self, request: Request) -> Response:
        if self.down:
            hang_up(request)
            return Response(status=503)
        routes: list[tuple[str, str, Callable[..., Response]]] = [
            ("POST", r"/v1/oauth2/token", self._token),
            ("POST", r"/v2/checkout/orders", self._create_order),
            ("GET", r"/v2/checkout/orders/(?P<order_id>\w+)", self._show_order),
            ("POST", r"/v2/checkout/orders/(?P<order_id>\w+)/capture", self._capture),
            ("GET", r"/v2/payments/captures/(?P<capture_id>\w+)", self._show_capture),
            ("POST", r"/v2/payments/captures/(?P<capture_id>\w+)/refund", self._refund),
            ("GET", r"/v2/payments/refunds/(?P<refund_id>\w+)", self._show_refund),
            ("POST", r"/v1/notifications/verify-webhook-signature", self._verify),
            ("GET", re.escape(CERT_PATH), self._certificate_pem),
            ("GET", r"/checkoutnow", self._approval_page),
            ("POST", r"/checkoutnow/(?P<order_id>\w+)", self._approval_decision),
        ]
        with self._lock:
            self.calls.append((request.method, request.full_path))
            for method, pattern, handler in routes:
                match = re.fullmatch(pattern, request.path)
                if match and request.method == method:
                    return self._answer(request, handler, match.groupdict())
        return _error(PayPalError(404, "INVALID_RESOURCE_ID", location="path"))

    def _answer(
        self, request: Request, handler: Callable[..., Response], args: dict[str, str]
    ) -> Response:
        is_api = request.path.startswith(("/v1/", "/v2/")) and handler != self._certificate_pem
        if is_api and self._failures:
            return _error(PayPalError(self._failures.pop(0), ""))
        if is_api and handler != self._token and not self._bearer_ok(request):
            return _json(
                {
                    "name": "AUTHENTICATION_FAILURE",
                    "message": "Authentication failed due to invalid authentication "
                    "credentials or a missing Authorization header.",
                    "links": [
                        {
                            "href": "https://developer.paypal.com/docs/api/overview/#error",
                            "rel": "information_link",
                        }
                    ],
                },
                401,
            )
        try:
            response = handler(request, **args)
        except PayPalError as error:
            response = _error(error)
        if is_api and self._drops and re.search(self._drop_path, request.path):
            self._drops -= 1
            hang_up(request)
        return response

    def _bearer_ok(self, request: Request) -> bool:
        auth = request.headers.get("Authorization", "")
        return auth.startswith("Bearer ") and auth.removeprefix("Bearer ") in self._tokens

    # --- authentication

    def _token(self, request: Request) -> Response:
        auth = request.authorization
        basic_ok = (
            auth is not None
            and auth.type == "basic"
            and (auth.username, auth.password) == (self.client_id, self.client_secret)
        )
        if not basic_ok:
            return _json(
                {"error": "invalid_client", "error_description": "Client Authentication failed"},
                401,
            )
        grant_type = request.form.get("grant_type")
        if grant_type != "client_credentials":
            description = "Grant Type is NULL" if grant_type is None else "Unsupported grant_type"
            return _json({"error": "unsupported_grant_type", "error_description": description}, 400)
        token = "A21AA" + secrets.token_urlsafe(48)
        self._tokens.add(token)
        return _json(
            {
                "scope": "https://uri.paypal.com/services/payments/payment "
                "https://uri.paypal.com/services/payments/refund",
                "access_token": token,
                "token_type": "Bearer",
                "app_id": "APP-80W284485P519543T",
                "expires_in": 32400,
                "nonce": f"{_now()}{secrets.token_urlsafe(16)}",
            }
        )

    # --- orders

    def _create_order(self, request: Request) -> Response:
        request_id = request.headers.get("PayPal-Request-Id")
        if request_id and request_id in self._order_of_request:
            order = self.orders[self._order_of_request[request_id]]
            return _json(self._order_view(order, request), 200)
        body = _body(request)
        order = self._new_order(body)
        if request_id:
            self._order_of_request[request_id] = order["id"]
        return _json(self._order_view(order, request), 201)

    def _new_order(self, body: dict[str, Any]) -> dict[str, Any]:
        intent = body.get("intent")
        if intent is None:
            raise PayPalError(400, "MISSING_REQUIRED_PARAMETER", field_path="/intent")
        if intent != "CAPTURE":
            raise PayPalError(400, "INVALID_PARAMETER_VALUE", field_path="/intent", value=intent)
        units = body.get("purchase_units")
        if not isinstance(units, list) or not units:
            raise PayPalError(400, "MISSING_REQUIRED_PARAMETER", field_path="/purchase_units")
        if len(units) > 10:
            raise PayPalError(400, "INVALID_PARAMETER_VALUE", field_path="/purchase_units")
        wallet = (body.get("payment_source") or {}).get("paypal") or {}
        context = wallet.get("experience_context") or body.get("application_context") or {}
        _check_redirect_urls(
            context,
            "/payment_source/paypal/experience_context" if wallet else "/application_context",
        )
        order_id = _paypal_id()
        now = _now()
        order = {
            "id": order_id,
            "intent": "CAPTURE",
            "status": "PAYER_ACTION_REQUIRED" if wallet else "CREATED",
            "purchase_units": [
                _purchase_unit(unit, f"/purchase_units/{index}", len(units))
                for index, unit in enumerate(units)
            ],
            "create_time": now,
            "update_time": now,
            "_context": context,
            "_uses_payment_source": bool(wallet),
        }
        self.orders[order_id] = order
        return order

    def _show_order(self, request: Request, order_id: str) -> Response:
        order = self._order(order_id)
        return _json(self._order_view(order, request, full=True))

    def _order(self, order_id: str) -> dict[str, Any]:
        if order_id not in self.orders:
            raise PayPalError(
                404, "INVALID_RESOURCE_ID", field_path="order_id", value=order_id, location="path"
            )
        return self.orders[order_id]

    def _order_view(
        self, order: dict[str, Any], request: Request, *, full: bool = False
    ) -> dict[str, Any]:
        api = f"{self.url}/v2/checkout/orders/{order['id']}"
        links = [{"href": api, "rel": "self", "method": "GET"}]
        if order["status"] in ("CREATED", "PAYER_ACTION_REQUIRED"):
            rel = "payer-action" if order["_uses_payment_source"] else "approve"
            approve = f"{self.url}/checkoutnow?{urlencode({'token': order['id']})}"
            links.append({"href": approve, "rel": rel, "method": "GET"})
        if order["status"] != "COMPLETED":
            links.append({"href": api, "rel": "update", "method": "PATCH"})
            links.append({"href": f"{api}/capture", "rel": "capture", "method": "POST"})
        visible = {k: v for k, v in order.items() if not k.startswith("_")}
        representation = request.headers.get("Prefer", "") == "return=representation"
        if full or representation:
            return {**visible, "links": links}
        minimal = {"id": order["id"], "status": order["status"], "links": links}
        if "payment_source" in order:
            minimal["payment_source"] = order["payment_source"]
        return minimal

    def _capture(self, request: Request, order_id: str) -> Response:
        key = ("capture", request.headers.get("PayPal-Request-Id", ""))
        if key[1] and key in self._idempotent:
            return self._idempotent[key]
        order = self._order(order_id)
        if order["status"] == "COMPLETED":
            raise PayPalError(422, "ORDER_ALREADY_CAPTURED")
        if order["status"] != "APPROVED":
            raise PayPalError(422, "ORDER_NOT_APPROVED")
        outcome, self.next_capture_outcome = self.next_capture_outcome, "COMPLETED"
        if outcome == "DECLINED":
            raise PayPalError(422, "INSTRUMENT_DECLINED")
        self._refuse_duplicate_invoice(order)
        for unit in order["purchase_units"]:
            capture = self._new_capture(order, unit, outcome)
            unit["payments"] = {"captures": [capture]}
            self._queue_event(f"PAYMENT.CAPTURE.{outcome}", "capture", capture)
        order["status"] = "COMPLETED"
        order["update_time"] = _now()
        response = _json(self._order_view(order, request, full=True), 201)
        if key[1]:
            self._idempotent[key] = response
        return response

    def _refuse_duplicate_invoice(self, order: dict[str, Any]) -> None:
        captured = {c.get("invoice_id") for c in self.captures.values()} - {None}
        if any(unit.get("invoice_id") in captured for unit in order["purchase_units"]):
            raise PayPalError(422, "DUPLICATE_INVOICE_ID")

    def _new_capture(
        self, order: dict[str, Any], unit: dict[str, Any], outcome: str
    ) -> dict[str, Any]:
        capture_id = _paypal_id()
        api = f"{self.url}/v2/payments/captures/{capture_id}"
        amount = {
            "currency_code": unit["amount"]["currency_code"],
            "value": unit["amount"]["value"],
        }
        capture = {
            "id": capture_id,
            "status": outcome,
            "amount": amount,
            "final_capture": True,
            "seller_protection": {
                "status": "ELIGIBLE",
                "dispute_categories": ["ITEM_NOT_RECEIVED", "UNAUTHORIZED_TRANSACTION"],
            },
            "seller_receivable_breakdown": {
                "gross_amount": dict(amount),
                "paypal_fee": _money(amount["currency_code"], Decimal(0)),
                "net_amount": dict(amount),
            },
            "supplementary_data": {"related_ids": {"order_id": order["id"]}},
            "links": [
                {"href": api, "rel": "self", "method": "GET"},
                {"href": f"{api}/refund", "rel": "refund", "method": "POST"},
                {
                    "href": f"{self.url}/v2/checkout/orders/{order['id']}",
                    "rel": "up",
                    "method": "GET",
                },
            ],
            "create_time": _now(),
            "update_time": _now(),
        }
        if outcome == "PENDING":
            capture["status_details"] = {"reason": "PENDING_REVIEW"}
        for optional in ("custom_id", "invoice_id"):
            if optional in unit:
                capture[optional] = unit[optional]
        self.captures[capture_id] = capture
        return capture

    def _show_capture(self, _request: Request, capture_id: str) -> Response:
        return _json(self._capture_of(capture_id))

    def _capture_of(self, capture_id: str) -> dict[str, Any]:
        if capture_id not in self.captures:
            raise PayPalError(
                404,
                "INVALID_RESOURCE_ID",
                field_path="capture_id",
                value=capture_id,
                location="path",
            )
        return self.captures[capture_id]

    # --- refunds

    def _refund(self, request: Request, capture_id: str) -> Response:
        key = ("refund", request.headers.get("PayPal-Request-Id", ""))
        if key[1] and key in self._idempotent:
            return self._idempotent[key]
        capture = self._capture_of(capture_id)
        body = _body(request) if request.get_data() else {}
        currency = capture["amount"]["currency_code"]
        remaining = Decimal(capture["amount"]["value"]) - self._refunded(capture_id)
        if capture["status"] == "REFUNDED":
            raise PayPalError(422, "CAPTURE_FULLY_REFUNDED")
        if "amount" in body:
            requested = _amount(body["amount"], "/amount")
            if body["amount"]["currency_code"] != currency:
                raise PayPalError(422, "CURRENCY_MISMATCH", field_path="/amount/currency_code")
        else:
            requested = remaining
        if requested > remaining:
            raise PayPalError(
                422,
                "REFUND_AMOUNT_EXCEEDED",
                field_path="/amount/value",
                value=body["amount"]["value"],
            )
        refund_id = _paypal_id()
        refund = {
            "id": refund_id,
            "status": "COMPLETED",
            "amount": _money(currency, requested),
            "links": [
                {
                    "href": f"{self.url}/v2/payments/refunds/{refund_id}",
                    "rel": "self",
                    "method": "GET",
                },
                {
                    "href": f"{self.url}/v2/payments/captures/{capture_id}",
                    "rel": "up",
                    "method": "GET",
                },
            ],
            "create_time": _now(),
            "update_time": _now(),
            "_capture_id": capture_id,
        }
        for optional in ("invoice_id", "note_to_payer", "custom_id"):
            if optional in body:
                refund[optional] = body[optional]
        self.refunds[refund_id] = refund
        fully = self._refunded(capture_id) == Decimal(capture["amount"]["value"])
        capture["status"] = "REFUNDED" if fully else "PARTIALLY_REFUNDED"
        capture["update_time"] = _now()
        visible = _visible(refund)
        self._unit_of(capture)["payments"].setdefault("refunds", []).append(visible)
        self._queue_event("PAYMENT.CAPTURE.REFUNDED", "refund", visible)
        response = _json(visible, 201)
        if key[1]:
            self._idempotent[key] = response
        return response

    def _unit_of(self, capture: dict[str, Any]) -> dict[str, Any]:
        """The purchase unit whose payments hold ``capture``: its order lists the refunds."""
        order = self.orders[capture["supplementary_data"]["related_ids"]["order_id"]]
        return next(
            unit
            for unit in order["purchase_units"]
            if capture in unit.get("payments", {}).get("captures", [])
        )

    def _refunded(self, capture_id: str) -> Decimal:
        return sum(
            (
                Decimal(r["amount"]["value"])
                for r in self.refunds.values()
                if r["_capture_id"] == capture_id and r["status"] != "FAILED"
            ),
            Decimal(0),
        )

    def _show_refund(self, _request: Request, refund_id: str) -> Response:
        if refund_id not in self.refunds:
            raise PayPalError(
                404, "INVALID_RESOURCE_ID", field_path="refund_id", value=refund_id, location="path"
            )
        return _json(_visible(self.refunds[refund_id]))

    # --- the payer's approval page

    def _approval_page(self, request: Request) -> Response:
        order = self.orders.get(request.args.get("token", ""))
        if order is None or order["status"] not in ("CREATED", "PAYER_ACTION_REQUIRED"):
            return html_page(
                "Zahlung nicht gefunden", "<p>Diese Zahlung gibt es nicht (mehr).</p>", 404
            )
        amount = order["purchase_units"][0]["amount"]
        total = html.escape(f"{amount['value']} {amount['currency_code']}")
        action = html.escape(f"{self.url}/checkoutnow/{order['id']}")
        body = (
            f"<p>Betrag: <strong>{total}</strong></p>"
            f'<form method="post" action="{action}">'
            '<button type="submit" name="decision" value="approve">Jetzt bezahlen</button> '
            '<button type="submit" name="decision" value="cancel">Abbrechen und zurück'
            "</button></form>"
        )
        return html_page("Mit PayPal bezahlen", body)

    def _approval_decision(self, request: Request, order_id: str) -> Response:
        order = self.orders.get(order_id)
        decision = request.form.get("decision", "")
        if order is None or decision not in ("approve", "cancel"):
            return html_page("Zahlung nicht gefunden", "<p>Diese Zahlung gibt es nicht.</p>", 404)
        target = self._decide(order, decision)
        if not target:
            return html_page("Fertig", "<p>Sie können dieses Fenster schließen.</p>")
        return Response(status=302, headers={"Location": target})

    def _decide(self, order: dict[str, Any], decision: str) -> str:
        context = order["_context"]
        if decision == "cancel":
            target = context.get("cancel_url", "")
            return _with_query(target, {"token": order["id"]}) if target else ""
        payer_id = _paypal_id(13)
        payer = {
            "name": {"given_name": "Erika", "surname": "Mustermann"},
            "email_address": "erika.mustermann@example.com",
            "payer_id": payer_id,
            "address": {"country_code": "DE"},
        }
        order.update(
            status="APPROVED",
            payer=payer,
            payment_source={
                "paypal": {
                    "email_address": payer["email_address"],
                    "account_id": payer_id,
                    "account_status": "VERIFIED",
                    "name": payer["name"],
                    "address": payer["address"],
                }
            },
            update_time=_now(),
        )
        self._queue_event("CHECKOUT.ORDER.APPROVED", "checkout-order", _visible(order))
        target = context.get("return_url", "")
        return _with_query(target, {"token": order["id"], "PayerID": payer_id}) if target else ""

    # --- webhooks

    def _queue_event(self, event_type: str, resource_type: str, resource: dict[str, Any]) -> None:
        summaries = {
            "CHECKOUT.ORDER.APPROVED": "An order has been approved by buyer",
            "PAYMENT.CAPTURE.COMPLETED": "Payment completed",
            "PAYMENT.CAPTURE.PENDING": "Payment pending",
            "PAYMENT.CAPTURE.REFUNDED": "A capture payment was refunded",
        }
        event_id = f"WH-{_paypal_id()}-{_paypal_id()}"
        self.events.append(
            {
                "id": event_id,
                "event_version": "1.0",
                "create_time": _now(),
                "resource_type": resource_type,
                "resource_version": "2.0",
                "event_type": event_type,
                "summary": summaries[event_type],
                "resource": json.loads(json.dumps(_visible(resource))),
                "links": [
                    {
                        "href": f"{self.url}/v1/notifications/webhooks-events/{event_id}",
                        "rel": "self",
                        "method": "GET",
                    },
                ],
            }
        )

    def _verify(self, request: Request) -> Response:
        body = _body(request)
        required = (
            "auth_algo",
            "cert_url",
            "transmission_id",
            "transmission_sig",
            "transmission_time",
            "webhook_id",
            "webhook_event",
        )
        missing = [name for name in required if not body.get(name)]
        if missing:
            return _json(
                {
                    "name": "VALIDATION_ERROR",
                    "message": "Invalid request - see details",
                    "debug_id": _debug_id(),
                    "details": [
                        {
                            "field": name,
                            "location": "body",
                            "issue": "Required field cannot be blank",
                        }
                        for name in missing
                    ],
                    "links": [],
                },
                400,
            )
        status = "SUCCESS" if self._sent_exactly(body) else "FAILURE"
        return _json({"verification_status": status})

    def _sent_exactly(self, claim: dict[str, Any]) -> bool:
        for sent in self.sent_webhooks:
            headers = sent.headers
            if headers["PAYPAL-TRANSMISSION-ID"] == claim["transmission_id"]:
                return (
                    claim["webhook_id"] == self.webhook_id
                    and claim["transmission_time"] == headers["PAYPAL-TRANSMISSION-TIME"]
                    and claim["transmission_sig"] == headers["PAYPAL-TRANSMISSION-SIG"]
                    and claim["cert_url"] == headers["PAYPAL-CERT-URL"]
                    and claim["auth_algo"] == headers["PAYPAL-AUTH-ALGO"]
                    and claim["webhook_event"] == sent.event
                )
        return False

    def _certificate_pem(self, _request: Request) -> Response:
        pem = self._certificate.public_bytes(serialization.Encoding.PEM)
        return Response(pem, mimetype="application/x-pem-file")


# --- validation of amounts and purchase units


def _check_redirect_urls(context: dict[str, Any], pointer: str) -> None:
    """``return_url`` and ``cancel_url`` are absolute URIs of 10 to 4,000 characters
    (Orders v2: ``format: uri``); PayPal refuses anything else."""
    for name in ("return_url", "cancel_url"):
        url = context.get(name)
        if url is None:
            continue
        parts = urlsplit(url) if isinstance(url, str) else None
        if not (parts and parts.scheme in {"http", "https"} and parts.netloc) or not (
            10 <= len(url) <= 4000
        ):
            raise PayPalError(
                400, "INVALID_PARAMETER_SYNTAX", field_path=f"{pointer}/{name}", value=str(url)
            )


def _purchase_unit(unit: Any, pointer: str, count: int) -> dict[str, Any]:
    if not isinstance(unit, dict) or "amount" not in unit:
        raise PayPalError(400, "MISSING_REQUIRED_PARAMETER", field_path=f"{pointer}/amount")
    amount = unit["amount"]
    total = _amount(amount, f"{pointer}/amount")
    if total <= 0:
        raise PayPalError(
            422,
            "CANNOT_BE_ZERO_OR_NEGATIVE",
            field_path=f"{pointer}/amount/value",
            value=amount["value"],
        )
    _check_breakdown(unit, amount, total, pointer)
    if count > 1 and not unit.get("reference_id"):
        raise PayPalError(400, "MISSING_REQUIRED_PARAMETER", field_path=f"{pointer}/reference_id")
    for text_field in ("custom_id", "invoice_id"):
        if len(str(unit.get(text_field, ""))) > 127:
            raise PayPalError(400, "INVALID_STRING_LENGTH", field_path=f"{pointer}/{text_field}")
    kept = {
        k: unit[k]
        for k in (
            "reference_id",
            "description",
            "custom_id",
            "invoice_id",
            "soft_descriptor",
            "items",
        )
        if k in unit
    }
    return {
        "reference_id": unit.get("reference_id", "default"),
        "amount": amount,
        "payee": {"email_address": "kasse@example.org", "merchant_id": "MERCHANT7PEER"},
        **kept,
    }


def _check_breakdown(
    unit: dict[str, Any], amount: dict[str, Any], total: Decimal, pointer: str
) -> None:
    breakdown = amount.get("breakdown") or {}
    items = unit.get("items") or []
    if items and "item_total" not in breakdown:
        raise PayPalError(422, "ITEM_TOTAL_REQUIRED", field_path=f"{pointer}/amount/breakdown")
    if items:
        item_sum = sum(
            (
                _amount(item["unit_amount"], f"{pointer}/items/{i}/unit_amount")
                * int(item.get("quantity", "1"))
                for i, item in enumerate(items)
            ),
            Decimal(0),
        )
        if item_sum != _amount(breakdown["item_total"], f"{pointer}/amount/breakdown/item_total"):
            raise PayPalError(
                422, "ITEM_TOTAL_MISMATCH", field_path=f"{pointer}/amount/breakdown/item_total"
            )
    if breakdown:
        parts = {
            name: _amount(value, f"{pointer}/amount/breakdown/{name}")
            for name, value in breakdown.items()
        }
        minus = parts.pop("shipping_discount", Decimal(0)) + parts.pop("discount", Decimal(0))
        if sum(parts.values(), Decimal(0)) - minus != total:
            raise PayPalError(422, "AMOUNT_MISMATCH", field_path=f"{pointer}/amount/value")


def _amount(money: Any, pointer: str) -> Decimal:
    if not isinstance(money, dict):
        raise PayPalError(400, "MISSING_REQUIRED_PARAMETER", field_path=pointer)
    for part in ("currency_code", "value"):
        if part not in money:
            raise PayPalError(400, "MISSING_REQUIRED_PARAMETER", field_path=f"{pointer}/{part}")
    currency, value = money["currency_code"], money["value"]
    if not (isinstance(currency, str) and re.fullmatch(r"[A-Z]{3}", currency)):
        raise PayPalError(
            400, "INVALID_PARAMETER_SYNTAX", field_path=f"{pointer}/currency_code", value=currency
        )
    if not (isinstance(value, str) and VALUE_SYNTAX.match(value) and len(value) <= 32):
        raise PayPalError(
            400, "INVALID_PARAMETER_SYNTAX", field_path=f"{pointer}/value", value=value
        )
    places = 0 if currency in ZERO_DECIMAL_CURRENCIES else 2
    decimals = len(value.partition(".")[2])
    if decimals > places:
        raise PayPalError(422, "DECIMAL_PRECISION", field_path=f"{pointer}/value", value=value)
    return Decimal(value)


def _money(currency: str, value: Decimal) -> dict[str, str]:
    places = 0 if currency in ZERO_DECIMAL_CURRENCIES else 2
    return {"currency_code": currency, "value": f"{value:.{places}f}"}


# --- small helpers


def _body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(request.get_data() or b"{}")
    except ValueError:
        raise PayPalError(400, "MALFORMED_REQUEST_JSON") from None
    if not isinstance(body, dict):
        raise PayPalError(400, "MALFORMED_REQUEST_JSON")
    return body


def _visible(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if not k.startswith("_")}


def _paypal_id(length: int = 17) -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _debug_id() -> str:
    return binascii.hexlify(secrets.token_bytes(7)).decode()[:13]


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _with_query(url: str, params: dict[str, str]) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


def _json(document: Any, status: int = 200) -> Response:
    return Response(
        json.dumps(document),
        status=status,
        mimetype="application/json",
        headers={"PayPal-Debug-Id": _debug_id()},
    )


def _error(error: PayPalError) -> Response:
    name, message = ERROR_NAMES[error.status]
    document: dict[str, Any] = {"name": name, "message": message, "debug_id": _debug_id()}
    if error.issue:
        detail: dict[str, Any] = {
            "issue": error.issue,
            "description": ISSUE_TEXT.get(error.issue, error.issue),
        }
        if error.field_path:
            detail.update(field=error.field_path, location=error.location)
        if error.value is not None:
            detail["value"] = str(error.value)
        document["details"] = [detail]
        document["links"] = [
            {"href": ERROR_LINK + error.issue, "rel": "information_link", "method": "GET"}
        ]
    return _json(document, error.status)


@functools.cache
def _signing_identity() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A key and self-signed certificate standing in for PayPal's webhook signing certificate
    (made once per run: generating RSA keys is slow)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "messageverificationcerts.peer")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return key, certificate


@contextmanager
def running_paypal(**options: Any) -> Iterator[PayPalSandbox]:
    sandbox = PayPalSandbox(**options)
    port = servers.free_port()
    sandbox.url = f"http://127.0.0.1:{port}"
    with serving(sandbox, port):
        yield sandbox


@pytest.fixture
def paypal() -> Iterator[PayPalSandbox]:
    """PayPal's REST API on ``.url`` (client ``.client_id``/``.client_secret``)."""
    with running_paypal() as sandbox:
        yield sandbox
