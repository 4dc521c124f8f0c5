"""Payments: the only writer of the payment tables.

Every status change goes through :func:`transition`, one conditional
``UPDATE … WHERE status IN (allowed) RETURNING`` plus an event row, under the
payment's row lock; the signals of :mod:`amtsweg.platform.signals` are sent
from there, inside the same transaction. The one exception is the way back from
a refund that failed at the provider (:func:`_take_back`), which the state table
deliberately lacks. Statuses are always read from the
provider (return page, polling job) or taken from a verified notification,
never from the browser.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_babel import gettext, ngettext
from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from amtsweg.formdefs.models import FormDefinition, FormVersion
from amtsweg.payment import (
    camt,
    export,
    kassenzeichen,
    labels,
    money,
    refund_notices,
    registry,
    secrets,
)
from amtsweg.payment.interfaces import (
    Account,
    Capability,
    Observation,
    PaymentProvider,
    PaymentRequest,
    ProviderRefused,
    ProviderUnavailable,
    RemoteRefund,
    RemoteStatus,
    WebhookRejected,
)
from amtsweg.payment.models import (
    BookingCode,
    KassenzeichenCounter,
    Payment,
    PaymentEvent,
    PaymentStatus,
    ProviderAccount,
    Refund,
    StatementLine,
    WebhookReceipt,
)
from amtsweg.payment.money import ALLOWED_FROM, OPEN, WITH_MONEY, WITHOUT_MONEY
from amtsweg.platform import i18n, outbox
from amtsweg.platform.db import db, require_tenant_scope, take_write_lock, tenant_scope, utcnow
from amtsweg.platform.errors import Conflict, FieldProblem, NotFound, Refusal, json_pointer
from amtsweg.platform.jobs import enqueue_after_commit
from amtsweg.platform.logs import log_context
from amtsweg.platform.signals import payment_changed, payment_failed, payment_succeeded
from amtsweg.submissions import service as submissions
from amtsweg.submissions.models import Submission, SubmissionStatus
from amtsweg.tenants import service as tenants
from amtsweg.tenants.models import Tenant, User

log = logging.getLogger(__name__)

TREASURY_ZONE = ZoneInfo("Europe/Berlin")

FROM_REMOTE = {
    RemoteStatus.PENDING: PaymentStatus.PENDING,
    RemoteStatus.SUCCEEDED: PaymentStatus.SUCCEEDED,
    RemoteStatus.FAILED: PaymentStatus.FAILED,
    RemoteStatus.CANCELLED: PaymentStatus.CANCELLED,
}

DUPLICATE_REASON = "Doppelte Zahlung desselben Antrags (automatische Erstattung)"
FOUND_REASON = "Beim Zahlungsdienst erstattet, hier nachgetragen"


class PaymentRefused(Refusal):
    """A payment operation that cannot be done as asked."""


class ProviderDown(Refusal):
    status = 503


class RefundsFoundAtProvider(Conflict):
    """The provider holds refunds our books lack; they are recorded now (the request's
    writes stand), and the refund asked for was not made."""

    keeps_writes = True


# --- accounts ---------------------------------------------------------------------


def accounts(tenant: Tenant) -> list[ProviderAccount]:
    """The tenant's accounts with providers offered here (a sandbox account saved before the
    sandbox was switched off is neither shown nor offered)."""
    require_tenant_scope(tenant.id)
    offered = registry.provider_keys()
    return list(
        db.session.scalars(
            select(ProviderAccount)
            .where(ProviderAccount.provider.in_(offered))
            .order_by(ProviderAccount.provider)
        )
    )


def require_account(tenant: Tenant, provider_key: str) -> ProviderAccount:
    """The tenant's account with a provider offered here; :class:`NotFound` when it has none."""
    account = find_account(tenant, provider_key) if registry.offered(provider_key) else None
    if account is None:
        raise NotFound(gettext("There is no such payment provider here."))
    return account


def enabled_accounts(tenant: Tenant) -> list[ProviderAccount]:
    return [account for account in accounts(tenant) if account.enabled]


def find_account(tenant: Tenant, provider_key: str) -> ProviderAccount | None:
    require_tenant_scope(tenant.id)
    return db.session.scalar(
        select(ProviderAccount).where(ProviderAccount.provider == provider_key)
    )


def lock_account(account: ProviderAccount) -> None:
    """Take the account's row lock for the rest of the transaction.

    A second request that takes it waits until the first has committed, and
    then reads what the first recorded (PostgreSQL's READ COMMITTED).
    """
    take_write_lock(db.session)
    db.session.execute(
        select(ProviderAccount.id).where(ProviderAccount.id == account.id).with_for_update()
    )


def connect_account(
    tenant: Tenant,
    provider_key: str,
    values: Mapping[str, str],
    *,
    enabled: bool = True,
    actor: User | None = None,
) -> ProviderAccount:
    """Create or update the tenant's account with a provider.

    Secret fields left empty keep their stored value, so an admin can change a
    setting without typing the secret key again (it is only ever shown masked).
    """
    require_tenant_scope(tenant.id)
    provider = _provider_or_refuse(provider_key)
    account = find_account(tenant, provider_key) or ProviderAccount(
        tenant_id=tenant.id, provider=provider_key
    )
    stored = secrets.decrypt(account.credentials)
    settings, credentials, problems = {}, {}, []
    for config in provider.config_fields:
        value = (values.get(config.name) or "").strip()
        if config.secret:
            value = value or stored.get(config.name, "")
        if config.required and not value:
            problems.append(
                FieldProblem(json_pointer(config.name), gettext("This field is required."))
            )
        (credentials if config.secret else settings)[config.name] = value
    if problems:
        raise PaymentRefused(gettext("Please complete the provider's settings."), problems=problems)
    account.settings = settings
    account.credentials = secrets.encrypt(credentials)
    account.enabled = enabled
    db.session.add(account)
    db.session.flush()
    tenants.record(tenant, "payment.account_saved", "payment_account", provider_key, actor=actor)
    return account


