"""A payment platform speaking XBezahldienste, for testing the client of ePayBL, pmPayment, epay21.

Follows the XBezahldienste REST interface version 1.0.0 as published by FITKO
(docs.fitko.de/xbezahldienste: "APIDoku/versionen/v1.0.0/initiate-payment-
transaction", "get-status-by-ids", "Ablauf der Kommunikation", "Statusmodell"),
cross-checked against the open-source client in aivot-digital/gover
(``XBezahldienstePaymentRequest``/``...PaymentItem``/``...PaymentInformation``/
``...SystemResponse``, ``XBezahldienstFunctionalCode`` and its ePayBL,
pmPayment and epay21 connectors). The full OpenAPI document itself could not be
read from here; what is marked "assumed" below is not in the parts that could.

The flow: the online service ``POST``s a ``paymentRequest`` to
``{base}/paymenttransaction/{originatorId}/{endPointId}`` and gets ``200`` with a
``paymentTransaction`` = ``{"paymentRequest": ..., "paymentInformation": ...}``.
``paymentInformation`` holds ``transactionId`` (used for every later query),
``transactionReference`` (the Kassenzeichen), ``transactionUrl`` (the REST URL
for the status query), ``transactionRedirectUrl`` (the pay page the citizen is
sent to; only while the status is ``INITIAL``) and ``status``. The citizen pays
(or fails, or cancels) on the pay page and is sent back to the request's
``redirectUrl`` unchanged - the redirect carries **no** status; the service
reads it with ``GET {base}/paymenttransaction/{originatorId}/{endPointId}/
{transactionId}``. Status values: ``INITIAL``, ``PAYED``, ``FAILED``,
``CANCELED``; after ``PAYED`` also ``transactionTimestamp``,
``paymentMethod`` (GIROPAY, PAYDIRECT, CREDITCARD, PAYPAL, OTHER) and
``paymentMethodDetail``.

Request fields checked as the spec constrains them: path ids non-empty, at most
36 characters of ``[\\w\\d-]``; ``requestId`` likewise; ``currency`` only
``EUR``; ``grosAmount`` a number up to 999999 that must equal the sum of the
items' ``totalNetAmount + totalTaxAmount`` (else ``CALCULATION_ERROR``);
``purpose`` at most 27 characters of ``[\\w\\d\\s-]``; ``description`` at most
250; ``redirectUrl`` required, at most 2082; ``items`` 1..99 each with an
``id``, ``totalNetAmount`` = ``singleNetAmount`` x ``quantity`` where given, and
``bookingData`` a string map (keys the platform needs, e.g. an ePayBL
Haushaltsstelle/Objektnummer, are configured with ``required_booking_data``;
missing ones give ``BOOKING_DATA_MISSING``). Errors are
``application/problem+json`` with ``type``, ``status``, ``title``, ``detail`` and
``functionalCode`` (NO_VALID_ORIGINATOR_OR_ENDPOINT, PAYMENT_EXISTS for a
``requestId`` used before, CALCULATION_ERROR, BOOKING_DATA_MISSING,
VALIDATION_ERROR, UNSPECIFIED, FORBIDDEN). Assumed: functional errors are
answered with 400, an unknown transaction with 404 (UNSPECIFIED).

Authentication per platform (the spec leaves it to them): HTTP Basic (epay21
style, ``running_xbezahldienste(auth="basic")``), OAuth2 client credentials
with a token endpoint ``/oauth/token`` taking ``client_id``/``client_secret``
in the form or as Basic (pmPayment style, ``auth="oauth2"``), or client
certificates (ePayBL style, ``auth="certificate"`` with ``tls=``): the peer
then speaks HTTPS with a server certificate of a throwaway authority and ends
every handshake without a client certificate that authority issued; a
certificate it issued but whose holder (CN) the platform has not registered
gets ``403``. Missing or wrong credentials are ``403`` with ``FORBIDDEN``, as
the spec lists it, before the body is read.

Also: ``GET {base}/status/{originatorId}/{endPointId}`` answers 200 for a known
pair (its body shape is assumed: ``{"status": 200, "title": "OK"}``).

Left out: notifications pushed to the online service,
cancelling or changing a transaction, expiry by time (the test calls
``expire(transaction_id)``), any platform-specific extension.

The test controls it through :class:`Bezahldienst`: ``pay``/``fail``/``cancel``
(what the citizen's choice on the pay page does), ``expire``, ``fail_next(n,
status)``, ``drop_after_accepting(n)``, ``down``, ``payment_method``, and
inspects ``transactions``.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from werkzeug.wrappers import Request, Response

from tests import servers
from tests.live_server import hang_up, html_page, serving
from tests.peers import tls

BASE_PATH = "/xbezahldienste/api/v1.0.0"
ID_PATTERN = re.compile(r"^[\w-]{1,36}$")
PURPOSE_PATTERN = re.compile(r"^[\w\s-]{0,27}$")
STATUSES = ("INITIAL", "PAYED", "FAILED", "CANCELED")
TITLES = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class Refused(Exception):  # noqa: N818 - the platform's answer, not a bug
    """A problem document with a functional code."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


