"""A municipality's case numbers (Fallzahlen): per form and month, how many applications
came in, how they were decided and how long that took.

A municipality reports these to its council and in OZG monitoring, and decides by them
which services to take online next. Payment adds what it counts (applications paid, fees
received net of refunds) through :func:`register_figures`, so submissions need not know
payment, as with the clerk's panels.

Every figure of a row is about the applications that came in during its month (in the
authority's time zone): one received in December and approved in January counts as
approved in December's row, and so do its fees. Decided means approved, rejected or
completed; the days to the decision run from receipt to the first such status. The rows
are read as one narrow stream and counted here rather than grouped in SQL, so that a
month is Berlin's month on SQLite (the demo) as on PostgreSQL (a year of a large
municipality: see ``docs/performance.md``).
"""

from __future__ import annotations

import datetime as dt
import statistics
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from amtsweg.formdefs import service as formdefs
from amtsweg.formdefs.engine import LocalizedText
from amtsweg.formdefs.models import FormDefinition
from amtsweg.platform.db import db, require_tenant_scope
from amtsweg.platform.errors import Refusal
from amtsweg.submissions.models import ProcessingEntry, ProcessingStatus, Submission
from amtsweg.submissions.service import AUTHORITY_ZONE, today
from amtsweg.tenants.models import Tenant

DECIDED = (ProcessingStatus.APPROVED, ProcessingStatus.REJECTED, ProcessingStatus.COMPLETED)
#: Longest period one report covers: enough for a comparison over years, bounded work.
LONGEST_PERIOD = dt.timedelta(days=5 * 366)


@dataclass(frozen=True, slots=True)
class Figure:
    """One column: ``key`` names it in the CSV, ``money`` figures are cents."""

    key: str
    label: Any
    money: bool = False


@dataclass(frozen=True, slots=True)
class Period:
    """Whole days, both included, in the authority's time zone."""

    first: dt.date
    last: dt.date

    @property
    def starts(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time(), AUTHORITY_ZONE)

    @property
    def ends(self) -> dt.datetime:
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), AUTHORITY_ZONE)

    @classmethod
    def chosen(cls, first: dt.date | None, last: dt.date | None) -> Period:
        """The days asked for, the year so far where not given; a :class:`Refusal`
        that says why for a period that cannot be."""
        now = today()
        period = cls(first or now.replace(month=1, day=1), last or now)
        if period.first > period.last:
            raise Refusal(gettext("The period ends before it begins."), status=400)
        if period.last - period.first > LONGEST_PERIOD:
            raise Refusal(gettext("Please choose a period of at most five years."), status=400)
        return period

    def months(self) -> list[dt.date]:
        month, months = self.first.replace(day=1), []
        while month <= self.last:
            months.append(month)
            month = (month + dt.timedelta(days=32)).replace(day=1)
        return months


#: What a counter yields per application: its form, when it came in, its figures.
Counted = tuple[uuid.UUID, dt.datetime, dict[str, int]]
Count = Callable[[Tenant, Period], Iterable[Counted]]

RECEIVED = Figure("received", _l("Received"))
OWN_FIGURES = (
    RECEIVED,
    Figure("open", _l("Open")),
    Figure("approved", _l("Approved")),
    Figure("rejected", _l("Rejected")),
    Figure("completed", _l("Completed")),
)
_REGISTERED: dict[str, tuple[tuple[Figure, ...], Count]] = {}


def register_figures(key: str, figures: tuple[Figure, ...], count: Count) -> None:
    """Columns another area counts; registering ``key`` again replaces them."""
    _REGISTERED[key] = (figures, count)


@dataclass(slots=True)
class Tally:
    """The figures of a set of applications, and the days each decided one took."""

    counts: Counter[str] = field(default_factory=Counter)
    days: list[float] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.counts.update(other.counts)
        self.days.extend(other.days)

    @property
    def median_days(self) -> float | None:
        return round(statistics.median(self.days), 1) if self.days else None


@dataclass(frozen=True, slots=True)
class FormRow:
    definition_id: uuid.UUID
    slug: str
    title: LocalizedText
    tally: Tally
    months: dict[dt.date, Tally]


@dataclass(frozen=True, slots=True)
class CaseNumbers:
    period: Period
    figures: tuple[Figure, ...]
    forms: list[FormRow]
    months: dict[dt.date, Tally]
    total: Tally