@dataclass(frozen=True, slots=True)
class ProviderEntry:
    """A provider as the admin sees it: what it needs, and the tenant's account if any."""

    key: str
    label: str
    config_fields: tuple[Any, ...]
    connected: bool
    enabled: bool
    settings: dict[str, Any]
    credentials: dict[str, str]
    webhook_url: str
    notification_events: tuple[str, ...]


def provider_entries(tenant: Tenant) -> list[ProviderEntry]:
    """Every provider, with the tenant's account masked (secrets never leave unmasked), and
    the address for its notifications where it sends any."""
    entries = []
    for key in registry.provider_keys():
        provider = registry.provider(key)
        account = find_account(tenant, key)
        entries.append(
            ProviderEntry(
                key=key,
                label=provider.label,
                config_fields=provider.config_fields,
                connected=account is not None,
                enabled=bool(account and account.enabled),
                settings=dict(account.settings) if account else {},
                credentials=masked_credentials(account) if account else {},
                webhook_url=url_for(
                    "payment_api.Webhook", tenant_slug=tenant.slug, provider_key=key, _external=True
                )
                if Capability.WEBHOOKS in provider.capabilities
                else "",
                notification_events=provider.notification_events,
            )
        )
    return entries


def masked_credentials(account: ProviderAccount) -> dict[str, str]:
    return {
        name: secrets.masked(value)
        for name, value in secrets.decrypt(account.credentials).items()
        if value  # an optional secret never given is not "stored"
    }


def check_account(tenant: Tenant, account: ProviderAccount) -> None:
    """Test the connection; a refusal says what is wrong in words an admin can act on."""
    try:
        provider_of(account).check(account_view(tenant, account))
    except ProviderUnavailable as error:
        raise ProviderDown(
            gettext("The provider cannot be reached: %(error)s", error=error)
        ) from error
    except ProviderRefused as error:
        raise PaymentRefused(gettext("The provider refused: %(error)s", error=error)) from error


def provider_of(account: ProviderAccount) -> PaymentProvider:
    return registry.provider(account.provider)


def _provider_or_refuse(provider_key: str) -> PaymentProvider:
    if not registry.offered(provider_key):
        raise NotFound(gettext("There is no such payment provider."))
    return registry.provider(provider_key)


def account_view(tenant: Tenant, account: ProviderAccount) -> Account:
    return Account(
        account_id=account.id,
        tenant_slug=tenant.slug,
        settings=account.settings,
        credentials=secrets.decrypt(account.credentials),
        webhook_url=url_for(
            "payment_api.Webhook",
            tenant_slug=tenant.slug,
            provider_key=account.provider,
            _external=True,
        ),
    )


def rotate_credentials() -> int:
    """Re-encrypt every account of the current tenant with the newest key."""
    rows = list(db.session.scalars(select(ProviderAccount)))
    for account in rows:
        account.credentials = secrets.rotate(account.credentials)
    return len(rows)


# --- Kassenzeichen ----------------------------------------------------------------


_INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


def next_kassenzeichen(tenant: Tenant) -> str:
    """The next Kassenzeichen of the tenant; one upsert per number, so never twice."""
    year = dt.datetime.now(TREASURY_ZONE).year
    upsert = _INSERTS[db.session.get_bind().dialect.name](KassenzeichenCounter)
    number = db.session.scalar(
        upsert.values(tenant_id=tenant.id, id=uuid.uuid4(), year=year, last_number=1)
        .on_conflict_do_update(
            index_elements=[KassenzeichenCounter.tenant_id, KassenzeichenCounter.year],
            set_={"last_number": KassenzeichenCounter.last_number + 1},
        )
        .returning(KassenzeichenCounter.last_number)
    )
    pattern = current_app.config["AMTSWEG"].kassenzeichen_pattern
    return kassenzeichen.compose(pattern, prefix=tenant.reference_prefix, year=year, number=number)


# --- the one state change ---------------------------------------------------------


def transition(
    payment: Payment,
    to: PaymentStatus,
    *,
    source: str,
    provider_reference: str | None = None,
    detail: str | None = None,
    values: Mapping[str, Any] | None = None,
) -> bool:
    """Move ``payment`` to ``to`` if its current status allows it; False when not.

    Locks the row, updates it only ``WHERE status IN (allowed)`` and records an
    event. A success first tries to become the submission's settling payment;
    when another payment settles it already (two tabs), this one is kept as a
    duplicate and refunded by a job after the commit.
    """
    require_tenant_scope(payment.tenant_id)
    current = lock(payment)
    allowed = ALLOWED_FROM[to]
    if current not in allowed:
        return False
    changes: dict[str, Any] = {"status": to, "updated_at": utcnow(), **(values or {})}
    settles = False
    if to is PaymentStatus.SUCCEEDED:
        changes["succeeded_at"] = utcnow()
        settles = _claim_settlement(payment, allowed, changes)
        if not settles:
            changes["duplicate"] = True
    if not settles and not _update(payment, allowed, changes):
        return False
    db.session.refresh(payment)
    _add_event(payment, current, source, provider_reference, detail)
    _announce(payment, to, settled_now=settles)
    return True


def _add_event(
    payment: Payment,
    from_status: PaymentStatus,
    source: str,
    provider_reference: str | None,
    detail: str | None,
) -> None:
    db.session.add(
        PaymentEvent(
            tenant_id=payment.tenant_id,
            payment_id=payment.id,
            from_status=from_status,
            to_status=payment.status,
            source=source,
            provider_reference=provider_reference,
            detail=detail,
        )
    )


def lock(payment: Payment) -> PaymentStatus:
    """Take the payment's row lock for the rest of the transaction; its status now."""
    return db.session.scalars(
        select(Payment.status).where(Payment.id == payment.id).with_for_update()
    ).one()


def _update(payment: Payment, allowed: frozenset[PaymentStatus], changes: dict[str, Any]) -> bool:
    returned = db.session.execute(
        update(Payment)
        .where(Payment.id == payment.id, Payment.status.in_(allowed))
        .values(**changes)
        .returning(Payment.id)
        .execution_options(synchronize_session=False)
    ).first()
    return returned is not None


