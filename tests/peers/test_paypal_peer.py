"""The PayPal peer answers as PayPal's REST reference describes: pinned with plain HTTP."""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from werkzeug.wrappers import Request, Response

from tests import servers
from tests.live_server import serving
from tests.peers.paypal import PayPalSandbox, paypal  # noqa: F401

RETURN_URL = "https://amtsweg.example/t/musterstadt/zahlung/zurueck"
CANCEL_URL = "https://amtsweg.example/t/musterstadt/zahlung/abbruch"


class Api:
    """A logged-in PayPal API caller, as the Amtsweg client will be."""

    def __init__(self, sandbox: PayPalSandbox) -> None:
        self.sandbox = sandbox
        answer = requests.post(
            f"{sandbox.url}/v1/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=(sandbox.client_id, sandbox.client_secret),
            timeout=5,
        )
        assert answer.status_code == 200
        self.token = answer.json()["access_token"]

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> requests.Response:
        return requests.request(
            method,
            self.sandbox.url + path,
            json=body,
            headers={"Authorization": f"Bearer {self.token}", **headers},
            timeout=5,
        )

    def create_order(self, value: str = "25.00", **unit: Any) -> dict[str, Any]:
        answer = self.call("POST", "/v2/checkout/orders", order_body(value, **unit))
        assert answer.status_code == 201, answer.text
        return answer.json()

    def approved_order(self, value: str = "25.00", **unit: Any) -> str:
        order_id = self.create_order(value, **unit)["id"]
        self.sandbox.approve(order_id)
        return order_id

    def captured(self, value: str = "25.00", **unit: Any) -> dict[str, Any]:
        order_id = self.approved_order(value, **unit)
        answer = self.call("POST", f"/v2/checkout/orders/{order_id}/capture")
        assert answer.status_code == 201, answer.text
        return answer.json()["purchase_units"][0]["payments"]["captures"][0]


def order_body(value: str = "25.00", **unit: Any) -> dict[str, Any]:
    return {
        "intent": "CAPTURE",
        "purchase_units": [
            {
                "amount": {"currency_code": "EUR", "value": value},
                "custom_id": "antrag-4711",
                "invoice_id": unit.pop("invoice_id", "MUS-2026-0001"),
                **unit,
            }
        ],
        "application_context": {"return_url": RETURN_URL, "cancel_url": CANCEL_URL},
    }


@pytest.fixture
def api(paypal: PayPalSandbox) -> Api:  # noqa: F811
    return Api(paypal)


def issue(answer: requests.Response) -> tuple[int, str, str]:
    body = answer.json()
    return (answer.status_code, body["name"], body["details"][0]["issue"])


def test_wrong_client_credentials_are_refused_as_paypal_does(
    paypal: PayPalSandbox,  # noqa: F811
) -> None:
    answer = requests.post(
        f"{paypal.url}/v1/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(paypal.client_id, "wrong"),
        timeout=5,
    )

    assert answer.status_code == 401
    assert answer.json() == {
        "error": "invalid_client",
        "error_description": "Client Authentication failed",
    }


def test_api_calls_need_a_current_token(api: Api, paypal: PayPalSandbox) -> None:  # noqa: F811
    anonymous = requests.post(f"{paypal.url}/v2/checkout/orders", json=order_body(), timeout=5)
    paypal.expire_tokens()
    expired = api.call("POST", "/v2/checkout/orders", order_body())

    assert (anonymous.status_code, anonymous.json()["name"]) == (401, "AUTHENTICATION_FAILURE")
    assert (expired.status_code, expired.json()["name"]) == (401, "AUTHENTICATION_FAILURE")
    assert paypal.orders == {}


def test_a_new_order_waits_for_the_payer_with_an_approve_link(api: Api) -> None:
    order = api.create_order("12.50")

    assert order["status"] == "CREATED"
    rels = {link["rel"] for link in order["links"]}
    assert {"self", "approve", "capture"} <= rels
    shown = api.call("GET", f"/v2/checkout/orders/{order['id']}").json()
    assert shown["purchase_units"][0]["amount"] == {"currency_code": "EUR", "value": "12.50"}
    assert shown["purchase_units"][0]["custom_id"] == "antrag-4711"
    assert shown["purchase_units"][0]["invoice_id"] == "MUS-2026-0001"