@dataclass
class Bezahldienst:
    auth: str = "basic"  # or "oauth2"
    username: str = "amtsweg"
    password: str = "bezahl-secret"
    client_id: str = "amtsweg-client"
    client_secret: str = "bezahl-client-secret"
    endpoints: set[tuple[str, str]] = field(
        default_factory=lambda: {("amtsweg-hundesteuer", "09162000")}
    )
    required_booking_data: tuple[str, ...] = ()
    transaction_id_is_request_id: bool = False
    payment_method: str = "CREDITCARD"
    down: bool = False
    certificate_holders: set[str] = field(default_factory=lambda: {"Gemeinde Musterstadt"})
    url: str = ""
    client_names: list[str] = field(default_factory=list)  # the CN each call presented
    transactions: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    _tokens: set[str] = field(default_factory=set)
    _request_ids: set[tuple[str, str, str]] = field(default_factory=set)
    _failures: list[int] = field(default_factory=list)
    _drops: int = 0
    _lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def base_url(self) -> str:
        """What the platform hands out as its XBezahldienste base URL."""
        return self.url + BASE_PATH

    @property
    def token_url(self) -> str:
        return self.url + "/oauth/token"

    # --- what the test controls

    def pay(self, transaction_id: str) -> str:
        """As if the citizen paid on the pay page; returns where they are sent back to."""
        return self._settle(transaction_id, "PAYED")

    def fail(self, transaction_id: str) -> str:
        return self._settle(transaction_id, "FAILED")

    def cancel(self, transaction_id: str) -> str:
        return self._settle(transaction_id, "CANCELED")

    def expire(self, transaction_id: str) -> None:
        """The platform's timeout for an abandoned pay page: FAILED."""
        self._settle(transaction_id, "FAILED", detail="Zeitüberschreitung")

    def fail_next(self, count: int = 1, status: int = 503) -> None:
        with self._lock:
            self._failures.extend([status] * count)

    def drop_after_accepting(self, count: int = 1) -> None:
        with self._lock:
            self._drops += count

    # --- WSGI

    @Request.application
    def __call__(self, request: Request) -> Response:
        if self.down:
            hang_up(request)
            return Response(status=503)
        transactions = rf"{BASE_PATH}/paymenttransaction/(?P<originator>[^/]+)/(?P<endpoint>[^/]+)"
        routes: list[tuple[str, str, Callable[..., Response]]] = [
            ("POST", r"/oauth/token", self._token),
            ("POST", transactions, self._initiate),
            ("GET", transactions + r"/(?P<transaction_id>[^/]+)", self._status_of_transaction),
            (
                "GET",
                rf"{BASE_PATH}/status/(?P<originator>[^/]+)/(?P<endpoint>[^/]+)",
                self._status_of_endpoint,
            ),
            ("GET", r"/paypage/(?P<transaction_id>[^/]+)", self._pay_page),
            ("POST", r"/paypage/(?P<transaction_id>[^/]+)", self._pay_page_choice),
        ]
        with self._lock:
            self.calls.append((request.method, request.full_path))
            if self.auth == "certificate":
                self.client_names.append(_client_name(request))
            for method, pattern, handler in routes:
                match = re.fullmatch(pattern, request.path)
                if match and request.method == method:
                    return self._answer(request, handler, match.groupdict())
        return _problem(Refused(404, "UNSPECIFIED", "Unbekannte Ressource"))

    def _answer(
        self, request: Request, handler: Callable[..., Response], args: dict[str, str]
    ) -> Response:
        is_api = request.path.startswith(BASE_PATH)
        if is_api and self._failures:
            status = self._failures.pop(0)
            return _problem(Refused(status, "UNSPECIFIED", "Der Bezahldienst ist gestört."))
        try:
            if is_api:
                self._authenticate(request)
            response = handler(request, **args)
        except Refused as refusal:
            response = _problem(refusal)
        if is_api and self._drops:
            self._drops -= 1
            hang_up(request)
        return response

    def _authenticate(self, request: Request) -> None:
        auth = request.authorization
        if self.auth == "basic":
            ok = (
                auth is not None
                and auth.type == "basic"
                and (auth.username, auth.password) == (self.username, self.password)
            )
        elif self.auth == "certificate":  # the handshake checked the issuer; the holder:
            ok = _client_name(request) in self.certificate_holders
        else:
            header = request.headers.get("Authorization", "")
            ok = header.startswith("Bearer ") and header.removeprefix("Bearer ") in self._tokens
        if not ok:
            raise Refused(403, "FORBIDDEN", "Fehlende oder falsche Anmeldedaten.")

    def _token(self, request: Request) -> Response:
        auth = request.authorization
        given = (
            (auth.username, auth.password)
            if auth is not None and auth.type == "basic"
            else (request.form.get("client_id"), request.form.get("client_secret"))
        )
        if self.auth != "oauth2" or given != (self.client_id, self.client_secret):
            return _json({"error": "invalid_client"}, 401)
        if request.form.get("grant_type") != "client_credentials":
            return _json({"error": "unsupported_grant_type"}, 400)
        token = secrets.token_urlsafe(32)
        self._tokens.add(token)
        return _json({"access_token": token, "token_type": "Bearer", "expires_in": 300})

    # --- the interface

    def _initiate(self, request: Request, originator: str, endpoint: str) -> Response:
        self._known_endpoint(originator, endpoint)
        try:
            payment_request = json.loads(request.get_data(), parse_float=Decimal)
        except ValueError:
            raise Refused(400, "VALIDATION_ERROR", "Kein gültiges JSON.") from None
        if not isinstance(payment_request, dict):
            raise Refused(400, "VALIDATION_ERROR", "Ein paymentRequest-Objekt wird erwartet.")
        _validate(payment_request, self.required_booking_data)
        request_id = payment_request["requestId"]
        if (originator, endpoint, request_id) in self._request_ids:
            raise Refused(
                400,
                "PAYMENT_EXISTS",
                "Mit dieser Request-ID wurde bereits ein PaymentRequest platziert.",
            )
        self._request_ids.add((originator, endpoint, request_id))
        transaction_id = request_id if self.transaction_id_is_request_id else secrets.token_hex(8)
        number = len(self.transactions) + 1
        self.transactions[transaction_id] = {
            "originator": originator,
            "endpoint": endpoint,
            "paymentRequest": payment_request,
            "paymentInformation": {
                "transactionId": transaction_id,
                "transactionReference": f"KZ-{dt.datetime.now(dt.UTC).year}-{number:06d}",
                "status": "INITIAL",
            },
        }
        return _json(self._view(transaction_id))

    def _status_of_transaction(
        self, _request: Request, originator: str, endpoint: str, transaction_id: str
    ) -> Response:
        self._known_endpoint(originator, endpoint)
        transaction = self.transactions.get(transaction_id)
        if transaction is None or (transaction["originator"], transaction["endpoint"]) != (
            originator,
            endpoint,
        ):
            raise Refused(404, "UNSPECIFIED", "Keine Transaktion mit dieser ID.")
        return _json(self._view(transaction_id))

    def _status_of_endpoint(self, _request: Request, originator: str, endpoint: str) -> Response:
        self._known_endpoint(originator, endpoint)
        return _json({"status": 200, "title": "OK"})

    def _known_endpoint(self, originator: str, endpoint: str) -> None:
        if not (ID_PATTERN.match(originator) and ID_PATTERN.match(endpoint)):
            raise Refused(400, "VALIDATION_ERROR", "originatorId/endPointId ungültig.")
        if (originator, endpoint) not in self.endpoints:
            raise Refused(
                400,
                "NO_VALID_ORIGINATOR_OR_ENDPOINT",
                "Der Mandant kann anhand OriginatorID und EndPointID nicht ermittelt werden.",
            )

    def _view(self, transaction_id: str) -> dict[str, Any]:
        transaction = self.transactions[transaction_id]
        information = dict(transaction["paymentInformation"])
        information["transactionUrl"] = (
            f"{self.base_url}/paymenttransaction/{transaction['originator']}/"
            f"{transaction['endpoint']}/{transaction_id}"
        )
        if information["status"] == "INITIAL":
            information["transactionRedirectUrl"] = f"{self.url}/paypage/{transaction_id}"
        return {"paymentRequest": transaction["paymentRequest"], "paymentInformation": information}

    # --- the citizen's pay page

    def _pay_page(self, _request: Request, transaction_id: str) -> Response:
        transaction = self.transactions.get(transaction_id)
        if transaction is None or transaction["paymentInformation"]["status"] != "INITIAL":
            return html_page(
                "Zahlung nicht gefunden",
                "<p>Diese Zahlung gibt es nicht oder sie ist abgeschlossen.</p>",
                404,
            )
        payment_request = transaction["paymentRequest"]
        amount = f"{Decimal(str(payment_request['grosAmount'])):.2f}".replace(".", ",")
        body = (
            f"<p>{html.escape(str(payment_request.get('description', '')))}</p>"
            f"<p>Betrag: <strong>{amount} EUR</strong></p>"
            f'<form method="post" action="/paypage/{html.escape(transaction_id)}">'
            '<button type="submit" name="outcome" value="PAYED">Bezahlen</button> '
            '<button type="submit" name="outcome" value="FAILED">Zahlung scheitert</button> '
            '<button type="submit" name="outcome" value="CANCELED">Abbrechen</button>'
            "</form>"
        )
        return html_page("Bezahlen", body)

    def _pay_page_choice(self, request: Request, transaction_id: str) -> Response:
        outcome = request.form.get("outcome", "")
        transaction = self.transactions.get(transaction_id)
        if (
            transaction is None
            or outcome not in STATUSES[1:]
            or transaction["paymentInformation"]["status"] != "INITIAL"
        ):
            return html_page("Zahlung nicht gefunden", "<p>Diese Zahlung ist nicht offen.</p>", 404)
        return Response(status=303, headers={"Location": self._settle(transaction_id, outcome)})

    def _settle(self, transaction_id: str, status: str, detail: str = "") -> str:
        with self._lock:
            transaction = self.transactions[transaction_id]
            information = transaction["paymentInformation"]
            information["status"] = status
            if status == "PAYED":
                information.update(
                    transactionTimestamp=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[
                        :-3
                    ]
                    + "Z",
                    paymentMethod=self.payment_method,
                    paymentMethodDetail="Testzahlung",
                )
            if detail:
                information["statusDetail"] = detail
            return transaction["paymentRequest"]["redirectUrl"]


