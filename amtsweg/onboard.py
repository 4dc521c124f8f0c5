"""``amtsweg tenants onboard FILE.yaml``: the association's onboarding, from a file.

The file (format and example: ``docs/onboarding.md``) describes municipalities
as they should be: created with their official key, branded, their statement
reviewed, forms offered, admins and clerks invited, and optionally live. Each
run brings the database to that state and touches only what differs, so a
second run changes nothing. The whole file is one transaction: a refusal
anywhere leaves every tenant of the file as it was.

It lives beside the CLI because it spans areas (tenants and formdefs), which
know nothing of each other's files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import marshmallow as ma
import yaml

from amtsweg.formdefs import service as formdefs
from amtsweg.platform.db import tenant_scope
from amtsweg.platform.errors import Refusal
from amtsweg.platform.storage import storage
from amtsweg.tenants import onboarding
from amtsweg.tenants import service as tenants
from amtsweg.tenants.accessibility import service as accessibility
from amtsweg.tenants.models import Role, Tenant


class _Contact(ma.Schema):
    email = ma.fields.String(load_default=None)
    phone = ma.fields.String(load_default=None)
    address = ma.fields.String(load_default=None)


class _Branding(ma.Schema):
    colour = ma.fields.String(load_default=None)
    imprint_url = ma.fields.String(load_default=None)
    privacy_url = ma.fields.String(load_default=None)
    coat_of_arms = ma.fields.String(load_default=None)


class _Accessibility(ma.Schema):
    reviewed_on = ma.fields.Date(load_default=None)
    limitations = ma.fields.String(load_default=None)


class _Form(ma.Schema):
    slug = ma.fields.String(required=True)
    fees = ma.fields.Dict(ma.fields.String(), ma.fields.Integer(strict=False), load_default=dict)
    note = ma.fields.String(load_default=None)


class _Tenant(ma.Schema):
    slug = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    municipality_key = ma.fields.String(required=True)
    state = ma.fields.String(required=True)
    contact = ma.fields.Nested(_Contact, load_default=lambda: _Contact().load({}))
    branding = ma.fields.Nested(_Branding, load_default=lambda: _Branding().load({}))
    accessibility = ma.fields.Nested(_Accessibility, load_default=lambda: _Accessibility().load({}))
    forms = ma.fields.List(ma.fields.Nested(_Form), load_default=list)
    admins = ma.fields.List(ma.fields.Email(), load_default=list)
    clerks = ma.fields.List(ma.fields.Email(), load_default=list)
    go_live = ma.fields.Boolean(load_default=False, truthy={"true", "yes"}, falsy={"false", "no"})


class _File(ma.Schema):
    tenants = ma.fields.List(ma.fields.Nested(_Tenant), required=True)


@dataclass
class Outcome:
    """What one run did to one tenant: nothing, or the parts it created or changed."""

    slug: str
    changes: list[str] = field(default_factory=list)


class OnboardingFileError(Refusal):
    """The file cannot be read as an onboarding file; the message says where."""


def read_file(path: Path) -> list[dict[str, Any]]:
    """The tenants of the file, checked. Every value is read as text first (YAML's
    BaseLoader), so ``05315000`` stays a key and ``no`` stays a word."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds no objects
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise OnboardingFileError(f"{path} cannot be read: {error}") from None
    try:
        return _File().load(raw if isinstance(raw, dict) else {})["tenants"]
    except ma.ValidationError as invalid:
        raise OnboardingFileError(f"{path}: {invalid.messages}") from None


def onboard(entries: list[dict[str, Any]], base_dir: Path) -> list[Outcome]:
    """Bring every tenant of the file to its described state (the caller commits)."""
    outcomes = []
    for entry in entries:
        try:
            outcomes.append(_onboard_one(entry, base_dir))
        except Refusal as refused:
            problems = "; ".join(f"{p.pointer}: {p.detail}" for p in refused.problems)
            refused.detail = f"{entry['slug']}: {refused.detail}" + (
                f" ({problems})" if problems else ""
            )
            raise
    return outcomes