def case_numbers(tenant: Tenant, period: Period) -> CaseNumbers:
    """The tenant's figures for ``period``: per form (every form offered now, and any
    other that received applications then) and month, and in total."""
    require_tenant_scope(tenant.id)
    cells: defaultdict[tuple[uuid.UUID, dt.date], Tally] = defaultdict(Tally)
    for definition_id, submitted_at, outcome, days in _own_counts(period):
        cell = cells[definition_id, _month(submitted_at)]
        cell.counts[RECEIVED.key] += 1
        cell.counts[outcome] += 1
        if days is not None:
            cell.days.append(days)
    figures = OWN_FIGURES
    for registered, count in _REGISTERED.values():
        figures += registered
        for definition_id, submitted_at, counts in count(tenant, period):
            cells[definition_id, _month(submitted_at)].counts.update(counts)
    forms = _form_rows(tenant, period, cells)
    months = {month: Tally() for month in period.months()}
    total = Tally()
    for row in forms:
        total.add(row.tally)
        for month, tally in row.months.items():
            months[month].add(tally)
    return CaseNumbers(period, figures, forms, months, total)


def _month(moment: dt.datetime) -> dt.date:
    return moment.astimezone(AUTHORITY_ZONE).date().replace(day=1)


def _own_counts(
    period: Period,
) -> Iterator[tuple[uuid.UUID, dt.datetime, str, float | None]]:
    """Each application's form, time of receipt, outcome (a figure's key) and the days
    it took to be decided, if it was."""
    decided_at = (
        select(
            ProcessingEntry.submission_id,
            func.min(ProcessingEntry.created_at).label("decided_at"),
        )
        .where(ProcessingEntry.status.in_(DECIDED))
        .group_by(ProcessingEntry.submission_id)
        .subquery()
    )
    query = (
        select(
            Submission.definition_id,
            Submission.submitted_at,
            Submission.processing_status,
            decided_at.c.decided_at,
        )
        .outerjoin(decided_at, decided_at.c.submission_id == Submission.id)
        .where(Submission.submitted_at >= period.starts, Submission.submitted_at < period.ends)
        .execution_options(yield_per=2000)
    )
    for definition_id, submitted_at, status, decided in db.session.execute(query):
        outcome = status.value if status in DECIDED else "open"
        days = (decided - submitted_at).total_seconds() / 86400 if decided else None
        yield definition_id, submitted_at, outcome, days


def _form_rows(
    tenant: Tenant, period: Period, cells: dict[tuple[uuid.UUID, dt.date], Tally]
) -> list[FormRow]:
    titles = {
        form.tenant_form.definition_id: (form.slug, form.definition.title)
        for form in formdefs.offered_forms(tenant)
    }
    others = {definition_id for definition_id, _month in cells} - titles.keys()
    for definition in db.session.scalars(
        select(FormDefinition).where(FormDefinition.id.in_(others))
    ):
        titles[definition.id] = (definition.slug, formdefs.latest_title(definition))
    rows = []
    for definition_id, (slug, title) in sorted(titles.items(), key=lambda item: item[1][0]):
        months = {month: cells.get((definition_id, month), Tally()) for month in period.months()}
        tally = Tally()
        for cell in months.values():
            tally.add(cell)
        rows.append(FormRow(definition_id, slug, title, tally, months))
    return rows


@dataclass(frozen=True, slots=True)
class Line:
    """One form's figures in one month."""

    form: str
    title: str
    month: str
    figures: dict[str, int]
    median_days_to_decision: float | None


def lines(numbers: CaseNumbers, locale: str) -> Iterator[Line]:
    """Per form and month, as the downloads and the API give them."""
    for row in numbers.forms:
        for month, tally in row.months.items():
            figures = {figure.key: tally.counts[figure.key] for figure in numbers.figures}
            yield Line(
                row.slug, row.title.get(locale), f"{month:%Y-%m}", figures, tally.median_days
            )


def table(numbers: CaseNumbers, locale: str) -> Iterator[list[Any]]:
    """The lines for a spreadsheet (see :mod:`.exports`); money in cents."""
    keys = [figure.key + ("_cents" if figure.money else "") for figure in numbers.figures]
    yield ["form", "form_title", "month", *keys, "median_days_to_decision"]
    for line in lines(numbers, locale):
        counts = list(line.figures.values())
        yield [line.form, line.title, line.month, *counts, line.median_days_to_decision]