def _validate(payment_request: dict[str, Any], required_booking_data: tuple[str, ...]) -> None:
    for name in ("requestId", "currency", "grosAmount", "purpose", "redirectUrl", "items"):
        if payment_request.get(name) in (None, ""):
            raise Refused(400, "VALIDATION_ERROR", f"{name} fehlt.")
    if not (
        isinstance(payment_request["requestId"], str)
        and ID_PATTERN.match(payment_request["requestId"])
    ):
        raise Refused(400, "VALIDATION_ERROR", "requestId: höchstens 36 Zeichen [A-Za-z0-9_-].")
    if payment_request["currency"] != "EUR":
        raise Refused(400, "VALIDATION_ERROR", "Nur die Währung EUR wird unterstützt.")
    purpose = payment_request["purpose"]
    if not (isinstance(purpose, str) and PURPOSE_PATTERN.match(purpose)):
        raise Refused(400, "VALIDATION_ERROR", "purpose: höchstens 27 Zeichen [\\w\\d\\s-].")
    if len(str(payment_request.get("description", ""))) > 250:
        raise Refused(400, "VALIDATION_ERROR", "description: höchstens 250 Zeichen.")
    if (
        not isinstance(payment_request["redirectUrl"], str)
        or len(payment_request["redirectUrl"]) > 2082
    ):
        raise Refused(400, "VALIDATION_ERROR", "redirectUrl: höchstens 2082 Zeichen.")
    gros = _number(payment_request["grosAmount"], "grosAmount")
    if not Decimal(0) < gros <= Decimal(999999):
        raise Refused(400, "VALIDATION_ERROR", "grosAmount: größer 0 und höchstens 999999.")
    items = payment_request["items"]
    if not isinstance(items, list) or not 1 <= len(items) <= 99:
        raise Refused(400, "VALIDATION_ERROR", "items: 1 bis 99 Positionen.")
    total = sum(
        (_item_total(item, index, required_booking_data) for index, item in enumerate(items)),
        Decimal(0),
    )
    if total != gros:
        raise Refused(
            400,
            "CALCULATION_ERROR",
            f"grosAmount {gros} passt nicht zur Summe der Positionen {total}.",
        )


