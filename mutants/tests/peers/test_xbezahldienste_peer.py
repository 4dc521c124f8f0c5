"""The XBezahldienste peer answers as the published interface describes: pinned with plain HTTP."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import requests

from tests.peers.xbezahldienste import (  # noqa: F401
    Bezahldienst,
    running_xbezahldienste,
    xbezahldienste,
    xbezahldienste_oauth,
)

ORIGINATOR, ENDPOINT = "amtsweg-hundesteuer", "09162000"
REDIRECT = "https://amtsweg.example/t/musterstadt/zahlung/zurueck/abc123"
PAYMENT_REQUEST: dict[str, Any] = {
    "requestId": "antrag-4711-1",
    "requestTimestamp": "2026-11-28T10:00:00.000Z",
    "currency": "EUR",
    "grosAmount": 45.5,
    "purpose": "Hundesteuer 2026 AZ 4711",
    "description": "Anmeldung eines Hundes",
    "redirectUrl": REDIRECT,
    "items": [
        {
            "id": "pos-1",
            "reference": "hundesteuer",
            "description": "Hundesteuer erster Hund",
            "taxRate": 0,
            "quantity": 1,
            "singleNetAmount": 40.5,
            "singleTaxAmount": 0,
            "totalNetAmount": 40.5,
            "totalTaxAmount": 0,
            "bookingData": {"Haushaltsstelle": "1.0320.0000", "Objektnummer": "4711"},
        },
        {
            "id": "pos-2",
            "quantity": 2,
            "singleNetAmount": 2.5,
            "totalNetAmount": 5,
            "totalTaxAmount": 0,
            "bookingData": {"Haushaltsstelle": "1.0320.0001", "Objektnummer": "4711"},
        },
    ],
    "requestor": {"name": "Mustermann", "firstName": "Erika", "isOrganization": False},
}


def payment_request(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(PAYMENT_REQUEST), **changes}


def initiate(platform: Bezahldienst, body: Any, **kwargs: Any) -> requests.Response:
    kwargs.setdefault("auth", (platform.username, platform.password))
    return requests.post(
        f"{platform.base_url}/paymenttransaction/{ORIGINATOR}/{ENDPOINT}",
        json=body,
        timeout=5,
        **kwargs,
    )


def status_of(platform: Bezahldienst, transaction_id: str, **kwargs: Any) -> requests.Response:
    kwargs.setdefault("auth", (platform.username, platform.password))
    return requests.get(
        f"{platform.base_url}/paymenttransaction/{ORIGINATOR}/{ENDPOINT}/{transaction_id}",
        timeout=5,
        **kwargs,
    )


def refusal(answer: requests.Response) -> tuple[int, str]:
    assert answer.headers["Content-Type"] == "application/problem+json"
    return (answer.status_code, answer.json()["functionalCode"])


def test_a_payment_request_becomes_an_initial_transaction_with_a_pay_page(
    xbezahldienste: Bezahldienst,  # noqa: F811
) -> None:
    answer = initiate(xbezahldienste, PAYMENT_REQUEST)

    assert answer.status_code == 200
    information = answer.json()["paymentInformation"]
    assert information["status"] == "INITIAL"
    assert information["transactionReference"].startswith("KZ-")
    assert information["transactionUrl"] == (
        f"{xbezahldienste.base_url}/paymenttransaction/{ORIGINATOR}/{ENDPOINT}/"
        f"{information['transactionId']}"
    )
    assert information["transactionRedirectUrl"].startswith(xbezahldienste.url + "/paypage/")
    assert answer.json()["paymentRequest"]["requestId"] == "antrag-4711-1"


@pytest.mark.parametrize(
    ("outcome", "button"),
    [("PAYED", "Bezahlen"), ("FAILED", "Zahlung scheitert"), ("CANCELED", "Abbrechen")],
)
def test_the_citizen_comes_back_without_a_status_and_the_status_query_tells(
    xbezahldienste: Bezahldienst,  # noqa: F811
    outcome: str,
    button: str,
) -> None:
    information = initiate(xbezahldienste, PAYMENT_REQUEST).json()["paymentInformation"]

    page = requests.get(information["transactionRedirectUrl"], timeout=5)
    assert page.status_code == 200
    assert "<script" not in page.text
    assert f'value="{outcome}">{button}<' in page.text
    assert "45,50 EUR" in page.text
    back = requests.post(
        information["transactionRedirectUrl"],
        data={"outcome": outcome},
        allow_redirects=False,
        timeout=5,
    )

    assert back.status_code == 303
    assert back.headers["Location"] == REDIRECT
    queried = status_of(xbezahldienste, information["transactionId"]).json()["paymentInformation"]
    assert queried["status"] == outcome
    assert "transactionRedirectUrl" not in queried
    assert ("paymentMethod" in queried) is (outcome == "PAYED")


def test_a_settled_pay_page_cannot_be_used_again(xbezahldienste: Bezahldienst) -> None:  # noqa: F811
    information = initiate(xbezahldienste, PAYMENT_REQUEST).json()["paymentInformation"]
    xbezahldienste.cancel(information["transactionId"])

    again = requests.post(
        information["transactionRedirectUrl"], data={"outcome": "PAYED"}, timeout=5
    )

    assert again.status_code == 404
    status = status_of(xbezahldienste, information["transactionId"]).json()
    assert status["paymentInformation"]["status"] == "CANCELED"


def test_an_abandoned_payment_fails_after_the_platforms_timeout(
    xbezahldienste: Bezahldienst,  # noqa: F811
) -> None:
    transaction_id = initiate(xbezahldienste, PAYMENT_REQUEST).json()["paymentInformation"][
        "transactionId"
    ]

    xbezahldienste.expire(transaction_id)

    information = status_of(xbezahldienste, transaction_id).json()["paymentInformation"]
    assert (information["status"], information["statusDetail"]) == ("FAILED", "Zeitüberschreitung")


def test_a_request_id_is_placed_only_once(xbezahldienste: Bezahldienst) -> None:  # noqa: F811
    first = initiate(xbezahldienste, PAYMENT_REQUEST)
    again = initiate(xbezahldienste, PAYMENT_REQUEST)

    assert first.status_code == 200
    assert refusal(again) == (400, "PAYMENT_EXISTS")
    assert len(xbezahldienste.transactions) == 1


def test_a_platform_may_use_the_request_id_as_transaction_id() -> None:
    with running_xbezahldienste(transaction_id_is_request_id=True) as platform:
        information = initiate(platform, PAYMENT_REQUEST).json()["paymentInformation"]
        queried = status_of(platform, "antrag-4711-1")

    assert information["transactionId"] == "antrag-4711-1"
    assert queried.status_code == 200


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"grosAmount": 45.49}, "CALCULATION_ERROR"),
        ({"currency": "USD"}, "VALIDATION_ERROR"),
        ({"purpose": "Hundesteuer 2026 fuer den ersten Hund"}, "VALIDATION_ERROR"),
        ({"purpose": "Hundesteuer; 2026"}, "VALIDATION_ERROR"),
        ({"requestId": "a" * 37}, "VALIDATION_ERROR"),
        ({"redirectUrl": None}, "VALIDATION_ERROR"),
        ({"items": []}, "VALIDATION_ERROR"),
        ({"grosAmount": "45.50"}, "VALIDATION_ERROR"),
    ],
)
def test_invalid_requests_are_refused_with_a_functional_code(
    xbezahldienste: Bezahldienst,  # noqa: F811
    changes: dict[str, Any],
    code: str,
) -> None:
    answer = initiate(xbezahldienste, payment_request(**changes))

    assert refusal(answer) == (400, code)
    assert xbezahldienste.transactions == {}


def test_items_must_multiply_out(xbezahldienste: Bezahldienst) -> None:  # noqa: F811
    body = payment_request()
    body["items"][1]["quantity"] = 3

    assert refusal(initiate(xbezahldienste, body)) == (400, "CALCULATION_ERROR")


def test_booking_data_the_platform_needs_is_required() -> None:
    with running_xbezahldienste(required_booking_data=("Haushaltsstelle", "Kassenzeichen")) as p:
        answer = initiate(p, PAYMENT_REQUEST)

    assert refusal(answer) == (400, "BOOKING_DATA_MISSING")
    assert "Kassenzeichen" in answer.json()["detail"]


def test_unknown_originator_endpoint_and_transaction(
    xbezahldienste: Bezahldienst,  # noqa: F811
) -> None:
    unknown_endpoint = requests.post(
        f"{xbezahldienste.base_url}/paymenttransaction/{ORIGINATOR}/01001000",
        json=PAYMENT_REQUEST,
        auth=(xbezahldienste.username, xbezahldienste.password),
        timeout=5,
    )
    unknown_transaction = status_of(xbezahldienste, "does-not-exist")

    assert refusal(unknown_endpoint) == (400, "NO_VALID_ORIGINATOR_OR_ENDPOINT")
    assert refusal(unknown_transaction) == (404, "UNSPECIFIED")


def test_wrong_basic_credentials_are_forbidden(xbezahldienste: Bezahldienst) -> None:  # noqa: F811
    wrong = initiate(xbezahldienste, PAYMENT_REQUEST, auth=(xbezahldienste.username, "nope"))
    missing = initiate(xbezahldienste, PAYMENT_REQUEST, auth=None)

    assert refusal(wrong) == (403, "FORBIDDEN")
    assert refusal(missing) == (403, "FORBIDDEN")
    assert xbezahldienste.transactions == {}


def test_oauth_platforms_want_a_client_credentials_token(
    xbezahldienste_oauth: Bezahldienst,  # noqa: F811
) -> None:
    platform = xbezahldienste_oauth
    wrong = requests.post(
        platform.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": platform.client_id,
            "client_secret": "nope",
        },
        timeout=5,
    )
    token = requests.post(
        platform.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": platform.client_id,
            "client_secret": platform.client_secret,
        },
        timeout=5,
    ).json()["access_token"]
    basic = initiate(platform, PAYMENT_REQUEST)
    bearer = initiate(
        platform, PAYMENT_REQUEST, auth=None, headers={"Authorization": f"Bearer {token}"}
    )

    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
    assert refusal(basic) == (403, "FORBIDDEN")
    assert bearer.status_code == 200


def test_the_configuration_status_query(xbezahldienste: Bezahldienst) -> None:  # noqa: F811
    auth = (xbezahldienste.username, xbezahldienste.password)
    known = requests.get(
        f"{xbezahldienste.base_url}/status/{ORIGINATOR}/{ENDPOINT}", auth=auth, timeout=5
    )
    unknown = requests.get(f"{xbezahldienste.base_url}/status/{ORIGINATOR}/x", auth=auth, timeout=5)

    assert known.status_code == 200
    assert refusal(unknown) == (400, "NO_VALID_ORIGINATOR_OR_ENDPOINT")


def test_outages_change_nothing_and_a_dropped_answer_leaves_the_transaction(
    xbezahldienste: Bezahldienst,  # noqa: F811
) -> None:
    xbezahldienste.fail_next(1, status=503)
    unavailable = initiate(xbezahldienste, PAYMENT_REQUEST)
    xbezahldienste.drop_after_accepting(1)
    with pytest.raises(requests.ConnectionError):
        initiate(xbezahldienste, PAYMENT_REQUEST)
    retried = initiate(xbezahldienste, PAYMENT_REQUEST)
    xbezahldienste.down = True
    with pytest.raises(requests.ConnectionError):
        initiate(xbezahldienste, payment_request(requestId="antrag-4711-2"))

    assert refusal(unavailable) == (503, "UNSPECIFIED")
    assert refusal(retried) == (400, "PAYMENT_EXISTS")
    assert len(xbezahldienste.transactions) == 1
