"""Checkout Sessions for PyPI ``localstripe``, which has none, following Stripe's published API.

Run as ``python -m tests.peers.localstripe_checkout --port N``: localstripe's own
server, with its PaymentIntents, refunds and signed webhooks, plus the Checkout
Session resource as docs.stripe.com/api/checkout/sessions describes it:

- ``POST /v1/checkout/sessions`` (mode ``payment``; ``line_items`` with
  ``price_data`` = ``currency``, ``unit_amount``, ``product_data.name``, and a
  ``quantity``; ``success_url``; optional ``cancel_url``,
  ``client_reference_id``, ``payment_method_types``, ``metadata``,
  ``payment_intent_data.description``/``.metadata``, ``expires_at`` 30 minutes to
  24 hours ahead, default 24 hours). Missing parameters are 400
  ``parameter_missing`` with ``param``.
- ``GET /v1/checkout/sessions/{id}``: ``status`` ``open`` → ``complete`` or
  ``expired``, ``payment_status`` ``unpaid`` → ``paid``, ``payment_intent``
  ``null`` until the customer confirms (API versions since 2022-08-01 create it
  then), ``amount_total``, ``currency``, ``url``, ``expires_at``, …
- ``POST /v1/checkout/sessions/{id}/expire``: only an ``open`` session; else 400
  with Stripe's message. Sends ``checkout.session.expired``.
- Idempotent requests (docs.stripe.com/api/idempotent_requests), which localstripe
  lacks, for every ``POST`` (sessions, refunds, …): an ``Idempotency-Key`` used
  again by the same account with the same parameters gets the first answer again
  (``Idempotent-Replayed: true``), with other parameters 400 ``idempotency_error``.
  Unlike Stripe, a request that failed keeps nothing, and keys do not expire after
  24 hours.

What the customer does on Stripe's hosted page is the test's control (the page
itself is not served): ``POST /v1/checkout/sessions/{id}/_pay`` with ``card``
(a test card number). It creates a card PaymentMethod and a localstripe
PaymentIntent with the session's amount, currency, description and
``payment_intent_data.metadata``, and confirms it: paid, the session completes
(``checkout.session.completed``, signed by localstripe, besides the
PaymentIntent's own ``payment_intent.succeeded``); declined (e.g.
``4000000000000341``), the session stays open with the failed PaymentIntent, as
Checkout lets the customer try another card. Sessions that pass their
``expires_at`` do not expire by themselves here (the test calls ``expire``).

A refund that fails after it was made (docs.stripe.com/refunds, "Failed refunds":
the card issuer cannot take the money back, a cancelled card, say) is the test's
control too: ``POST /v1/refunds/{id}/_fail`` with ``failure_reason`` (Stripe's
codes: ``lost_or_stolen_card``, ``expired_or_canceled_card``, ``unknown``, …). The
refund's ``status`` becomes ``failed`` with that reason, the charge's
``amount_refunded`` no longer counts it, and ``refund.failed`` is sent, signed.

Not emulated: the hosted page, ``line_items`` with a ``price`` id, other modes,
customers, discounts, tax, ``checkout.session.async_payment_*`` (no delayed
payment methods), listing sessions, Connect's ``Stripe-Account`` header. The
store is kept in memory only (localstripe's pickle in /tmp is shared by every
localstripe on the machine).
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from aiohttp import web
from localstripe import resources, server
from localstripe.errors import UserError
from localstripe.resources import Charge, Event, PaymentIntent, PaymentMethod, Refund, StripeObject
from localstripe.webhooks import schedule_webhook

DAY = 24 * 60 * 60
HOSTED_PAGE = "https://checkout.stripe.com/c/pay/"


def _missing(param: str) -> UserError:
    return UserError(
        400, f"Missing required param: {param}.", {"code": "parameter_missing", "param": param}
    )


def _invalid(param: str, message: str) -> UserError:
    return UserError(400, message, {"code": "parameter_invalid_integer", "param": param})


def _integer(value: Any, param: str, minimum: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _invalid(param, f"Invalid integer: {value}") from None
    if number < minimum:
        raise _invalid(param, f"This value must be greater than or equal to {minimum}.")
    return number


class CheckoutSession(StripeObject):
    object = "checkout.session"
    _id_prefix = "cs_test_"

    def __init__(  # noqa: PLR0917 - Stripe's parameters, passed by name
        self,
        mode: str | None = None,
        line_items: list[dict[str, Any]] | None = None,
        success_url: str | None = None,
        cancel_url: str | None = None,
        client_reference_id: str | None = None,
        payment_method_types: list[str] | None = None,
        payment_intent_data: dict[str, Any] | None = None,
        metadata: dict[str, str] | None = None,
        expires_at: str | None = None,
    ) -> None:
        if not mode:
            raise _missing("mode")
        if mode != "payment":
            raise UserError(400, "Only mode=payment is emulated.", {"param": "mode"})
        if not line_items:
            raise _missing("line_items")
        if not success_url:
            raise _missing("success_url")
        items = [self._item(index, item) for index, item in enumerate(line_items)]
        currencies = {item["currency"] for item in items}
        if len(currencies) != 1:
            raise UserError(400, "All line items must use the same currency.")
        now = int(time.time())
        expiry = now + DAY if expires_at is None else int(expires_at)
        if not now + 30 * 60 <= expiry <= now + DAY:
            raise _invalid("expires_at", "expires_at must be 30 minutes to 24 hours ahead.")
        super().__init__()
        self.mode = mode
        self.status = "open"
        self.payment_status = "unpaid"
        self.url = HOSTED_PAGE + self.id
        self.success_url = success_url
        self.cancel_url = cancel_url
        self.client_reference_id = client_reference_id
        self.payment_method_types = payment_method_types or ["card"]
        self.metadata = metadata or {}
        self.currency = currencies.pop()
        self.amount_subtotal = self.amount_total = sum(item["amount_total"] for item in items)
        self.expires_at = expiry
        self.payment_intent = None
        self.customer_details = None
        self._items = items
        self._intent_data = payment_intent_data or {}

    @staticmethod
    def _item(index: int, item: dict[str, Any]) -> dict[str, Any]:
        prefix = f"line_items[{index}]"
        price = item.get("price_data")
        if not isinstance(price, dict):
            raise _missing(f"{prefix}[price_data]")
        for key in ("currency", "unit_amount"):
            if key not in price:
                raise _missing(f"{prefix}[price_data][{key}]")
        if not (price.get("product_data") or {}).get("name"):
            raise _missing(f"{prefix}[price_data][product_data][name]")
        if "quantity" not in item:
            raise _missing(f"{prefix}[quantity]")
        unit = _integer(price["unit_amount"], f"{prefix}[price_data][unit_amount]", 0)
        quantity = _integer(item["quantity"], f"{prefix}[quantity]", 1)
        return {
            "currency": str(price["currency"]).lower(),
            "description": price["product_data"]["name"],
            "quantity": quantity,
            "amount_total": unit * quantity,
        }

    # --- the API

    @classmethod
    def _api_expire(cls, id: str, **kwargs: Any) -> CheckoutSession:  # noqa: A002 - localstripe's
        if kwargs:
            raise UserError(400, "Unexpected " + ", ".join(kwargs))
        session = cls._api_retrieve(id)
        if session.status != "open":
            raise UserError(
                400,
                'Only Checkout Sessions with a status in ["open"] can be expired. '
                f"This Checkout Session has a status of {session.status}.",
            )
        session.status = "expired"
        schedule_webhook(Event("checkout.session.expired", session))
        return session

    @classmethod
    def _api_pay(cls, id: str, card: str = "", **kwargs: Any) -> CheckoutSession:  # noqa: A002
        """The customer pays on the hosted page with the test card ``card``."""
        if kwargs:
            raise UserError(400, "Unexpected " + ", ".join(kwargs))
        session = cls._api_retrieve(id)
        if session.status != "open":
            raise UserError(400, f"The Checkout Session is {session.status}.")
        method = PaymentMethod(
            type="card",
            card={"number": card, "exp_month": "12", "exp_year": "2030", "cvc": "123"},
        )
        intent = PaymentIntent(
            amount=session.amount_total,
            currency=session.currency,
            payment_method=method.id,
            metadata=dict(session._intent_data.get("metadata") or {}),
        )
        intent.description = session._intent_data.get("description")
        session.payment_intent = intent.id
        try:
            intent._confirm(on_failure_now=intent._report_failure)
        except UserError:
            return session  # declined: the page asks for another card; the session stays open
        if intent.status == "succeeded":
            session.status = "complete"
            session.payment_status = "paid"
            session.customer_details = {"email": None, "name": "Erika Mustermann"}
            schedule_webhook(Event("checkout.session.completed", session))
        return session


def _fail_refund(id: str, failure_reason: str = "unknown", **kwargs: Any) -> Refund:  # noqa: A002
    """The card issuer could not take the refund (see the module's docstring)."""
    if kwargs:
        raise UserError(400, "Unexpected " + ", ".join(kwargs))
    refund = Refund._api_retrieve(id)
    if refund.status != "succeeded":
        raise UserError(400, f"The refund is {refund.status}.")
    refund.status = "failed"
    refund.failure_reason = failure_reason
    schedule_webhook(Event("refund.failed", refund))
    return refund


def _amount_refunded(charge: Charge) -> int:
    """What a charge gave back: a failed refund gave nothing (localstripe counts it)."""
    return sum(refund.amount for refund in charge.refunds._list if refund.status != "failed")


# (the account's secret key, Idempotency-Key) → (parameters' digest, status, body)
_replays: dict[tuple[str, str], tuple[str, int, bytes]] = {}


@web.middleware
async def idempotent_requests(request: web.Request, handler: Any) -> web.StreamResponse:
    """Stripe's idempotent requests, for every ``POST`` (localstripe has none): the first
    successful answer to a key is kept per account and answered again to a request with
    the same key and parameters (``Idempotent-Replayed: true``); other parameters are 400
    ``idempotency_error``. A request that failed keeps nothing, so it can be retried."""
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key or not request.path.startswith("/v1/"):
        return await handler(request)
    scope = (request.headers.get("Authorization", ""), key)
    data = await server.get_post_data(request) or {}
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    if scope in _replays:
        first_digest, status, body = _replays[scope]
        if first_digest != digest:
            refusal = UserError(
                400,
                "Keys for idempotent requests can only be used with the same parameters they "
                f"were first used with. Try using a key other than '{key}' if you meant to "
                "execute a different request.",
            )
            refusal.body["error"]["type"] = "idempotency_error"
            raise refusal
        replay = web.Response(status=status, body=body, content_type="application/json")
        replay.headers["Idempotent-Replayed"] = "true"
        return replay
    response = await handler(request)
    if 200 <= response.status < 300:
        _replays[scope] = (digest, response.status, response.body)
    return response


async def create_session(request: web.Request) -> web.Response:
    data = await server.get_post_data(request) or {}
    return server.json_response(CheckoutSession(**data)._export())


def add_routes(app: web.Application) -> None:
    app.router.add_post(
        "/v1/checkout/sessions/{id}/expire",
        server.api_extra(CheckoutSession._api_expire, "/v1/checkout/sessions/{id}/expire"),
    )
    app.router.add_post(
        "/v1/checkout/sessions/{id}/_pay",
        server.api_extra(CheckoutSession._api_pay, "/v1/checkout/sessions/{id}/_pay"),
    )
    app.router.add_post("/v1/checkout/sessions", create_session)
    app.router.add_post(
        "/v1/refunds/{id}/_fail", server.api_extra(_fail_refund, "/v1/refunds/{id}/_fail")
    )
    app.router.add_get(
        "/v1/checkout/sessions/{id}",
        server.api_retrieve(CheckoutSession, "/v1/checkout/sessions/{id}"),
    )


if __name__ == "__main__":
    resources.Store.dump_to_disk = lambda _store: None  # memory only, see above
    server.app.middlewares.append(idempotent_requests)  # innermost: after localstripe's auth
    Charge.amount_refunded = property(_amount_refunded)  # type: ignore[method-assign]
    add_routes(server.app)
    server.start()
