"""The pages and the API mail an invitation while the inviter waits: a mail server that
cannot be reached is reported at once, and no invitation is left behind that nobody received.

The mail server is a real one (aiosmtpd) or a port on which nobody listens.
"""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from amtsweg.platform.db import db, tenant_scope
from amtsweg.tenants import service
from amtsweg.tenants.models import AuditEntry, Invitation
from tests import servers
from tests.login import csrf_token
from tests.platform.test_bearer_tokens import dev_token

GERMAN = {"Accept-Language": "de"}
ADDRESS = "buergermeisterin@kleinheim.example"


@pytest.fixture
def mail_server_url(smtp_server) -> str:
    return smtp_server.url


@pytest.fixture
def app(make_app, settings, mail_server_url):
    app = make_app(settings=dataclasses.replace(settings, smtp_url=mail_server_url))
    with app.app_context():
        yield app


@pytest.fixture
def kleinheim(app):
    tenant = service.create_tenant("kleinheim", "Gemeinde Kleinheim", "KLH", live=False)
    db.session.commit()
    return tenant


def _invite(client, log_in, url: str = "/admin/tenants/kleinheim/", **extra: str):
    log_in("association-admin", next_url=url)
    page = client.get(url)
    action = url + "invitations" if url.startswith("/admin") else url
    return client.post(
        action, data={"email": ADDRESS, "csrf_token": csrf_token(page), **extra}, headers=GERMAN
    )


def _invite_through_the_api(app, client):
    token = dev_token(app, "--role", "admin")
    return client.post(
        "/api/v1/admin/tenants/kleinheim/invitations",
        json={"email": ADDRESS, "role": "tenant_admin"},
        headers={"Authorization": f"Bearer {token}", **GERMAN},
    )


def _invitations(tenant) -> list[Invitation]:
    with tenant_scope(tenant.id):
        return list(db.session.scalars(select(Invitation)))


def test_the_invitation_is_mailed_before_the_page_answers(
    client, log_in, kleinheim, smtp_server
) -> None:
    answer = _invite(client, log_in)
    assert answer.status_code == 302
    (mail,) = smtp_server.messages  # already there: no waiting for a job
    assert mail["To"] == ADDRESS
    assert [i.email for i in _invitations(kleinheim)] == [ADDRESS]


def test_the_api_mails_the_invitation_before_it_answers(
    app, client, kleinheim, smtp_server
) -> None:
    answer = _invite_through_the_api(app, client)
    assert answer.status_code == 201, answer.json
    (mail,) = smtp_server.messages
    assert mail["To"] == ADDRESS
    assert [i.email for i in _invitations(kleinheim)] == [ADDRESS]


class TestAnUnreachableMailServer:
    @pytest.fixture
    def mail_server_url(self) -> str:
        return f"smtp://127.0.0.1:{servers.free_port()}"  # nobody listens there

    def test_says_so_and_keeps_no_invitation(self, client, log_in, kleinheim) -> None:
        answer = _invite(client, log_in)
        assert answer.status_code == 503
        text = answer.get_data(as_text=True)
        assert f"Die Einladung an {ADDRESS} wurde nicht gesendet" in text
        assert "AMTSWEG_SMTP_URL" in text
        assert "Connection refused" in text
        assert 'href="#field-email"' in text  # the error summary leads to the field
        assert f'value="{ADDRESS}"' in text  # sending again is one click
        assert _invitations(kleinheim) == []
        with tenant_scope(kleinheim.id):
            actions = list(db.session.scalars(select(AuditEntry.action)))
        assert {"invitation.sent", "invitation.withdrawn"} <= set(actions)
        assert not service.get_tenant("kleinheim").is_live

    def test_the_api_says_so_in_a_problem_document(self, app, client, kleinheim) -> None:
        answer = _invite_through_the_api(app, client)
        assert answer.status_code == 503
        assert answer.content_type == "application/problem+json"
        assert f"Die Einladung an {ADDRESS} wurde nicht gesendet" in answer.json["detail"]
        assert answer.json["errors"][0]["pointer"] == "/email"
        assert _invitations(kleinheim) == []

    def test_inviting_a_clerk_says_so_too(self, client, log_in, kleinheim) -> None:
        answer = _invite(client, log_in, "/t/kleinheim/admin/people", role="clerk")
        assert answer.status_code == 503
        assert "wurde nicht gesendet" in answer.get_data(as_text=True)
        assert _invitations(kleinheim) == []


def test_once_the_mail_server_takes_it_again_the_invitation_goes_out(
    client, log_in, kleinheim, smtp_server
) -> None:
    smtp_server.reply_next("451 4.3.0 Mailbox temporarily unavailable")
    refused = _invite(client, log_in)
    assert refused.status_code == 503
    assert "451" in refused.get_data(as_text=True)
    assert _invitations(kleinheim) == []

    page = client.get("/admin/tenants/kleinheim/")
    again = client.post(
        "/admin/tenants/kleinheim/invitations",
        data={"email": ADDRESS, "csrf_token": csrf_token(page)},
    )
    assert again.status_code == 302
    assert [i.email for i in _invitations(kleinheim)] == [ADDRESS]
    assert smtp_server.messages[-1]["To"] == ADDRESS