def _claim_settlement(
    payment: Payment, allowed: frozenset[PaymentStatus], changes: dict[str, Any]
) -> bool:
    """Try the success as the submission's one settling payment (partial unique index)."""
    try:
        with db.session.begin_nested():
            return _update(payment, allowed, {**changes, "settles_submission": True})
    except IntegrityError:
        return False


def _announce(payment: Payment, to: PaymentStatus, *, settled_now: bool) -> None:
    kwargs = _signal_kwargs(payment)
    payment_changed.send(None, **kwargs)
    if settled_now:
        payment_succeeded.send(None, **kwargs)
    elif to is PaymentStatus.SUCCEEDED:
        enqueue_after_commit(refund_duplicate_job, payment.tenant_id, payment.id)
    elif to in WITHOUT_MONEY and kwargs["summary"]["status"] in WITHOUT_MONEY:
        payment_failed.send(None, **kwargs)


def _signal_kwargs(payment: Payment) -> dict[str, Any]:
    """What the payment signals carry (``platform/signals.py``): the submission's summary."""
    return {
        "tenant_id": payment.tenant_id,
        "submission_id": payment.submission_id,
        "summary": submission_summary(payment.submission_id),
    }


def summary_of(payment: Payment) -> dict[str, Any]:
    return {
        "status": payment.status.value,
        "amount_cents": payment.amount_cents,
        "currency": payment.currency,
        "provider": payment.provider,
        "kassenzeichen": payment.kassenzeichen,
    }


def submission_summary(submission_id: uuid.UUID) -> dict[str, Any]:
    """The payment that speaks for the submission: the settling one, else the newest."""
    payment = db.session.scalars(
        select(Payment)
        .where(Payment.submission_id == submission_id)
        .order_by(Payment.settles_submission.desc(), Payment.created_at.desc())
        .limit(1)
    ).one()
    return summary_of(payment)


# --- starting ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartedPayment:
    payment: Payment
    redirect_url: str | None


def start_payment(tenant: Tenant, submission: Submission, provider_key: str) -> StartedPayment:
    """Open a payment of the submission's fee with one of the tenant's providers.

    The amount is the fee computed on the server when the submission was made
    (pinned form version and the tenant's overrides), never taken from a
    request. A provider that is down is a :class:`ProviderDown`; the
    submission stays as it is and the citizen can pay later.
    """
    require_tenant_scope(tenant.id)
    if submission.status is not SubmissionStatus.AWAITING_PAYMENT:
        raise Conflict(gettext("This application has no fee outstanding."))
    account = find_account(tenant, provider_key)
    if account is None or not account.enabled:
        raise NotFound(gettext("This payment method is not offered here."))
    provider = provider_of(account)
    payment = _new_payment(tenant, submission, account, provider)
    request = PaymentRequest(
        amount_cents=payment.amount_cents,
        currency=payment.currency,
        kassenzeichen=payment.kassenzeichen,
        description=f"{submission.reference} {payment.kassenzeichen}",
        return_url=url_for(
            "payment.return", tenant_slug=tenant.slug, payment_id=payment.id, _external=True
        ),
        idempotency_key=f"amtsweg-{payment.id}",
        cancel_url=url_for(
            "payment.turned_back", tenant_slug=tenant.slug, payment_id=payment.id, _external=True
        ),
        booking_data=booking_data_of(submission),
        payer_name=db.session.get_one(User, submission.user_id).display_name,
    )
    try:
        started = provider.start(account_view(tenant, account), request)
    except (ProviderUnavailable, ProviderRefused) as error:
        log.warning(
            "payment provider failed at start",
            extra={"provider": provider_key, "error": type(error).__name__},
        )
        raise ProviderDown(
            gettext(
                "The payment service is not reachable at the moment. Your application "
                "%(reference)s is saved; please pay later from “My applications”.",
                reference=submission.reference,
            )
        ) from error
    payment.provider_payment_id = started.provider_payment_id
    payment.redirect_url = started.redirect_url
    db.session.flush()
    apply_observation(
        payment, Observation(started.provider_payment_id, started.status), source="start"
    )
    return StartedPayment(payment, started.redirect_url)


def _new_payment(
    tenant: Tenant, submission: Submission, account: ProviderAccount, provider: PaymentProvider
) -> Payment:
    minutes = getattr(provider, "expiry_minutes", None) or (
        current_app.config["AMTSWEG"].payment_expiry_minutes
    )
    payment = Payment(
        tenant_id=tenant.id,
        submission_id=submission.id,
        account_id=account.id,
        provider=account.provider,
        amount_cents=submission.fee_total,
        currency=submission.fee["currency"],
        kassenzeichen=next_kassenzeichen(tenant),
        expires_at=utcnow() + dt.timedelta(minutes=minutes),
    )
    db.session.add(payment)
    db.session.flush()
    return payment


# --- reading statuses back --------------------------------------------------------


def apply_observation(payment: Payment, observation: Observation, *, source: str) -> bool:
    """Act on what the provider says; a status the payment cannot reach is ignored."""
    values = {"payer": observation.payer} if observation.payer else None
    return transition(
        payment,
        FROM_REMOTE[observation.status],
        source=source,
        provider_reference=observation.event_id or observation.provider_payment_id,
        detail=observation.detail,
        values=values,
    )


def refresh_from_provider(tenant: Tenant, payment: Payment, *, source: str) -> Payment:
    """Read the payment's status from its provider and act on it (return page, polling)."""
    require_tenant_scope(tenant.id)
    lock(payment)
    db.session.refresh(payment)
    if payment.status not in OPEN or payment.provider_payment_id is None:
        return payment
    account = db.session.get_one(ProviderAccount, (tenant.id, payment.account_id))
    try:
        observation = provider_of(account).fetch_status(
            account_view(tenant, account), payment.provider_payment_id
        )
    except ProviderUnavailable:
        return payment  # read again next time; the status page says it is still open
    apply_observation(payment, observation, source=source)
    return payment