def test_payment_source_experience_context_asks_for_payer_action(
    api: Api,
    paypal: PayPalSandbox,  # noqa: F811
) -> None:
    body = order_body()
    context = body.pop("application_context")
    body["payment_source"] = {"paypal": {"experience_context": context}}

    order = api.call("POST", "/v2/checkout/orders", body).json()

    assert order["status"] == "PAYER_ACTION_REQUIRED"
    assert [link["rel"] for link in order["links"]].count("payer-action") == 1
    assert paypal.approve(order["id"]).startswith(RETURN_URL + "?token=" + order["id"])


def test_the_same_request_id_returns_the_same_order(
    api: Api,
    paypal: PayPalSandbox,  # noqa: F811
) -> None:
    first = api.call("POST", "/v2/checkout/orders", order_body(), **{"PayPal-Request-Id": "r-1"})
    again = api.call("POST", "/v2/checkout/orders", order_body(), **{"PayPal-Request-Id": "r-1"})
    other = api.call("POST", "/v2/checkout/orders", order_body(), **{"PayPal-Request-Id": "r-2"})

    assert first.json()["id"] == again.json()["id"] != other.json()["id"]
    assert len(paypal.orders) == 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12,50", (400, "INVALID_REQUEST", "INVALID_PARAMETER_SYNTAX")),
        ("12.505", (422, "UNPROCESSABLE_ENTITY", "DECIMAL_PRECISION")),
        ("0.00", (422, "UNPROCESSABLE_ENTITY", "CANNOT_BE_ZERO_OR_NEGATIVE")),
    ],
)
def test_amounts_are_decimal_strings_with_two_places(
    api: Api, value: str, expected: tuple[int, str, str]
) -> None:
    answer = api.call("POST", "/v2/checkout/orders", order_body(value))

    assert issue(answer) == expected
    assert answer.json()["details"][0]["field"] == "/purchase_units/0/amount/value"
    assert answer.json()["debug_id"]


@pytest.mark.parametrize("url", ["/t/musterstadt/payments/1/turned-back", "mailto:a@b.example"])
def test_the_buyers_way_back_must_be_an_absolute_web_address(api: Api, url: str) -> None:
    body = order_body()
    body["application_context"]["cancel_url"] = url

    answer = api.call("POST", "/v2/checkout/orders", body)

    assert issue(answer) == (400, "INVALID_REQUEST", "INVALID_PARAMETER_SYNTAX")
    assert answer.json()["details"][0]["field"] == "/application_context/cancel_url"


def test_items_must_add_up_to_the_breakdown(api: Api) -> None:
    body = order_body("30.00")
    body["purchase_units"][0]["amount"]["breakdown"] = {
        "item_total": {"currency_code": "EUR", "value": "30.00"}
    }
    body["purchase_units"][0]["items"] = [
        {
            "name": "Gebühr",
            "quantity": "2",
            "unit_amount": {"currency_code": "EUR", "value": "10.00"},
        }
    ]

    answer = api.call("POST", "/v2/checkout/orders", body)

    assert issue(answer) == (422, "UNPROCESSABLE_ENTITY", "ITEM_TOTAL_MISMATCH")


def test_the_approval_page_works_without_javascript_and_redirects_back(
    api: Api,
    paypal: PayPalSandbox,  # noqa: F811
) -> None:
    order = api.create_order()
    approve = next(link["href"] for link in order["links"] if link["rel"] == "approve")

    page = requests.get(approve, timeout=5)
    assert page.status_code == 200
    assert "<script" not in page.text
    assert 'value="approve"' in page.text
    assert "25.00 EUR" in page.text
    form_action = f"{paypal.url}/checkoutnow/{order['id']}"
    answer = requests.post(
        form_action, data={"decision": "approve"}, allow_redirects=False, timeout=5
    )

    assert answer.status_code == 302
    payer_id = paypal.orders[order["id"]]["payer"]["payer_id"]
    assert answer.headers["Location"] == f"{RETURN_URL}?token={order['id']}&PayerID={payer_id}"
    assert api.call("GET", f"/v2/checkout/orders/{order['id']}").json()["status"] == "APPROVED"


def test_cancelling_on_the_approval_page_leaves_the_order_unapproved(
    api: Api,
    paypal: PayPalSandbox,  # noqa: F811
) -> None:
    order = api.create_order()

    answer = requests.post(
        f"{paypal.url}/checkoutnow/{order['id']}",
        data={"decision": "cancel"},
        allow_redirects=False,
        timeout=5,
    )

    assert answer.headers["Location"] == f"{CANCEL_URL}?token={order['id']}"
    assert paypal.orders[order["id"]]["status"] == "CREATED"