def _onboard_one(entry: dict[str, Any], base_dir: Path) -> Outcome:
    outcome = Outcome(entry["slug"])
    tenant = tenants.find_tenant(entry["slug"])
    if tenant is None:
        tenant = tenants.register_municipality(
            tenants.NewMunicipality(
                name=entry["name"],
                slug=entry["slug"],
                municipality_key=entry["municipality_key"],
                state=entry["state"],
                contact_email=entry["contact"]["email"] or "",
            )
        )
        outcome.changes.append("created")
    elif (tenant.municipality_key, tenant.state) != (entry["municipality_key"], entry["state"]):
        raise OnboardingFileError(
            f"exists with the key {tenant.municipality_key} in state {tenant.state}; "
            f"the file says {entry['municipality_key']} in {entry['state']}."
        )
    with tenant_scope(tenant.id):
        _brand(tenant, entry, base_dir, outcome)
        _review_statement(tenant, entry["accessibility"], outcome)
        _offer_forms(tenant, entry["forms"], outcome)
        _invite(tenant, entry, outcome)
        if entry["go_live"] and not tenant.is_live:
            onboarding.go_live(tenant)
            outcome.changes.append("went live")
    return outcome


def _brand(tenant: Tenant, entry: dict[str, Any], base_dir: Path, outcome: Outcome) -> None:
    wanted = {
        "colour": entry["branding"]["colour"],
        "imprint_url": entry["branding"]["imprint_url"],
        "privacy_url": entry["branding"]["privacy_url"],
        "contact_email": entry["contact"]["email"],
        "contact_phone": entry["contact"]["phone"],
        "contact_address": entry["contact"]["address"],
    }
    different = {
        name: value
        for name, value in wanted.items()
        if value is not None and value.strip() != (getattr(tenant, name) or "")
    }
    if different:
        tenants.update_branding(tenant, tenants.Branding(**different))
        outcome.changes.append("branding")
    if picture := entry["branding"]["coat_of_arms"]:
        try:
            data = (base_dir / picture).read_bytes()
        except OSError as error:
            raise OnboardingFileError(f"the coat of arms cannot be read: {error}") from None
        if not tenant.coat_of_arms_key or storage().get(tenant.coat_of_arms_key) != data:
            tenants.set_coat_of_arms(tenant, data)
            outcome.changes.append("coat of arms")


def _review_statement(tenant: Tenant, wanted: dict[str, Any], outcome: Outcome) -> None:
    reviewed: dt.date | None = wanted["reviewed_on"]
    limitations = wanted["limitations"]
    if (reviewed is None or reviewed == tenant.accessibility_reviewed_on) and (
        limitations is None or limitations.strip() == (tenant.accessibility_limitations or "")
    ):
        return
    accessibility.update_settings(
        tenant, accessibility.AccessibilitySettings(limitations=limitations, reviewed_on=reviewed)
    )
    outcome.changes.append("accessibility statement")


def _offer_forms(tenant: Tenant, forms: list[dict[str, Any]], outcome: Outcome) -> None:
    for form in forms:
        definition = formdefs.get_definition(form["slug"])
        current = formdefs.find_tenant_form(tenant, definition)
        note = form["note"]
        if (
            current is not None
            and current.active
            and current.fee_overrides == form["fees"]
            and (note is None or note.strip() == (current.start_note or ""))
        ):
            continue
        formdefs.activate_form(tenant, definition, form["fees"], start_note=note)
        outcome.changes.append(f"form {form['slug']}")


def _invite(tenant: Tenant, entry: dict[str, Any], outcome: Outcome) -> None:
    for role, addresses in ((Role.TENANT_ADMIN, entry["admins"]), (Role.CLERK, entry["clerks"])):
        for address in addresses:
            if not tenants.is_invited(tenant, address, role):
                tenants.invite(tenant, address, role)
                outcome.changes.append(f"invited {role.value} {address}")