def abandon(tenant: Tenant, payment: Payment) -> Payment:
    """The citizen turned back on the provider's page (its cancel address).

    The status is read from the provider first (it may be paid after all); a
    payment still open is cancelled, at the provider where it can be, so that
    the citizen can pay again at once. A success the provider reports later
    still wins (see ``ALLOWED_FROM``).
    """
    refresh_from_provider(tenant, payment, source="return")
    if payment.status in OPEN and _cancel_at_provider(tenant, payment):
        transition(payment, PaymentStatus.CANCELLED, source="return")
    return payment


def poll_open_payments(tenant: Tenant, now: dt.datetime | None = None) -> dict[str, int]:
    """Settle payments whose citizen never came back, and expire stale ones.

    Run periodically (``amtsweg payments poll``). Each open payment's status is
    read from its provider; one still open past ``expires_at`` is cancelled at
    the provider (where it can be) and expires.
    """
    require_tenant_scope(tenant.id)
    now = now or utcnow()
    counts = {"settled": 0, "expired": 0}
    open_ids = list(db.session.scalars(select(Payment.id).where(Payment.status.in_(OPEN))))
    for payment_id in open_ids:
        payment = db.session.get_one(Payment, (tenant.id, payment_id))
        refresh_from_provider(tenant, payment, source="poll")
        if payment.status not in OPEN:
            counts["settled"] += 1
        elif payment.expires_at <= now and _expire(tenant, payment):
            counts["expired"] += 1
        db.session.commit()
    return counts


def _expire(tenant: Tenant, payment: Payment) -> bool:
    return _cancel_at_provider(tenant, payment) and transition(
        payment, PaymentStatus.EXPIRED, source="poll"
    )


def _cancel_at_provider(tenant: Tenant, payment: Payment) -> bool:
    """Cancel where the provider can; False when it could not (maybe paid meanwhile:
    decide on the next reading)."""
    account = db.session.get_one(ProviderAccount, (tenant.id, payment.account_id))
    provider = provider_of(account)
    if Capability.CANCEL in provider.capabilities and payment.provider_payment_id:
        try:
            provider.cancel(account_view(tenant, account), payment.provider_payment_id)
        except (ProviderUnavailable, ProviderRefused):
            return False
    return True


# --- notifications ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WebhookOutcome:
    outcome: str  # "changed", "unchanged", "duplicate", "ignored", "unknown_payment"


def receive_webhook(
    tenant: Tenant, provider_key: str, body: bytes, headers: Mapping[str, str]
) -> WebhookOutcome:
    """Verify a notification, record its event id once, and apply it under the row lock.

    A forged, stale or malformed notification is a 400 and changes nothing.
    The same event id again (a provider's retry, or 20 copies at once) finds
    the unique receipt and does nothing more.
    """
    require_tenant_scope(tenant.id)
    account = require_account(tenant, provider_key)
    try:
        observation = provider_of(account).parse_webhook(
            account_view(tenant, account), body, headers
        )
    except WebhookRejected as error:
        raise PaymentRefused(str(error), status=400) from error
    except ProviderUnavailable as error:
        # Verifying needs the provider (PayPal): a 503 makes it deliver again later.
        raise ProviderDown(
            gettext("The provider cannot be reached: %(error)s", error=error)
        ) from error
    if observation is None or observation.event_id is None:
        return WebhookOutcome("ignored")
    if not _first_receipt(tenant, provider_key, observation.event_id):
        return WebhookOutcome("duplicate")
    payment = _payment_observed(provider_key, observation)
    if payment is None:
        return WebhookOutcome("unknown_payment")
    if observation.about_refunds:
        # Read at once: a provider that is down makes this a 503, and the provider's
        # own retries of the notification are the retry.
        taken = take_up_refunds(tenant, payment)
        return WebhookOutcome("changed" if taken.recorded or taken.failed else "unchanged")
    changed = apply_observation(payment, observation, source="webhook")
    return WebhookOutcome("changed" if changed else "unchanged")


def _payment_observed(provider_key: str, observation: Observation) -> Payment | None:
    named = Payment.provider_payment_id == observation.provider_payment_id
    if observation.kassenzeichen:
        named = or_(named, Payment.kassenzeichen == observation.kassenzeichen)
    return db.session.scalar(select(Payment).where(Payment.provider == provider_key, named))


def _first_receipt(tenant: Tenant, provider_key: str, event_id: str) -> bool:
    try:
        with db.session.begin_nested():
            db.session.add(
                WebhookReceipt(tenant_id=tenant.id, provider=provider_key, event_id=event_id)
            )
    except IntegrityError:
        return False
    return True


# --- refunds ----------------------------------------------------------------------


def refundable_cents(payment: Payment) -> int:
    return money.refundable_cents(payment.status, payment.amount_cents, payment.refunded_cents)


def refund(
    tenant: Tenant,
    payment: Payment,
    amount_cents: int,
    reason: str,
    *,
    actor: User | None = None,
) -> Refund:
    """Give back ``amount_cents`` (never more than what is left) and say why.

    The provider is asked first which refunds it holds of the payment. One whose
    answer was lost (a timeout, a gateway's 504, a crash before our commit), or one
    made in the provider's own dashboard, is not in our books yet, and refunding
    on top of it could pay the citizen twice: see :func:`_take_up`.
    """
    require_tenant_scope(tenant.id)
    lock(payment)
    db.session.refresh(payment)
    left = refundable_cents(payment)
    if not reason.strip():
        raise PaymentRefused(
            gettext("Please give a reason."),
            problems=[FieldProblem(json_pointer("reason"), gettext("Please give a reason."))],
        )
    if not money.refund_fits(amount_cents, left):
        detail = gettext("At most %(left)s cents can be refunded.", left=left)
        raise PaymentRefused(detail, problems=[FieldProblem(json_pointer("amount_cents"), detail)])
    at_provider = _refunding_of(tenant, payment)
    if at_provider is None:
        # Paid by transfer: the treasury pays back by transfer.
        return _record_refund(tenant, payment, amount_cents, reason, actor=actor)
    books = refunds_of(payment)
    held = at_provider.held()
    key = _refund_key(payment, amount_cents, held)
    compared = _Compared.of(books, held)
    if compared.unrecorded or compared.failed:
        return _take_up(
            tenant,
            payment,
            compared,
            key=key,
            amount_cents=amount_cents,
            reason=reason,
            actor=actor,
        )
    # The provider before our row: a refund it refuses or does not answer leaves no row.
    made = at_provider.make(amount_cents, key)
    return _record_refund(
        tenant, payment, amount_cents, reason, provider_refund_id=made, actor=actor
    )


