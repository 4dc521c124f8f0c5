"""The states' payment platforms (ePayBL, pmPayment, epay21, …) through XBezahldienste.

XBezahldienste (FITKO, REST interface version 1.0.0, binding for EfA services
since 2023) is one interface in front of all of them. Each municipality
connects its platform account: the base URL the platform hands out, its
``originatorId`` and ``endpointId``, and the platform's way of logging in.

The flow: :meth:`XBezahldiensteProvider.start` ``POST``s a ``paymentRequest``
to ``{base}/paymenttransaction/{originatorId}/{endpointId}``: the amount
(``grosAmount`` in euros), the Kassenzeichen as ``purpose``, one item with the
fee and its ``bookingData`` (Haushaltsstelle and Objektnummer of the form, as
the clerk's booking codes say, plus the account's own keys), the requestor and
our return address as ``redirectUrl``. The citizen is sent to the answer's
``transactionRedirectUrl`` (``transactionUrl`` is the REST address of the
transaction, not a page). The platform sends the citizen back without any
status, so the status is always read with ``GET …/{transactionId}``
(INITIAL, PAYED, FAILED, CANCELED); the polling job does the same for a
citizen who never came back. Version 1.0.0 has no notifications, no refunds and
no cancellation: money goes back through the treasury (HKR), and an abandoned
transaction ends at the platform by its own timeout.

Login per platform, chosen with the ``auth`` setting: ``basic`` (user and
password, as epay21), ``oauth2`` (client credentials at the platform's token
URL, as pmPayment; the token is cached until shortly before it expires) or
``certificate`` (mutual TLS with the client certificate the platform issued,
as ePayBL). A client certificate, once entered, is presented with every login
(some platforms want both). Certificate and key are pasted as PEM and kept
encrypted with the other credentials; ``server_ca`` is the authority of the
platform's server certificate where that is not publicly trusted (an
administrative PKI). See :mod:`amtsweg.payment.providers.http` for the files
this needs and the messages a refused handshake gives.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

import requests
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

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

_STATUS = {
    "INITIAL": RemoteStatus.PENDING,
    "PAYED": RemoteStatus.SUCCEEDED,  # sic, the specification's spelling
    "FAILED": RemoteStatus.FAILED,
    "CANCELED": RemoteStatus.CANCELLED,
}
PURPOSE_LENGTH = 27
DESCRIPTION_LENGTH = 250
LOGINS = ("basic", "oauth2", "certificate")


class XBezahldiensteProvider:
    key = "xbezahldienste"
    label = "XBezahldienste (ePayBL, pmPayment, epay21, …)"
    capabilities = frozenset({Capability.REDIRECT})
    notification_events = ()
    config_fields = (
        ConfigField("base_url", _l("Base URL of the platform's XBezahldienste interface")),
        ConfigField("originator_id", _l("Originator ID (originatorId)")),
        ConfigField("endpoint_id", _l("Endpoint ID (endpointId)")),
        ConfigField("auth", _l("Login: basic, oauth2 or certificate")),
        ConfigField("username", _l("User (for basic)"), required=False),
        ConfigField("password", _l("Password (for basic)"), secret=True, required=False),
        ConfigField("token_url", _l("Token URL (for oauth2)"), required=False),
        ConfigField("client_id", _l("Client ID (for oauth2)"), required=False),
        ConfigField("client_secret", _l("Client secret (for oauth2)"), secret=True, required=False),
        ConfigField(
            "client_certificate",
            _l("Client certificate (PEM, -----BEGIN CERTIFICATE-----, with its chain)"),
            secret=True,
            required=False,
            multiline=True,
        ),
        ConfigField(
            "client_key",
            _l("Key of the client certificate (PEM, unencrypted)"),
            secret=True,
            required=False,
            multiline=True,
        ),
        ConfigField(
            "server_ca",
            _l("Authority of the platform's server certificate (PEM; empty: publicly trusted)"),
            required=False,
            multiline=True,
        ),
        ConfigField(
            "booking_data",
            _l("Booking data for every payment, e.g. Mandant=0815; Bewirtschafter=32"),
            required=False,
        ),
    )

    def start(self, account: Account, request: PaymentRequest) -> Started:
        euros = _euros(request.amount_cents)
        requestor = {"name": request.payer_name, "isOrganization": False}
        transaction = _api(
            account,
            "POST",
            _transactions(account),
            json={
                "requestId": _request_id(request.idempotency_key),
                "requestTimestamp": _timestamp(),
                "currency": request.currency,
                "grosAmount": euros,
                "purpose": request.kassenzeichen[:PURPOSE_LENGTH],
                "description": request.description[:DESCRIPTION_LENGTH],
                "redirectUrl": request.return_url,
                "items": [
                    {
                        "id": "gebuehr",
                        "reference": request.kassenzeichen,
                        "description": request.description[:DESCRIPTION_LENGTH],
                        "quantity": 1,
                        "taxRate": 0,
                        "singleNetAmount": euros,
                        "singleTaxAmount": 0,
                        "totalNetAmount": euros,
                        "totalTaxAmount": 0,
                        "bookingData": booking_data(account, request.booking_data),
                    }
                ],
                **({"requestor": requestor} if request.payer_name else {}),
            },
        )
        information = transaction.get("paymentInformation") or {}
        pay_page = information.get("transactionRedirectUrl")
        if not information.get("transactionId") or not pay_page:
            raise ProviderRefused("the platform gave no transaction to pay")
        return Started(provider_payment_id=information["transactionId"], redirect_url=pay_page)

    def fetch_status(self, account: Account, provider_payment_id: str) -> Observation:
        transaction = _api(account, "GET", f"{_transactions(account)}/{provider_payment_id}")
        information = transaction.get("paymentInformation") or {}
        method = information.get("paymentMethod")
        detail = information.get("statusDetail") or (f"paymentMethod {method}" if method else None)
        return Observation(
            provider_payment_id,
            _STATUS.get(information.get("status", ""), RemoteStatus.PENDING),
            detail=detail,
        )

    def parse_webhook(
        self,
        account: Account,  # noqa: ARG002
        body: bytes,  # noqa: ARG002
        headers: Mapping[str, str],  # noqa: ARG002
    ) -> Observation | None:
        raise WebhookRejected("XBezahldienste 1.0.0 sends no notifications")

    def refund(
        self,
        account: Account,  # noqa: ARG002
        provider_payment_id: str,  # noqa: ARG002
        amount_cents: int,  # noqa: ARG002
        idempotency_key: str,  # noqa: ARG002
    ) -> str:
        raise ProviderRefused("XBezahldienste has no refunds; the treasury pays back")

    def refunds(
        self,
        account: Account,  # noqa: ARG002
        provider_payment_id: str,  # noqa: ARG002
    ) -> list[RemoteRefund]:
        """XBezahldienste makes no refunds, so it holds none."""
        return []

    def cancel(self, account: Account, provider_payment_id: str) -> None:  # noqa: ARG002
        raise ProviderRefused("XBezahldienste has no cancellation; the platform times out")

    def check(self, account: Account) -> None:
        """The platform's status resource for our originator and endpoint, logged in."""
        base = account.settings["base_url"].rstrip("/")
        ids = f"{account.settings['originator_id']}/{account.settings['endpoint_id']}"
        _api(account, "GET", f"{base}/status/{ids}")


