"""Payments made through the services, and notifications signed as a provider signs them."""

from __future__ import annotations

import json
import secrets
import string
import time
import uuid

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, delete, inspect, select

from amtsweg.formdefs import service as formdefs
from amtsweg.formdefs.models import FormDefinition, FormVersion
from amtsweg.payment import service
from amtsweg.payment.interfaces import Account, PaymentProvider
from amtsweg.payment.models import Payment, Refund, SandboxCharge
from amtsweg.payment.providers import sandbox
from amtsweg.platform.db import db, tenant_scope
from amtsweg.submissions import service as submissions
from amtsweg.submissions.models import Submission
from amtsweg.tenants import service as tenants
from amtsweg.tenants.models import Tenant
from tests.payment.conftest import FORM, IBAN, WEBHOOK_SECRET, connect_sandbox, offer_fee_form


def committed_fee_tenant(slug: str, name: str, *, live: bool = True) -> Tenant:
    """A tenant of its own, committed (for races between real transactions), that offers
    the fee form and takes payments with the sandbox; the caller removes it afterwards."""
    prefix = "".join(secrets.choice(string.ascii_uppercase) for _ in range(6))
    branding = tenants.Branding(contact_email=f"amt@{slug}.example")
    tenant = tenants.create_tenant(slug, name, prefix, branding, live=live)
    with tenant_scope(tenant.id):
        offer_fee_form(tenant)
    connect_sandbox(tenant)
    db.session.commit()
    return tenant


def submit(
    app: Flask,
    tenant: Tenant,
    subject: str = "erika",
    issuer: str = "https://id.example",
    *,
    locale: str = "de",
    confirmation_email: str | None = None,
) -> Submission:
    """A citizen's submission of the fee form, awaiting payment."""
    user = tenants.find_or_create_user(issuer, subject, subject.title())
    with app.test_request_context(), tenant_scope(tenant.id):
        form = formdefs.offered_form(tenant, FORM)
        outcome = submissions.submit_answers(
            tenant,
            user,
            form,
            {"kennzeichen": "M-AB 1"},
            locale=locale,
            confirmation_email=confirmation_email,
        )
        db.session.commit()
    return outcome.submission


def start(app: Flask, tenant: Tenant, submission: Submission, provider: str = "sandbox") -> Payment:
    with app.test_request_context(), tenant_scope(tenant.id):
        started = service.start_payment(tenant, submission, provider)
        db.session.commit()
    return started.payment


def webhook_body(payment: Payment, status: str, event_id: str | None = None) -> bytes:
    return json.dumps(
        {
            "id": event_id or f"evt_{uuid.uuid4().hex}",
            "type": f"charge.{status}",
            "data": {"id": payment.provider_payment_id, "status": status},
        }
    ).encode()


def signed(body: bytes, secret: str = WEBHOOK_SECRET, at: int | None = None) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        sandbox.SIGNATURE_HEADER: sandbox.sign(
            secret, body, at if at is not None else int(time.time())
        ),
    }


def webhook_url(tenant: Tenant) -> str:
    return f"/api/v1/tenants/{tenant.slug}/payment/webhooks/sandbox"


def connected(tenant: Tenant, provider: str) -> tuple[Account, PaymentProvider]:
    """The tenant's account with ``provider`` as the service hands it over, and the
    provider itself (inside the tenant's scope and a request context)."""
    account = service.find_account(tenant, provider)
    return service.account_view(tenant, account), service.provider_of(account)


def sandbox_charge(tenant: Tenant, payment: Payment) -> SandboxCharge:
    """The sandbox's own record of the payment (inside the tenant's scope)."""
    charge_id = uuid.UUID(payment.provider_payment_id.removeprefix("sbx_"))
    return db.session.scalars(select(SandboxCharge).where(SandboxCharge.id == charge_id)).one()