def _take_up(
    tenant: Tenant,
    payment: Payment,
    compared: _Compared,
    *,
    key: str,
    amount_cents: int,
    reason: str,
    actor: User | None,
) -> Refund:
    """Bring our books in line with the provider's before refunding anything.

    The only refund missing here, made with this very refund's key and nothing else
    changed, is this refund whose answer was lost: it is recorded as asked, and
    nothing is refunded again (whether or not the provider still remembers the key:
    Stripe forgets after 24 hours). Otherwise refunds that failed at the provider
    leave the books, any other missing one is recorded as found at the provider, and
    the refund asked for is refused: the clerk asked knowing other books, so they
    check and ask again if it is still due.
    """
    unrecorded = compared.unrecorded
    if not compared.failed and [found.key for found in unrecorded] == [key]:
        made = unrecorded[0].provider_refund_id
        return _record_refund(
            tenant, payment, amount_cents, reason, provider_refund_id=made, actor=actor
        )
    said = []
    if compared.failed:
        said.append(failed_at_provider(_undo_failed(tenant, payment, compared.failed)))
    if unrecorded:
        _record_found(tenant, payment, unrecorded)
        said.append(found_at_provider(sum(remote.amount_cents for remote in unrecorded)))
    said.append(
        gettext(
            "The refund of %(asked)s was not made: please check whether it is still due.",
            asked=i18n.money(amount_cents),
        )
    )
    raise RefundsFoundAtProvider(" ".join(said))


def found_at_provider(cents: int) -> str:
    """What the clerk reads about refunds that were found at the provider and recorded."""
    return gettext(
        "The provider had already refunded %(found)s that was not recorded here; it is "
        "recorded now.",
        found=i18n.money(cents),
    )


def failed_at_provider(failed: list[Refund]) -> str:
    """What the clerk reads about recorded refunds the provider says failed."""
    return ngettext(
        "The refund of %(failed)s failed at the provider (%(why)s) and gave nothing back; "
        "it no longer counts as refunded. Please refund again, or by bank transfer.",
        "%(num)d refunds failed at the provider (together %(failed)s: %(why)s) and gave "
        "nothing back; they no longer count as refunded. Please refund again, or by bank "
        "transfer.",
        len(failed),
        failed=i18n.money(sum(record.amount_cents for record in failed)),
        why=", ".join(labels.refund_failure_label(str(record.failure)) for record in failed),
    )


@dataclass(frozen=True, slots=True)
class TakenUp:
    """What comparing with the provider's refunds changed in our books: ``recorded``,
    made elsewhere and recorded now; ``lost``, made here but their answer was lost;
    ``failed``, recorded here but failed at the provider, no longer counted now."""

    recorded: list[Refund]
    lost: list[RemoteRefund]
    failed: list[Refund]


@dataclass(frozen=True, slots=True)
class _Compared:
    """A payment's refunds at its provider held against our books: ``unrecorded``, the
    standing ones we lack; ``failed``, ours that failed there, with its reason."""

    unrecorded: list[RemoteRefund]
    failed: list[tuple[Refund, str]]

    @classmethod
    def of(cls, books: list[Refund], held: list[RemoteRefund]) -> _Compared:
        recorded = {record.provider_refund_id: record for record in books}
        return cls(
            [
                found
                for found in held
                if found.failure is None and found.provider_refund_id not in recorded
            ],
            [
                (recorded[found.provider_refund_id], found.failure)
                for found in held
                if found.failure is not None
                and found.provider_refund_id in recorded
                and recorded[found.provider_refund_id].failed_at is None
            ],
        )


def take_up_refunds(tenant: Tenant, payment: Payment) -> TakenUp:
    """Record the refunds of ``payment`` that were made at its provider, not here.

    A provider's notification that a payment's refunds changed leads here, and so
    does the clerk's "compare with the provider": a refund the treasury made in the
    provider's dashboard is then in the payment's list and the HKR export, not only
    when a clerk next refunds the payment. A refund carrying one of this payment's
    own keys is not recorded: it is a refund made here whose answer was lost, and
    the clerk's retry of the same amount records it (:func:`_take_up`). Recorded
    now, that retry would send another key and pay the citizen a second time.
    """
    require_tenant_scope(tenant.id)
    lock(payment)
    db.session.refresh(payment)
    at_provider = _refunding_of(tenant, payment)
    if at_provider is None:
        return TakenUp([], [], [])
    ours = _refund_key_prefix(payment)
    compared = _Compared.of(refunds_of(payment), at_provider.held())
    failed = _undo_failed(tenant, payment, compared.failed)
    lost = [found for found in compared.unrecorded if (found.key or "").startswith(ours)]
    elsewhere = [found for found in compared.unrecorded if found not in lost]
    return TakenUp(_record_found(tenant, payment, elsewhere), lost, failed)


def compare_recent_refunds(tenant: Tenant, since: dt.datetime) -> dict[str, int]:
    """Compare the refunds of every payment refunded since ``since`` with its provider's.

    Run periodically (``amtsweg payments compare-refunds``): a refund that failed at a
    provider that does not say so (PayPal), or whose notification never came, leaves
    the books without a clerk having to compare. A provider that does not answer or
    refuses is asked again in the next round; the other payments go on.
    """
    require_tenant_scope(tenant.id)
    counts = {"failed": 0, "found": 0, "unanswered": 0}
    payment_ids = db.session.scalars(
        select(Refund.payment_id)
        .where(Refund.created_at >= since, Refund.failed_at.is_(None))
        .distinct()
    ).all()
    for payment_id in payment_ids:
        payment = db.session.get_one(Payment, (tenant.id, payment_id))
        try:
            with db.session.begin_nested():  # a refusal undoes this payment's work only
                taken = take_up_refunds(tenant, payment)
        except Refusal as refused:
            log.warning("refunds of payment %s not compared: %s", payment_id, refused.detail)
            counts["unanswered"] += 1
            continue
        counts["failed"] += len(taken.failed)
        counts["found"] += len(taken.recorded)
        db.session.commit()
    return counts