def _item_total(item: Any, index: int, required_booking_data: tuple[str, ...]) -> Decimal:
    where = f"items[{index}]"
    if not isinstance(item, dict) or not (
        isinstance(item.get("id"), str) and ID_PATTERN.match(item["id"])
    ):
        raise Refused(400, "VALIDATION_ERROR", f"{where}.id fehlt oder ist ungültig.")
    net = _number(item.get("totalNetAmount", 0), f"{where}.totalNetAmount")
    tax = _number(item.get("totalTaxAmount", 0), f"{where}.totalTaxAmount")
    quantity = item.get("quantity", 1)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise Refused(400, "VALIDATION_ERROR", f"{where}.quantity: eine positive ganze Zahl.")
    if "singleNetAmount" in item and (
        _number(item["singleNetAmount"], f"{where}.singleNetAmount") * quantity != net
    ):
        raise Refused(
            400,
            "CALCULATION_ERROR",
            f"{where}: totalNetAmount ist nicht singleNetAmount x quantity.",
        )
    booking_data = item.get("bookingData") or {}
    if not isinstance(booking_data, dict) or not all(
        isinstance(value, str) for value in booking_data.values()
    ):
        raise Refused(400, "VALIDATION_ERROR", f"{where}.bookingData: Schlüssel-Wert-Paare.")
    missing = [key for key in required_booking_data if not booking_data.get(key)]
    if missing:
        raise Refused(
            400, "BOOKING_DATA_MISSING", f"{where}.bookingData: es fehlen {', '.join(missing)}."
        )
    return net + tax


