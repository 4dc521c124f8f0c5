"""The clerk's page of a submission shows its real payment and its real deliveries.

Erika pays the fee with the sandbox provider through the HTML journey; the
payment's success delivers the submission to a folder (which takes it) and
to the specialist software's webhook (which refuses it). Sabine then reads
both on her page of the submission.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from amtsweg.delivery import service as delivery
from amtsweg.payment.models import Payment
from amtsweg.platform.db import db, tenant_scope
from tests.clerk.test_audit_log import browsing_as
from tests.html import parse
from tests.login import local
from tests.payment.conftest import apply_and_submit, musterstadt  # noqa: F401 - fixtures
from tests.payment.test_journey import SUCCEEDS, choose, pay_with_card, reference_of

CLERK = "/t/musterstadt/clerk/"


@pytest.fixture
def settings(settings, tmp_path):
    return replace(settings, deliveries_dir=tmp_path / "deliveries")


@pytest.fixture
def targets(musterstadt, httpserver):  # noqa: F811 - the payment area's Musterstadt
    """A folder that takes every submission, and a webhook that refuses them (422)."""
    httpserver.expect_request("/eingang").respond_with_data("Pflichtfeld fehlt", status=422)
    with tenant_scope(musterstadt.id):
        delivery.save_target(musterstadt, "ablage", "folder", {}, default=True)
        delivery.save_target(
            musterstadt,
            "fachverfahren",
            "webhook",
            {"url": httpserver.url_for("/eingang"), "secret": "geheim-und-lang-genug-1234"},
            default=True,
        )
        db.session.commit()


def _section(page: str, heading_id: str) -> str:
    [section] = parse(page).xpath(f"//section[@aria-labelledby='{heading_id}']")
    return " ".join(section.text_content().split())


@pytest.mark.usefixtures("targets")
def test_the_clerk_sees_the_payment_and_each_delivery_as_they_happened(
    app,
    client,
    musterstadt,  # noqa: F811
    apply_and_submit,  # noqa: F811
):
    pay_url = local(apply_and_submit().headers["Location"])
    reference = reference_of(pay_url)
    checkout = local(choose(client, pay_url).headers["Location"])
    back = pay_with_card(client, checkout, SUCCEEDS)
    assert client.get(local(back.headers["Location"])).status_code == 302  # paid: onwards
    with tenant_scope(musterstadt.id):
        payment = db.session.scalars(select(Payment)).one()
    assert (app.config["AMTSWEG"].deliveries_dir / "musterstadt" / reference).is_dir()

    with browsing_as(app, "clerk-musterstadt") as sabine:
        page = sabine.get(f"{CLERK}submissions/{reference}", headers={"Accept-Language": "de"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)

    paid = _section(text, "payment-heading")
    assert f"{payment.kassenzeichen}: bezahlt, 30,70 €" in paid, paid
    deliveries = _section(text, "delivery-heading")
    assert "ablage: Zugestellt. Versuche: 1." in deliveries, deliveries
    assert "fachverfahren: Nach 1 Versuch(en) aufgegeben." in deliveries, deliveries
    assert "Letzter Fehler: " in deliveries, deliveries
    assert "answered 422: Pflichtfeld fehlt" in deliveries, deliveries
