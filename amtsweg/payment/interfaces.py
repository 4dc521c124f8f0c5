"""What every payment provider offers, and the values that cross the boundary.

A provider module implements :class:`PaymentProvider` for one external system
(the sandbox, Stripe, bank transfer, …). It never writes our tables: it talks
to its system and answers with these values; :mod:`amtsweg.payment.service`
decides what they mean for a payment.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


class Capability(enum.StrEnum):
    REDIRECT = "redirect"  # the citizen is sent to a hosted page
    WEBHOOKS = "webhooks"  # the provider notifies us
    REFUND = "refund"
    CANCEL = "cancel"
    OFFLINE = "offline"  # settled outside the journey (bank statement)


@dataclass(frozen=True, slots=True)
class ConfigField:
    """One setting an administrator enters when connecting an account."""

    name: str
    label: str  # a lazy gettext string: shown in the reader's language
    secret: bool = False
    required: bool = True
    multiline: bool = False  # PEM text and the like: a text area, line breaks kept


class RemoteStatus(enum.StrEnum):
    """A provider's status, mapped onto the words we decide with."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Account:
    """A tenant's account as a provider sees it: settings plus decrypted credentials."""

    account_id: uuid.UUID
    tenant_slug: str
    settings: Mapping[str, Any]
    credentials: Mapping[str, str]
    webhook_url: str


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    """What to charge. ``idempotency_key`` is stable per payment, so a retried
    create never charges twice. ``cancel_url`` is where a provider that tells
    "turned back" apart from "came back" sends a citizen who turned back;
    ``booking_data`` (Haushaltsstelle, Objektnummer of the form) is for
    providers that book for the treasury; ``payer_name`` for those that ask."""

    amount_cents: int
    currency: str
    kassenzeichen: str
    description: str
    return_url: str
    idempotency_key: str
    cancel_url: str = ""
    booking_data: Mapping[str, str] = field(default_factory=dict)
    payer_name: str = ""


@dataclass(frozen=True, slots=True)
class Started:
    """The provider's id of the new payment and where to send the citizen (if anywhere)."""

    provider_payment_id: str
    redirect_url: str | None
    status: RemoteStatus = RemoteStatus.PENDING


@dataclass(frozen=True, slots=True)
class Observation:
    """A status read from the provider or carried by a verified notification."""

    provider_payment_id: str
    status: RemoteStatus
    event_id: str | None = None
    payer: str | None = None
    detail: str | None = None
    # When the notification names the payment by our Kassenzeichen (a provider's
    # metadata) rather than by the id ``start`` returned.
    kassenzeichen: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    # The notification says the payment's refunds changed at the provider (one made in
    # its dashboard, say); ``status`` then says nothing new. Amounts are not taken from
    # it: the service reads them with ``refunds``, as it reads a status back.
    about_refunds: bool = False


@dataclass(frozen=True, slots=True)
class RemoteRefund:
    """A refund the provider holds for a payment: done, under way, or failed.

    ``key`` is the idempotency key we sent with it, which the provider keeps with
    the refund (Stripe's metadata, PayPal's ``custom_id``); ``None`` for a refund
    made elsewhere, such as in the provider's own dashboard. ``failure`` is the
    provider's reason when the refund failed or was cancelled and gave nothing
    back; ``None`` while it stands.
    """

    provider_refund_id: str
    amount_cents: int
    key: str | None = None
    failure: str | None = None


class ProviderUnavailable(Exception):  # noqa: N818 - a condition, like TimeoutError
    """The provider could not be reached or answered with a server error."""


class ProviderRefused(Exception):  # noqa: N818 - a condition
    """The provider refused the request (bad credentials, unknown payment, …)."""


class WebhookRejected(Exception):  # noqa: N818 - a condition
    """A notification failed verification (signature, age, shape); nothing may change."""


class PaymentProvider(Protocol):
    """One external payment system. Instances are cheap; one per call is fine."""

    key: str
    label: str
    capabilities: frozenset[Capability]
    config_fields: tuple[ConfigField, ...]
    # The events to subscribe the webhook to in the provider's own settings, for the
    # admin to copy; empty where there is nothing to set up.
    notification_events: tuple[str, ...]

    def start(self, account: Account, request: PaymentRequest) -> Started:
        """Create the payment at the provider; raise ProviderUnavailable when down."""

    def fetch_status(self, account: Account, provider_payment_id: str) -> Observation:
        """Read the payment's status back from the provider (never trust a return URL)."""

    def parse_webhook(
        self, account: Account, body: bytes, headers: Mapping[str, str]
    ) -> Observation | None:
        """Verify a notification from the raw body and normalise it; ``None`` when it
        is about something else. Raises WebhookRejected. Writes nothing."""

    def refund(
        self, account: Account, provider_payment_id: str, amount_cents: int, idempotency_key: str
    ) -> str:
        """Give ``amount_cents`` back; returns the provider's refund id. The provider keeps
        ``idempotency_key`` with the refund, so :meth:`refunds` can name it later."""

    def refunds(self, account: Account, provider_payment_id: str) -> list[RemoteRefund]:
        """Every refund of the payment the provider holds, however it was made; a failed
        or cancelled one with its ``failure``."""

    def cancel(self, account: Account, provider_payment_id: str) -> None:
        """Cancel a payment that has not succeeded."""

    def check(self, account: Account) -> None:
        """Test the connection (credentials valid, provider reachable); raise if not."""
