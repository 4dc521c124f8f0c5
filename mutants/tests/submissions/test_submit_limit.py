"""Submitting is rate limited per person: over the limit the citizen waits, nothing is lost."""

from __future__ import annotations

from dataclasses import replace

from amtsweg.formdefs import service as formdefs
from amtsweg.platform.db import db, tenant_scope
from amtsweg.tenants import service as tenants
from tests.login import csrf_token, dev_login, local
from tests.submissions.test_journey import FUNDSACHE, _fill_fundsache


def test_too_many_submit_attempts_wait_and_keep_the_draft(make_app, settings) -> None:
    app = make_app(settings=replace(settings, submit_rate_limit="1/minute"))
    with app.app_context():
        formdefs.load_catalogue()
        tenant = tenants.create_tenant(
            "musterstadt",
            "Gemeinde Musterstadt",
            "MUS",
            tenants.Branding(contact_email="r@m.example"),
        )
        with tenant_scope(tenant.id):
            formdefs.activate_form(tenant, formdefs.get_definition("fundsache-verlustmeldung"))
            db.session.commit()
        client = app.test_client()
        dev_login(client, next_url=FUNDSACHE)
        summary_url = _fill_fundsache(client)
        summary = client.get(summary_url)
        # The first attempt forgot the declaration: it counts as an attempt.
        first = client.post(summary_url, data={"csrf_token": csrf_token(summary)})
        assert first.status_code == 422
        second = client.post(
            summary_url,
            data={"csrf_token": csrf_token(summary), "declaration": "yes"},
            headers={"Accept-Language": "de"},
        )
        assert second.status_code == 429
        assert 0 < int(second.headers["Retry-After"]) <= 60
        assert "Zu viele Anfragen" in second.get_data(as_text=True)
        still = client.get(local(summary_url))
        assert still.status_code == 200  # still the summary: the draft was not submitted