def _number(value: Any, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise Refused(400, "VALIDATION_ERROR", f"{name}: eine Zahl wird erwartet.")
    return Decimal(value)


def _json(document: Any, status: int = 200) -> Response:
    return Response(
        json.dumps(document, default=_plain_number), status=status, mimetype="application/json"
    )


def _plain_number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    raise TypeError(type(value))


def _problem(refusal: Refused) -> Response:
    document = {
        "type": "about:blank",
        "status": refusal.status,
        "title": TITLES.get(refusal.status, "Error"),
        "detail": refusal.detail,
        "functionalCode": refusal.code,
    }
    return Response(
        json.dumps(document), status=refusal.status, mimetype="application/problem+json"
    )


def _client_name(request: Request) -> str:
    connection = request.environ.get("werkzeug.socket")
    peer = connection.getpeercert() if hasattr(connection, "getpeercert") else None
    return tls.common_name(peer or {})


@dataclass(frozen=True)
class PlatformPki:
    """The platform's throwaway authority, its server certificate, and the client
    certificate it issued to Musterstadt (all PEM)."""

    authority: tls.Authority
    server: tls.Issued
    client: tls.Issued


def platform_pki() -> PlatformPki:
    authority = tls.authority("Test-Bezahlplattform CA")
    return PlatformPki(
        authority,
        authority.issue("127.0.0.1", server=True),
        authority.issue("Gemeinde Musterstadt"),
    )


@contextmanager
def running_xbezahldienste(
    pki: PlatformPki | None = None, **options: Any
) -> Iterator[Bezahldienst]:
    """The platform on a free port; with ``pki``, over HTTPS demanding a client certificate."""
    platform = Bezahldienst(**options)
    port = servers.free_port()
    with ExitStack() as stack:
        context = (
            stack.enter_context(tls.server_context(pki.server, clients_from=pki.authority))
            if pki
            else None
        )
        platform.url = stack.enter_context(serving(platform, port, ssl_context=context))
        yield platform


@pytest.fixture
def xbezahldienste() -> Iterator[Bezahldienst]:
    """An XBezahldienste platform with Basic auth (epay21 style); ``.base_url``."""
    with running_xbezahldienste(auth="basic") as platform:
        yield platform


@pytest.fixture
def xbezahldienste_oauth() -> Iterator[Bezahldienst]:
    """An XBezahldienste platform with OAuth2 client credentials (pmPayment style);
    ``.token_url``, ``.client_id``/``.client_secret``, ``.base_url``."""
    with running_xbezahldienste(auth="oauth2") as platform:
        yield platform