def can_take_up_refunds(payment: Payment) -> bool:
    """Whether the payment's provider can be asked for its refunds (money came in, and
    the provider refunds itself)."""
    return (
        payment.status in WITH_MONEY
        and bool(payment.provider_payment_id)
        and Capability.REFUND in registry.provider(payment.provider).capabilities
    )


def _refunding_of(tenant: Tenant, payment: Payment) -> _Refunding | None:
    """The payment's refunds at its provider; ``None`` when the provider makes none."""
    if not can_take_up_refunds(payment):
        return None
    account = db.session.get_one(ProviderAccount, (tenant.id, payment.account_id))
    return _Refunding(
        provider_of(account), account_view(tenant, account), payment.provider_payment_id
    )


def _record_found(tenant: Tenant, payment: Payment, found: list[RemoteRefund]) -> list[Refund]:
    return [
        _record_refund(
            tenant,
            payment,
            remote.amount_cents,
            FOUND_REASON,
            provider_refund_id=remote.provider_refund_id,
        )
        for remote in found
    ]


def _undo_failed(
    tenant: Tenant, payment: Payment, failed: list[tuple[Refund, str]]
) -> list[Refund]:
    """Take refunds that failed at the provider out of the books, each with its reason."""
    for record, failure in failed:
        record.failed_at = utcnow()
        record.failure = failure[:500]
        _take_back(payment, record)
        tenants.record(
            tenant,
            "payment.refund_failed",
            "payment",
            str(payment.id),
            details={"amount_cents": record.amount_cents, "failure": record.failure},
        )
        outbox.add(tenant.id, refund_notices.FAILED, record.id)
    return [record for record, _ in failed]


def _take_back(payment: Payment, failed: Refund) -> None:
    """The payment without a refund that gave nothing back: refundable again.

    The one way back from "refunded", and deliberately not a :func:`transition`: the
    state table has none, so that a provider's status read ("succeeded", which a
    refunded PaymentIntent stays) can never undo a refund. Only the provider naming
    the very refund as failed does. The payment keeps its settlement and its time of
    success; no "paid" signal is sent again.
    """
    current = payment.status
    refunded = payment.refunded_cents - failed.amount_cents
    _update(
        payment,
        WITH_MONEY,
        {
            "status": money.status_after_refund(payment.amount_cents, refunded),
            "refunded_cents": refunded,
            "updated_at": utcnow(),
        },
    )
    db.session.refresh(payment)
    _add_event(payment, current, "refund_failed", failed.provider_refund_id, failed.failure)
    payment_changed.send(None, **_signal_kwargs(payment))


def _record_refund(
    tenant: Tenant,
    payment: Payment,
    amount_cents: int,
    reason: str,
    *,
    provider_refund_id: str | None = None,
    actor: User | None = None,
) -> Refund:
    record = Refund(
        tenant_id=tenant.id,
        payment_id=payment.id,
        amount_cents=amount_cents,
        reason=reason.strip()[:500],
        actor_id=actor.id if actor else None,
        provider_refund_id=provider_refund_id,
    )
    db.session.add(record)
    db.session.flush()  # its id and time, for the answer
    refunded = payment.refunded_cents + amount_cents
    to = money.status_after_refund(payment.amount_cents, refunded)
    transition(
        payment,
        to,
        source="refund",
        provider_reference=record.provider_refund_id,
        detail=record.reason,
        values={"refunded_cents": refunded},
    )
    tenants.record(
        tenant,
        "payment.refunded",
        "payment",
        str(payment.id),
        details={"amount_cents": amount_cents},
        actor=actor,
    )
    outbox.add(tenant.id, refund_notices.MADE, record.id)
    return record


@dataclass(frozen=True, slots=True)
class _Refunding:
    """One payment's refunds at its provider, the provider's failures in our words."""

    provider: PaymentProvider
    account: Account
    provider_payment_id: str

    def held(self) -> list[RemoteRefund]:
        with self._answered(
            gettext(
                "The provider did not answer, and nothing was refunded. Please try again later."
            ),
            lambda error: gettext(
                "The provider refused to list the payment's refunds: %(error)s", error=error
            ),
        ):
            return self.provider.refunds(self.account, self.provider_payment_id)

    def make(self, amount_cents: int, key: str) -> str:
        with self._answered(
            gettext(
                "The provider did not answer; the refund may or may not have been made. "
                "Please try again later with the same amount: a refund that was made "
                "is not made twice."
            ),
            lambda error: gettext("The provider refused the refund: %(error)s", error=error),
        ):
            return self.provider.refund(self.account, self.provider_payment_id, amount_cents, key)

    @contextmanager
    def _answered(
        self, unanswered: str, refused: Callable[[ProviderRefused], str]
    ) -> Iterator[None]:
        try:
            yield
        except ProviderUnavailable as error:
            raise ProviderDown(unanswered) from error
        except ProviderRefused as error:
            raise PaymentRefused(refused(error)) from error


def _refund_key(payment: Payment, amount_cents: int, held: list[RemoteRefund]) -> str:
    """The provider's idempotency key of the next refund of ``amount_cents``.

    It names what was refunded before, not our refund's own row: a provider that
    carried out a refund but whose answer was lost leaves nothing recorded here,
    so the clerk's retry of the same amount sends the same key, and
    :func:`_take_up` recognises that refund by it. Once a refund is recorded, the
    next one has another key. So has one after a refund failed: the books are then
    as before it, and its key again would only bring back the failed refund. The
    failures are counted as the provider holds them, not as our books do: a refund
    whose answer was lost and which then failed is in no book, yet its key would
    bring it back.
    """
    key = f"{_refund_key_prefix(payment)}{payment.refunded_cents}-{amount_cents}"
    failures = sum(1 for found in held if found.failure is not None)
    return f"{key}-{failures}" if failures else key


