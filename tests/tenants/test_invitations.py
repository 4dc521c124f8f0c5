"""Inviting a tenant's first admin: a mailed link that works once, in time, for one person."""

from __future__ import annotations

import datetime as dt
import email
import re
from email import policy

import pytest
from sqlalchemy import select

from amtsweg.platform.db import db, tenant_scope
from amtsweg.tenants import service
from amtsweg.tenants.models import AuditEntry, Invitation, Role
from tests.login import csrf_token, dev_login, local

GERMAN = {"Accept-Language": "de"}
LINK = re.compile(r"https?://\S+/t/kleinheim/invitation/\S+")


@pytest.fixture
def tenant(create_tenant):
    return create_tenant("kleinheim", "Gemeinde Kleinheim")


def _invite(client, log_in, address="buergermeisterin@kleinheim.example"):
    log_in("association-admin")
    page = client.get("/admin/tenants/kleinheim/")
    return client.post(
        "/admin/tenants/kleinheim/invitations",
        data={"email": address, "csrf_token": csrf_token(page)},
        headers=GERMAN,
    )


class Person:
    """Another person's browser. Each request runs in an app context of its own, as
    in production (the test's context would otherwise share Flask-WTF's cached token)."""

    def __init__(self, app, persona: str, next_url: str) -> None:
        self.app = app
        self.client = app.test_client()
        with app.app_context():
            dev_login(self.client, persona, next_url=next_url)

    def get(self, *args, **kwargs):
        with self.app.app_context():
            return self.client.get(*args, **kwargs)

    def post(self, *args, **kwargs):
        with self.app.app_context():
            return self.client.post(*args, **kwargs)


def _mailed_link(settings) -> str:
    (mail,) = settings.mail_outbox_dir.iterdir()
    message = email.message_from_bytes(mail.read_bytes(), policy=policy.default)
    assert message["To"] == "buergermeisterin@kleinheim.example"
    found = LINK.search(message.get_body().get_content())
    assert found, "the mail holds no invitation link"
    return local(found.group(0))


def _accept(client, link):
    page = client.get(link, headers=GERMAN)
    assert page.status_code == 200, page.get_data(as_text=True)
    return client.post(link, data={"csrf_token": csrf_token(page)}, headers=GERMAN)


def test_the_invited_person_logs_in_and_becomes_tenant_admin(
    client, log_in, settings, tenant
) -> None:
    assert _invite(client, log_in).status_code == 302
    link = _mailed_link(settings)

    nobody = client.application.test_client()
    with client.application.app_context():
        assert nobody.get(link).status_code == 302  # to the login first
    invitee = Person(client.application, "max", link)
    answer = _accept(invitee, link)

    assert answer.status_code == 302
    assert answer.headers["Location"] == "/t/kleinheim/admin/"
    assert invitee.get("/t/kleinheim/admin/").status_code == 200
    with tenant_scope(tenant.id):
        actions = list(db.session.scalars(select(AuditEntry.action)))
    assert {"invitation.sent", "invitation.opened", "invitation.accepted"} <= set(actions)
    assert "membership.granted" in actions


def test_an_invitation_works_only_once(client, log_in, settings, tenant) -> None:
    _invite(client, log_in)
    link = _mailed_link(settings)
    invitee = Person(client.application, "max", link)
    _accept(invitee, link)

    again = invitee.get(link, headers=GERMAN)
    assert again.status_code == 410
    assert "bereits verwendet" in again.get_data(as_text=True)


def test_an_invitation_opened_by_someone_else_is_refused(client, log_in, settings, tenant) -> None:
    _invite(client, log_in)
    link = _mailed_link(settings)
    first = Person(client.application, "max", link)
    assert first.get(link).status_code == 200  # now bound to max

    other = Person(client.application, "erika", link)
    refused = other.get(link, headers=GERMAN)
    assert refused.status_code == 403
    assert "Anmeldung einer anderen Person" in refused.get_data(as_text=True)
    with tenant_scope(tenant.id):
        assert service.members(tenant) == []


def test_an_expired_invitation_is_refused(client, log_in, settings, tenant) -> None:
    _invite(client, log_in)
    link = _mailed_link(settings)
    with tenant_scope(tenant.id):
        invitation = db.session.scalars(select(Invitation)).one()
        invitation.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        db.session.commit()
    invitee = Person(client.application, "max", link)
    refused = invitee.get(link, headers=GERMAN)
    assert refused.status_code == 410
    assert "abgelaufen" in refused.get_data(as_text=True)
    with tenant_scope(tenant.id):
        assert service.members(tenant) == []


def test_a_forged_or_foreign_link_is_refused(
    client, log_in, settings, tenant, create_tenant
) -> None:
    create_tenant("nachbarort")
    _invite(client, log_in)
    link = _mailed_link(settings)
    invitee = Person(client.application, "max", link)
    forged = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    assert invitee.get(forged, headers=GERMAN).status_code == 404
    foreign = link.replace("/t/kleinheim/", "/t/nachbarort/")
    assert invitee.get(foreign, headers=GERMAN).status_code == 404


def test_an_invalid_address_is_refused_and_nothing_is_sent(
    client, log_in, settings, tenant
) -> None:
    answer = _invite(client, log_in, address="kein-at-zeichen")
    assert answer.status_code == 422
    assert "keine E-Mail-Adresse" in answer.get_data(as_text=True)
    assert not settings.mail_outbox_dir.exists() or not any(settings.mail_outbox_dir.iterdir())
    with tenant_scope(tenant.id):
        assert service.open_invitations(tenant) == []


def test_tenant_admins_invite_clerks(client, log_in, settings, tenant) -> None:
    with tenant_scope(tenant.id):
        admin = service.find_or_create_user("https://idp.example", "a", "Anna")
        service.grant_role(tenant, admin, Role.TENANT_ADMIN)
        db.session.commit()
        assert not service.has_invited(tenant, Role.CLERK)
    log_in("association-admin")
    page = client.get("/t/kleinheim/admin/people")
    answer = client.post(
        "/t/kleinheim/admin/people",
        data={"email": "sb@kleinheim.example", "role": "clerk", "csrf_token": csrf_token(page)},
    )
    assert answer.status_code == 302
    with tenant_scope(tenant.id):
        assert service.has_invited(tenant, Role.CLERK)
