"""Pay by bank transfer: a GiroCode (EPC QR code) with the exact amount and Kassenzeichen.

There is nothing to call: the citizen transfers the money, and the
municipality's bank statement (camt.053, :mod:`amtsweg.payment.camt`) settles
the payment. Until then it is pending; it expires after 30 days.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import segno
from flask_babel import lazy_gettext as _l
from schwifty import BIC, IBAN
from segno import helpers

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
)


class BankTransferProvider:
    key = "banktransfer"
    label = "Bank transfer (GiroCode)"
    capabilities = frozenset({Capability.OFFLINE})
    notification_events = ()
    config_fields = (
        ConfigField("account_holder", _l("Account holder")),
        ConfigField("iban", _l("IBAN")),
        ConfigField("bic", _l("BIC")),
    )
    expiry_minutes = 30 * 24 * 60

    def start(self, account: Account, request: PaymentRequest) -> Started:  # noqa: ARG002
        return Started(provider_payment_id=request.kassenzeichen, redirect_url=None)

    def fetch_status(self, account: Account, provider_payment_id: str) -> Observation:  # noqa: ARG002
        return Observation(provider_payment_id, RemoteStatus.PENDING)

    def parse_webhook(
        self,
        account: Account,  # noqa: ARG002
        body: bytes,  # noqa: ARG002
        headers: Mapping[str, str],  # noqa: ARG002
    ) -> Observation | None:
        """Banks send no notifications; statements are imported instead."""
        return None

    def refund(
        self,
        account: Account,  # noqa: ARG002
        provider_payment_id: str,  # noqa: ARG002
        amount_cents: int,  # noqa: ARG002
        idempotency_key: str,  # noqa: ARG002
    ) -> str:
        raise ProviderRefused("a transfer is paid back by the treasury")

    def refunds(
        self,
        account: Account,  # noqa: ARG002
        provider_payment_id: str,  # noqa: ARG002
    ) -> list[RemoteRefund]:
        """The treasury pays a transfer back: the bank holds no refunds of ours."""
        return []

    def cancel(self, account: Account, provider_payment_id: str) -> None:
        """Nothing to cancel at a bank."""

    def check(self, account: Account) -> None:
        try:
            IBAN(account.settings.get("iban", ""))
            BIC(account.settings.get("bic", ""))
        except ValueError as error:
            raise ProviderRefused(str(error)) from error


def girocode(settings: Mapping[str, str], amount_cents: int, kassenzeichen: str) -> segno.QRCode:
    """The EPC069-12 QR code: the tenant's account, the exact amount, the Kassenzeichen
    as unstructured remittance text (what treasuries match on)."""
    return helpers.make_epc_qr(
        name=settings["account_holder"][:70],
        iban=str(IBAN(settings["iban"])),
        amount=Decimal(amount_cents) / 100,
        text=kassenzeichen,
        bic=str(BIC(settings["bic"])),
        encoding="utf-8",
    )