def _refund_key_prefix(payment: Payment) -> str:
    """What every refund key of ``payment`` begins with."""
    return f"amtsweg-refund-{payment.id}-"


def refund_duplicate_job(tenant_id: uuid.UUID, payment_id: uuid.UUID) -> None:
    """Give back a second success of an already paid submission (two tabs), once."""
    tenant = db.session.get_one(Tenant, tenant_id)
    with tenant_scope(tenant_id):
        payment = db.session.get_one(Payment, (tenant_id, payment_id))
        with log_context(**submissions.log_fields(payment.submission_id)):
            _refund_duplicate(tenant, payment)
        db.session.commit()


def _refund_duplicate(tenant: Tenant, payment: Payment) -> None:
    if payment.duplicate and refundable_cents(payment) == payment.amount_cents:
        try:
            refund(tenant, payment, payment.amount_cents, DUPLICATE_REASON)
        except RefundsFoundAtProvider:
            # Recorded, and a refund is no longer the whole amount: a clerk decides.
            log.warning("duplicate payment %s: the provider held refunds", payment.id)


# --- bank statements ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatementResult:
    matched: int
    for_clerk: int
    known: int  # lines of an earlier import, skipped


def import_statement(
    tenant: Tenant, document: bytes, *, actor: User | None = None
) -> StatementResult:
    """Settle bank-transfer payments from a camt.053 statement.

    A credit settles a payment when its remittance text holds the payment's
    Kassenzeichen and the amount is exactly the amount due. Partial, over- and
    unmatched credits, and credits for an already paid Kassenzeichen, go to the
    clerk's list. Each entry is taken once (by the bank's entry reference), so
    importing the same statement again changes nothing.
    """
    require_tenant_scope(tenant.id)
    try:
        entries = camt.read_credits(document)
    except camt.StatementError as error:
        raise PaymentRefused(
            gettext("The file is not a camt.053 bank statement: %(error)s", error=error),
            status=400,
        ) from error
    counts = {"matched": 0, "for_clerk": 0, "known": 0}
    for credit in entries:
        outcome = _book_credit(tenant, credit)
        counts[
            "known" if outcome is None else "matched" if outcome == "matched" else "for_clerk"
        ] += 1
    tenants.record(
        tenant, "payment.statement_imported", "statement", "camt.053", details=counts, actor=actor
    )
    return StatementResult(**counts)