def booking_data(account: Account, of_form: Mapping[str, str]) -> dict[str, str]:
    """The account's booking keys for every payment, then the form's (which win)."""
    common = {}
    for pair in (account.settings.get("booking_data") or "").split(";"):
        name, _, value = pair.partition("=")
        if name.strip() and value.strip():
            common[name.strip()] = value.strip()
    return {**common, **{name: value for name, value in of_form.items() if value}}


# --- calls -------------------------------------------------------------------------------


def _transactions(account: Account) -> str:
    settings = account.settings
    base = settings["base_url"].rstrip("/")
    return f"{base}/paymenttransaction/{settings['originator_id']}/{settings['endpoint_id']}"


def _api(account: Account, method: str, url: str, **kwargs: Any) -> Any:
    """One call with the platform's login; an OAuth2 token it refuses is replaced once."""
    login = account.settings.get("auth", "")
    if login not in LOGINS:
        raise ProviderRefused(f"the login must be one of {', '.join(LOGINS)}, not {login!r}")
    tls = http.Tls(
        certificate=account.credentials.get("client_certificate", ""),
        key=account.credentials.get("client_key", ""),
        server_ca=account.settings.get("server_ca", ""),
    )
    if login == "certificate":
        if not tls.certificate:
            raise ProviderRefused(
                gettext("The login by certificate needs the client certificate and its key.")
            )
        return http.call(method, url, _describe, tls=tls, **kwargs)
    if login == "basic":
        auth = (account.settings.get("username", ""), account.credentials.get("password", ""))
        return http.call(method, url, _describe, tls=tls, auth=auth, **kwargs)
    credentials = http.ClientCredentials(
        token_url=account.settings.get("token_url", ""),
        client_id=account.settings.get("client_id", ""),
        client_secret=account.credentials.get("client_secret", ""),
    )

    def authorised() -> Any:
        token = http.bearer_token(credentials, _describe, tls)
        headers = {"Authorization": f"Bearer {token}"}
        return http.call(method, url, _describe, tls=tls, headers=headers, **kwargs)

    try:
        return authorised()
    except http.HttpRefused as refused:
        if refused.status not in {401, 403}:
            raise
        http.forget_token(credentials)
    return authorised()


def _describe(response: requests.Response) -> str:
    """The platform's problem document in one line: functional code and detail."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if not isinstance(body, dict):
        return f"HTTP {response.status_code}"
    code = body.get("functionalCode") or body.get("error") or f"HTTP {response.status_code}"
    return f"{code}: {body.get('detail', '')}".rstrip(": ")


def _euros(cents: int) -> int | float:
    """``grosAmount`` is a JSON number of euros: 3070 cents → 30.7. Exact, because a float's
    shortest representation of a two-decimal amount below 10^15 is that decimal."""
    return cents // 100 if cents % 100 == 0 else cents / 100


def _request_id(idempotency_key: str) -> str:
    """The specification's requestId (at most 36 of ``[A-Za-z0-9_-]``), stable per payment."""
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]


def _timestamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
