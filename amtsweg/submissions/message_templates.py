"""Texts a clerk starts a message to the applicant from (Textbausteine).

Clerks answer many applications with the same few texts: what to send in, why an
application cannot be granted, that the permit is ready. The tenant admin keeps them
(``/t/<tenant>/admin/message-templates``), each for every form or for one, with the
status it usually goes with. On a submission's page the clerk picks one; the message
field is filled with its text and the status chosen, and the clerk edits both before
anything is sent. Nothing here reaches the applicant by itself.

A text may name the application's reference number, the applicant's name, the form
and the municipality in braces, by their German or English names (``{Aktenzeichen}``
or ``{reference}``); :func:`filled` puts them in. A name in braces that is none of
these is refused when the template is saved, so a typo never reaches an applicant.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.exc import IntegrityError

from amtsweg.formdefs import service as formdefs
from amtsweg.formdefs.engine import LocalizedText
from amtsweg.formdefs.models import FormDefinition
from amtsweg.platform.db import db, require_tenant_scope
from amtsweg.platform.errors import FieldProblem, Refusal
from amtsweg.submissions.models import MessageTemplate, ProcessingStatus
from amtsweg.tenants import service as tenants
from amtsweg.tenants.models import Tenant, User

TITLE_LENGTH = 200
TEXT_LENGTH = 5000  # as long as a message to the applicant may be
#: What a text may name in braces, by its German and its English name.
PLACEHOLDERS = {
    "Aktenzeichen": "reference",
    "reference": "reference",
    "Name": "name",
    "name": "name",
    "Formular": "form",
    "form": "form",
    "Gemeinde": "municipality",
    "municipality": "municipality",
}
_IN_BRACES = re.compile(r"\{([^{}\s]{1,40})\}")


@dataclass(frozen=True, slots=True)
class FormChoice:
    definition_id: uuid.UUID
    title: LocalizedText
    offered: bool


@dataclass(frozen=True, slots=True)
class TemplateInput:
    """A template as the admin's form sends it: ``status`` and ``form`` empty for none."""

    title: str
    text: str
    status: str = ""
    form: str = ""


def templates(tenant: Tenant) -> list[MessageTemplate]:
    require_tenant_scope(tenant.id)
    return list(db.session.scalars(select(MessageTemplate).order_by(MessageTemplate.title)))


def templates_for(tenant: Tenant, definition_id: uuid.UUID) -> list[MessageTemplate]:
    """Those a clerk may start from on a submission of the form ``definition_id``."""
    require_tenant_scope(tenant.id)
    query = select(MessageTemplate).where(_for_form(definition_id))
    return list(db.session.scalars(query.order_by(MessageTemplate.title)))


def find_for(
    tenant: Tenant, template_id: uuid.UUID, definition_id: uuid.UUID
) -> MessageTemplate | None:
    """The template, if it is one of :func:`templates_for` the form."""
    require_tenant_scope(tenant.id)
    query = select(MessageTemplate).where(
        MessageTemplate.id == template_id, _for_form(definition_id)
    )
    return db.session.scalar(query)


def _for_form(definition_id: uuid.UUID) -> ColumnElement[bool]:
    return or_(
        MessageTemplate.definition_id.is_(None), MessageTemplate.definition_id == definition_id
    )


def form_choices(tenant: Tenant, template: MessageTemplate | None) -> dict[str, FormChoice]:
    """The forms a template may be for, by slug: those offered now, and the template's
    own if the municipality no longer offers it (so that saving the template again
    keeps it to that form instead of widening it to every form)."""
    choices = {
        form.slug: FormChoice(form.tenant_form.definition_id, form.definition.title, offered=True)
        for form in formdefs.offered_forms(tenant)
    }
    own = template.definition_id if template is not None else None
    if own is not None and own not in {choice.definition_id for choice in choices.values()}:
        definition = db.session.get_one(FormDefinition, own)
        choices[definition.slug] = FormChoice(own, formdefs.latest_title(definition), offered=False)
    return choices


def filled(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each placeholder replaced by ``values`` (keyed by what it names:
    ``reference``, ``name``, ``form``, ``municipality``)."""

    def value(found: re.Match[str]) -> str:
        named = PLACEHOLDERS.get(found.group(1))
        return values[named] if named else found.group(0)

    return _IN_BRACES.sub(value, text)


def find(tenant: Tenant, template_id: uuid.UUID) -> MessageTemplate | None:
    require_tenant_scope(tenant.id)
    return db.session.get(MessageTemplate, (tenant.id, template_id))


def save(
    tenant: Tenant,
    given: TemplateInput,
    template: MessageTemplate | None = None,
    *,
    actor: User | None = None,
) -> MessageTemplate:
    """A new template, or ``template`` changed; a :class:`Refusal` naming each field that
    cannot be, with nothing written."""
    require_tenant_scope(tenant.id)
    title, text = " ".join(given.title.split()), given.text.strip()
    definition_id = _checked(tenant, given, title, text, template)
    if template is None:
        template = MessageTemplate(tenant_id=tenant.id)
        db.session.add(template)
    template.title, template.text = title, text
    template.status = ProcessingStatus(given.status) if given.status else None
    template.definition_id = definition_id
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # the same title saved by another admin meanwhile
        raise _refusal([("title", gettext("Another text template has this title."))]) from None
    tenants.record(tenant, "message_template.saved", "message_template", title, actor=actor)
    return template


def delete(tenant: Tenant, template: MessageTemplate, *, actor: User | None = None) -> None:
    require_tenant_scope(tenant.id)
    db.session.delete(template)
    tenants.record(
        tenant, "message_template.deleted", "message_template", template.title, actor=actor
    )


def _checked(
    tenant: Tenant,
    given: TemplateInput,
    title: str,
    text: str,
    template: MessageTemplate | None,
) -> uuid.UUID | None:
    """The form's definition id (``None``: every form), once every field is possible."""
    problems = []
    if not title:
        problems.append(("title", gettext("Please give the text template a title.")))
    elif len(title) > TITLE_LENGTH:
        problems.append(("title", gettext("Please use at most 200 characters.")))
    elif _title_taken(title, template):
        problems.append(("title", gettext("Another text template has this title.")))
    if problem := _text_problem(text):
        problems.append(("text", problem))
    if given.status and given.status not in set(ProcessingStatus):
        problems.append(("status", gettext("Please choose a status.")))
    choices = form_choices(tenant, template)
    if given.form and given.form not in choices:
        problems.append(("form", gettext("Please choose a form this municipality offers.")))
    if problems:
        raise _refusal(problems)
    return choices[given.form].definition_id if given.form else None


def _refusal(problems: list[tuple[str, str]]) -> Refusal:
    return Refusal(
        problems[0][1], problems=[FieldProblem(f"/{field}", detail) for field, detail in problems]
    )


def _text_problem(text: str) -> str | None:
    if not text:
        return gettext("Please write the text.")
    if len(text) > TEXT_LENGTH:
        return gettext("Please use at most 5,000 characters.")
    if unknown := [name for name in _IN_BRACES.findall(text) if name not in PLACEHOLDERS]:
        return gettext(
            "{%(name)s} is not a placeholder; the text may name {reference}, {name}, {form}"
            " and {municipality}.",
            name=unknown[0],
        )
    return None


def _title_taken(title: str, template: MessageTemplate | None) -> bool:
    query = select(MessageTemplate.id).where(MessageTemplate.title == title)
    if template is not None:
        query = query.where(MessageTemplate.id != template.id)
    return db.session.scalar(query) is not None