def test_capture_needs_approval_and_happens_once(api: Api) -> None:
    order_id = api.create_order()["id"]
    unapproved = api.call("POST", f"/v2/checkout/orders/{order_id}/capture")
    api.sandbox.approve(order_id)
    captured = api.call("POST", f"/v2/checkout/orders/{order_id}/capture")
    twice = api.call("POST", f"/v2/checkout/orders/{order_id}/capture")

    assert issue(unapproved) == (422, "UNPROCESSABLE_ENTITY", "ORDER_NOT_APPROVED")
    assert captured.status_code == 201
    assert captured.json()["status"] == "COMPLETED"
    capture = captured.json()["purchase_units"][0]["payments"]["captures"][0]
    assert capture["status"] == "COMPLETED"
    assert capture["amount"] == {"currency_code": "EUR", "value": "25.00"}
    assert (capture["custom_id"], capture["invoice_id"]) == ("antrag-4711", "MUS-2026-0001")
    assert issue(twice) == (422, "UNPROCESSABLE_ENTITY", "ORDER_ALREADY_CAPTURED")


def test_a_retried_capture_with_the_same_request_id_gets_the_first_answer(
    api: Api,
    paypal: PayPalSandbox,  # noqa: F811
) -> None:
    order_id = api.approved_order()
    paypal.drop_after_accepting(1)
    with pytest.raises(requests.ConnectionError):
        api.call("POST", f"/v2/checkout/orders/{order_id}/capture", **{"PayPal-Request-Id": "c1"})

    retry = api.call(
        "POST", f"/v2/checkout/orders/{order_id}/capture", **{"PayPal-Request-Id": "c1"}
    )

    assert retry.status_code == 201
    assert retry.json()["status"] == "COMPLETED"
    assert len(paypal.captures) == 1


def test_an_invoice_id_is_captured_only_once(api: Api) -> None:
    api.captured(invoice_id="MUS-2026-0042")
    order_id = api.approved_order(invoice_id="MUS-2026-0042")

    answer = api.call("POST", f"/v2/checkout/orders/{order_id}/capture")

    assert issue(answer) == (422, "UNPROCESSABLE_ENTITY", "DUPLICATE_INVOICE_ID")


def test_declined_and_pending_captures(api: Api, paypal: PayPalSandbox) -> None:  # noqa: F811
    paypal.next_capture_outcome = "DECLINED"
    order_id = api.approved_order()
    declined = api.call("POST", f"/v2/checkout/orders/{order_id}/capture")
    paypal.next_capture_outcome = "PENDING"
    pending = api.captured(invoice_id="MUS-2026-0002")

    assert issue(declined) == (422, "UNPROCESSABLE_ENTITY", "INSTRUMENT_DECLINED")
    assert paypal.orders[order_id]["status"] == "APPROVED"
    assert pending["status"] == "PENDING"
    paypal.complete_pending(pending["id"])
    shown = api.call("GET", f"/v2/payments/captures/{pending['id']}").json()
    assert shown["status"] == "COMPLETED"


def test_refunds_may_be_partial_but_never_more_than_captured(api: Api) -> None:
    capture = api.captured("25.00")
    refund_path = f"/v2/payments/captures/{capture['id']}/refund"

    partial = api.call("POST", refund_path, {"amount": {"currency_code": "EUR", "value": "10.00"}})
    too_much = api.call("POST", refund_path, {"amount": {"currency_code": "EUR", "value": "15.01"}})
    status_after_partial = api.call("GET", f"/v2/payments/captures/{capture['id']}").json()
    rest = api.call("POST", refund_path)
    again = api.call("POST", refund_path)

    assert (partial.status_code, partial.json()["status"]) == (201, "COMPLETED")
    assert partial.json()["amount"] == {"currency_code": "EUR", "value": "10.00"}
    assert issue(too_much) == (422, "UNPROCESSABLE_ENTITY", "REFUND_AMOUNT_EXCEEDED")
    assert status_after_partial["status"] == "PARTIALLY_REFUNDED"
    assert rest.json()["amount"] == {"currency_code": "EUR", "value": "15.00"}
    assert api.call("GET", f"/v2/payments/captures/{capture['id']}").json()["status"] == "REFUNDED"
    assert issue(again) == (422, "UNPROCESSABLE_ENTITY", "CAPTURE_FULLY_REFUNDED")