def settle_at_provider(tenant: Tenant, payment: Payment, status: str) -> None:
    """What happens at the provider while the citizen's tab is closed."""
    with tenant_scope(tenant.id):
        sandbox_charge(tenant, payment).status = status
        db.session.commit()


def paid_in_two_tabs(
    app: Flask, client: FlaskClient, tenant: Tenant, submission: Submission
) -> tuple[Payment, Payment]:
    """The same application paid from two browser tabs: both payments succeed at the
    provider, and the provider's signed notification of each arrives."""
    payments = start(app, tenant, submission), start(app, tenant, submission)
    for payment in payments:
        settle_at_provider(tenant, payment, "succeeded")
        body = webhook_body(payment, "succeeded")
        answer = client.post(webhook_url(tenant), data=body, headers=signed(body))
        assert answer.status_code == 200
    return payments


def fail_sandbox_refund(tenant: Tenant, payment: Payment, refund_id: str, failure: str) -> None:
    """The sandbox's refund fails after it was made, as a card provider's does when the
    card was closed: it gives nothing back, and the sandbox lists it with its reason."""
    with tenant_scope(tenant.id):
        charge = sandbox.find_charge(uuid.UUID(payment.provider_payment_id[4:]))
        made = next(made for made in charge.refunds if made["id"] == refund_id)
        charge.refunds = [
            {**other, "failure": failure} if other is made else other for other in charge.refunds
        ]
        charge.refunded_cents -= made["amount_cents"]
        db.session.commit()


def reload(tenant: Tenant, payment: Payment) -> Payment:
    key = inspect(payment).identity  # no load: a failed request may have expired the object
    with tenant_scope(tenant.id):
        return db.session.get_one(Payment, key, populate_existing=True)


def recorded_refunds(tenant: Tenant, payment: Payment) -> list[Refund]:
    """The payment's refunds as our books hold them (what a clerk's list shows)."""
    with tenant_scope(tenant.id):
        return service.refunds_of(reload(tenant, payment))


def remove_fee_form(engine: Engine) -> None:
    """Delete the fee form a committed test published (no tenant offers it any more)."""
    with engine.begin() as connection:
        definition = FormDefinition.__table__
        ids = select(definition.c.id).where(definition.c.slug == FORM).scalar_subquery()
        connection.execute(delete(FormVersion.__table__).where(FormVersion.definition_id == ids))
        connection.execute(delete(definition).where(definition.c.slug == FORM))


def statement(*entries: tuple[str, str, str, str]) -> bytes:
    """A camt.053.001.08 statement with (reference, amount, remittance, debtor) credits;
    an amount is in euros unless it names its currency ("30.70 CHF")."""
    body = "".join(
        f"""<Ntry><NtryRef>{ref}</NtryRef><Amt Ccy="{_currency(amount)}">{amount.split()[0]}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-11-27</Dt></BookgDt>
        <NtryDtls><TxDtls><Refs><AcctSvcrRef>{ref}</AcctSvcrRef></Refs>
        <RltdPties><Dbtr><Pty><Nm>{debtor}</Nm></Pty></Dbtr></RltdPties>
        <RmtInf><Ustrd>{remittance}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"""
        for ref, amount, remittance, debtor in entries
    )
    debit = """<Ntry><Amt Ccy="EUR">99.00</Amt><CdtDbtInd>DBIT</CdtDbtInd>
        <RmtInf><Ustrd>Miete</Ustrd></RmtInf></Ntry>"""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
<GrpHdr><MsgId>STMT-1</MsgId><CreDtTm>2026-11-28T06:00:00</CreDtTm></GrpHdr>
<Stmt><Id>1</Id><Acct><Id><IBAN>{IBAN}</IBAN></Id></Acct>{body}{debit}</Stmt>
</BkToCstmrStmt></Document>""".encode()


def _currency(amount: str) -> str:
    _value, _, currency = amount.partition(" ")
    return currency or "EUR"
