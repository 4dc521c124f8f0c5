"""Which providers exist; each tenant account names one of them by its key.

giropay is not here: the scheme ended on 31 December 2024. Its successor Wero
reaches merchants only through acquirers (for example as a payment method of
a Stripe account), so it comes with such a provider, never as a module of its
own (see docs/payment.md).
"""

from __future__ import annotations

from flask import current_app

from amtsweg.payment.interfaces import PaymentProvider
from amtsweg.payment.providers import banktransfer, paypal, sandbox, stripe, xbezahldienste

PROVIDERS: dict[str, type[PaymentProvider]] = {
    sandbox.SandboxProvider.key: sandbox.SandboxProvider,
    stripe.StripeProvider.key: stripe.StripeProvider,
    paypal.PayPalProvider.key: paypal.PayPalProvider,
    xbezahldienste.XBezahldiensteProvider.key: xbezahldienste.XBezahldiensteProvider,
    banktransfer.BankTransferProvider.key: banktransfer.BankTransferProvider,
}

# Shown in the admin's provider list so nobody looks for what no longer exists.
RETIRED = {
    "giropay": "giropay ended on 31 December 2024. Wero, its successor, is offered to "
    "merchants only through acquirers (e.g. as a payment method of a Stripe account).",
}


def provider(key: str) -> PaymentProvider:
    """The provider with this key; ``KeyError`` for an unknown one."""
    return PROVIDERS[key]()


def offered(key: str) -> bool:
    """Whether this installation offers the provider: the sandbox's test cards pay any fee,
    so it is offered only with ``AMTSWEG_SANDBOX_PAYMENTS`` (never in production)."""
    if key == sandbox.SandboxProvider.key:
        return current_app.config["AMTSWEG"].sandbox_payments
    return key in PROVIDERS


def provider_keys() -> list[str]:
    """The providers offered here, for admins to connect and citizens to pay with."""
    return [key for key in PROVIDERS if offered(key)]