def test_unknown_order_is_resource_not_found(api: Api) -> None:
    answer = api.call("GET", "/v2/checkout/orders/NOSUCHORDER")

    assert issue(answer) == (404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID")


def test_failures_answer_in_paypal_shape_and_change_nothing(
    api: Api,
    paypal: PayPalSandbox,  # noqa: F811
) -> None:
    paypal.fail_next(1, status=500)
    paypal.fail_next(1, status=503)

    first = api.call("POST", "/v2/checkout/orders", order_body())
    second = api.call("POST", "/v2/checkout/orders", order_body())
    third = api.call("POST", "/v2/checkout/orders", order_body())

    assert (first.status_code, first.json()["name"]) == (500, "INTERNAL_SERVER_ERROR")
    assert (second.status_code, second.json()["name"]) == (503, "SERVICE_UNAVAILABLE")
    assert third.status_code == 201
    assert len(paypal.orders) == 1


def test_a_down_paypal_hangs_up(paypal: PayPalSandbox) -> None:  # noqa: F811
    paypal.down = True

    with pytest.raises(requests.ConnectionError):
        requests.post(f"{paypal.url}/v1/oauth2/token", timeout=5)


class Receiver:
    """The merchant's webhook endpoint: keeps what arrives."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []

    @Request.application
    def __call__(self, request: Request) -> Response:
        self.received.append((dict(request.headers), request.get_data()))
        return Response(status=200)


@pytest.fixture
def receiver(paypal: PayPalSandbox) -> Iterator[Receiver]:  # noqa: F811
    endpoint = Receiver()
    port = servers.free_port()
    with serving(endpoint, port) as url:
        paypal.webhook_url = f"{url}/paypal/webhook"
        yield endpoint


def verification(api: Api, headers: dict[str, str], event: Any, webhook_id: str) -> str:
    claim = {
        "auth_algo": headers["Paypal-Auth-Algo"],
        "cert_url": headers["Paypal-Cert-Url"],
        "transmission_id": headers["Paypal-Transmission-Id"],
        "transmission_sig": headers["Paypal-Transmission-Sig"],
        "transmission_time": headers["Paypal-Transmission-Time"],
        "webhook_id": webhook_id,
        "webhook_event": event,
    }
    answer = api.call("POST", "/v1/notifications/verify-webhook-signature", claim)
    assert answer.status_code == 200
    return answer.json()["verification_status"]


def test_webhooks_arrive_signed_and_only_the_genuine_ones_verify(
    api: Api,
    paypal: PayPalSandbox,  # noqa: F811
    receiver: Receiver,
) -> None:
    capture = api.captured()

    statuses = paypal.deliver_events()

    assert statuses == [200, 200]
    headers, body = receiver.received[-1]
    event = json.loads(body)
    assert event["event_type"] == "PAYMENT.CAPTURE.COMPLETED"
    assert event["resource"]["id"] == capture["id"]
    assert event["resource"]["custom_id"] == "antrag-4711"
    assert verification(api, headers, event, paypal.webhook_id) == "SUCCESS"
    forged = {
        **event,
        "resource": {**event["resource"], "amount": {"currency_code": "EUR", "value": "2500.00"}},
    }
    assert verification(api, headers, forged, paypal.webhook_id) == "FAILURE"
    assert verification(api, headers, event, "ANOTHER-WEBHOOK") == "FAILURE"
    invented = {**headers, "Paypal-Transmission-Id": "00000000-0000-0000-0000-000000000000"}
    assert verification(api, invented, event, paypal.webhook_id) == "FAILURE"


def test_the_webhook_signature_checks_out_offline_with_the_certificate(
    api: Api,
    paypal: PayPalSandbox,  # noqa: F811
    receiver: Receiver,
) -> None:
    api.approved_order()
    paypal.deliver_events()
    headers, body = receiver.received[0]

    pem = requests.get(headers["Paypal-Cert-Url"], timeout=5).content
    public_key = x509.load_pem_x509_certificate(pem).public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    message = "|".join(
        [
            headers["Paypal-Transmission-Id"],
            headers["Paypal-Transmission-Time"],
            paypal.webhook_id,
            str(zlib.crc32(body)),
        ]
    )
    public_key.verify(
        base64.b64decode(headers["Paypal-Transmission-Sig"]),
        message.encode(),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )
    assert headers["Paypal-Auth-Algo"] == "SHA256withRSA"
    assert json.loads(body)["event_type"] == "CHECKOUT.ORDER.APPROVED"