def _book_credit(tenant: Tenant, credit: camt.Credit) -> str | None:
    payment = _payment_named_in(credit.remittance)
    line = StatementLine(
        tenant_id=tenant.id,
        entry_reference=credit.entry_reference,
        booking_date=credit.booking_date,
        amount_cents=credit.amount_cents,
        currency=credit.currency,
        remittance=credit.remittance,
        debtor=credit.debtor,
        outcome=_match(payment, credit),
        payment_id=payment.id if payment else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(line)
    except IntegrityError:
        return None
    if line.outcome == "matched":
        transition(
            payment,
            PaymentStatus.SUCCEEDED,
            source="statement",
            provider_reference=credit.entry_reference,
            values={"payer": credit.debtor},
        )
    return line.outcome


def _payment_named_in(remittance: str) -> Payment | None:
    for candidate in kassenzeichen.find_in(remittance):
        payment = db.session.scalar(select(Payment).where(Payment.kassenzeichen == candidate))
        if payment is not None:
            return payment
    return None


def _match(payment: Payment | None, credit: camt.Credit) -> str:
    """How a credit stands to the payment its remittance names.

    Only a payment by transfer is settled from the statement. One made online
    (by card, PayPal, …) has its money, refunds and booking at its provider:
    settling it here would send a later refund to a provider that never had
    the money, and tell the treasury to look for it there.
    """
    if payment is None:
        return "unmatched"
    if payment.status in WITH_MONEY:
        return "already_paid"
    if Capability.OFFLINE not in registry.provider(payment.provider).capabilities:
        return "online_payment"
    return _compare_amount(payment, credit)


def _compare_amount(payment: Payment, credit: camt.Credit) -> str:
    if credit.currency != payment.currency:
        return "other_currency"
    if credit.amount_cents < payment.amount_cents:
        return "partial"
    if credit.amount_cents > payment.amount_cents:
        return "over"
    return "matched"


def lines_for_clerk() -> list[StatementLine]:
    """The credits still to clear, newest first, each with the payment it names."""
    return list(
        db.session.scalars(
            select(StatementLine)
            .where(StatementLine.outcome != "matched", StatementLine.resolved_at.is_(None))
            .options(joinedload(StatementLine.payment))
            .order_by(StatementLine.created_at.desc())
        )
    )


def failed_refunds(limit: int = 20) -> list[tuple[Refund, Payment]]:
    """The refunds that failed at the provider last, each with its payment: the clerk
    pays them back again, or by transfer."""
    return [
        (refund, payment)
        for refund, payment in db.session.execute(
            select(Refund, Payment)
            .join(Payment, Payment.id == Refund.payment_id)
            .where(Refund.failed_at.is_not(None))
            .order_by(Refund.failed_at.desc())
            .limit(limit)
        )
    ]


def resolved_lines(limit: int = 20) -> list[StatementLine]:
    """The credits cleared last, so a colleague can read what was done about them."""
    return list(
        db.session.scalars(
            select(StatementLine)
            .where(StatementLine.resolved_at.is_not(None))
            .options(joinedload(StatementLine.payment), joinedload(StatementLine.resolver))
            .order_by(StatementLine.resolved_at.desc())
            .limit(limit)
        )
    )


def find_line(line_id: uuid.UUID) -> StatementLine | None:
    """A credit that went to the clerk (a matched one never did), with its payment."""
    return db.session.scalar(
        select(StatementLine)
        .where(StatementLine.id == line_id, StatementLine.outcome != "matched")
        .options(joinedload(StatementLine.payment), joinedload(StatementLine.resolver))
    )


RESOLUTION_LENGTH = 500


def resolve_line(
    tenant: Tenant, line_id: uuid.UUID, resolution: str, *, actor: User | None = None
) -> StatementLine:
    """Clear a waiting credit, noting what was done about it; on the audit log.

    The note is required: the list is the treasury's evidence that every credit
    was dealt with. A credit is cleared once; the second of two clerks clearing
    it at the same moment is told so (the row lock orders them).
    """
    require_tenant_scope(tenant.id)
    take_write_lock(db.session)
    line = db.session.scalar(
        select(StatementLine)
        .where(StatementLine.id == line_id, StatementLine.outcome != "matched")
        .with_for_update()
        .execution_options(populate_existing=True)  # as it stands once the lock is ours
    )
    if line is None:
        raise NotFound(gettext("There is no such credit to clear."))
    if line.resolved_at is not None:
        raise Conflict(gettext("This credit has been cleared already."))
    line.resolution = _resolution(resolution)
    line.resolved_at = utcnow()
    line.resolved_by = actor.id if actor else None
    tenants.record(
        tenant,
        "payment.statement_line_resolved",
        "statement_line",
        line.entry_reference,
        details={"outcome": line.outcome, "amount_cents": line.amount_cents},
        actor=actor,
    )
    return line


def _resolution(text: str) -> str:
    resolution = " ".join(text.split())
    if not resolution:
        problem = gettext("Please note what was done about this credit.")
    elif len(resolution) > RESOLUTION_LENGTH:
        problem = gettext("Please keep the note to %(count)d characters.", count=RESOLUTION_LENGTH)
    else:
        return resolution
    raise PaymentRefused(problem, problems=[FieldProblem("/resolution", problem)])


# --- for the municipality: booking codes, lists, the HKR export ---------------------


def booking_data_of(submission: Submission) -> dict[str, str]:
    """The booking codes of the submission's form, named as the treasury names them
    (sent to providers that book, and the same values as in the HKR export)."""
    code = db.session.scalar(
        select(BookingCode)
        .join(FormDefinition, FormDefinition.slug == BookingCode.form_slug)
        .join(FormVersion, FormVersion.definition_id == FormDefinition.id)
        .where(FormVersion.id == submission.version_id)
    )
    if code is None:
        return {}
    return {"Haushaltsstelle": code.haushaltsstelle, "Objektnummer": code.objektnummer}


def set_booking_codes(
    tenant: Tenant,
    form_slug: str,
    haushaltsstelle: str,
    objektnummer: str,
    *,
    actor: User | None = None,
) -> BookingCode:
    """Where the treasury books the fees of one form (shown in the HKR export)."""
    require_tenant_scope(tenant.id)
    code = db.session.scalar(select(BookingCode).where(BookingCode.form_slug == form_slug))
    code = code or BookingCode(tenant_id=tenant.id, form_slug=form_slug)
    code.haushaltsstelle, code.objektnummer = haushaltsstelle.strip(), objektnummer.strip()
    db.session.add(code)
    db.session.flush()
    tenants.record(tenant, "payment.booking_codes_saved", "form", form_slug, actor=actor)
    return code


@dataclass(frozen=True, slots=True)
class ClerkRow:
    payment: Payment
    reference: str
    form_slug: str


def payments_for_clerk(
    *, status: str | None = None, provider: str | None = None, query: str | None = None
) -> list[ClerkRow]:
    """Payments of the current tenant, newest first, filtered by status, provider, or a
    submission reference / Kassenzeichen."""
    statement = (
        select(Payment, Submission.reference, FormDefinition.slug)
        .join(Submission, Submission.id == Payment.submission_id)
        .join(FormVersion, FormVersion.id == Submission.version_id)
        .join(FormDefinition, FormDefinition.id == FormVersion.definition_id)
        .order_by(Payment.created_at.desc())
    )
    if status:
        statement = statement.where(Payment.status == PaymentStatus(status))
    if provider:
        statement = statement.where(Payment.provider == provider)
    if query:
        statement = statement.where(
            or_(
                Submission.reference == query.strip(),
                Payment.kassenzeichen == query.strip().upper(),
            )
        )
    return [ClerkRow(*row) for row in db.session.execute(statement)]


def hkr_export(tenant: Tenant, *, excel: bool) -> bytes:
    """Every payment that moved money, for the municipal accounting (docs/payment.md)."""
    require_tenant_scope(tenant.id)
    codes = {code.form_slug: code for code in db.session.scalars(select(BookingCode))}
    rows = []
    for row in payments_for_clerk():
        if row.payment.status not in WITH_MONEY:
            continue
        code = codes.get(row.form_slug)
        rows.append(
            export.Row(
                payment=row.payment,
                reference=row.reference,
                haushaltsstelle=code.haushaltsstelle if code else "",
                objektnummer=code.objektnummer if code else "",
                refunds=tuple(refunds_of(row.payment)),
            )
        )
    return export.render(rows, excel=excel)


# --- reading for pages --------------------------------------------------------------


def find_payment(payment_id: uuid.UUID) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.id == payment_id))


def payments_of(submission: Submission) -> list[Payment]:
    return list(
        db.session.scalars(
            select(Payment)
            .where(Payment.submission_id == submission.id)
            .order_by(Payment.created_at.desc())
        )
    )


def events_of(payment: Payment) -> list[PaymentEvent]:
    return list(
        db.session.scalars(
            select(PaymentEvent)
            .where(PaymentEvent.payment_id == payment.id)
            .order_by(PaymentEvent.created_at, PaymentEvent.id)
        )
    )


def refunds_of(payment: Payment) -> list[Refund]:
    return list(
        db.session.scalars(
            select(Refund).where(Refund.payment_id == payment.id).order_by(Refund.created_at)
        )
    )


def refunds_of_submission(submission: Submission) -> list[Refund]:
    """Every refund of the submission's payments, a duplicate payment's included, oldest
    first: what the citizen reads was given back, or failed to be."""
    return list(
        db.session.scalars(
            select(Refund)
            .join(Payment, Payment.id == Refund.payment_id)
            .where(Payment.submission_id == submission.id)
            .order_by(Refund.created_at)
        )
    )


def count_events(payment: Payment, to: PaymentStatus) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(PaymentEvent)
        .where(PaymentEvent.payment_id == payment.id, PaymentEvent.to_status == to)
    )
