"""Delivery's item on the onboarding checklist: a target and a test delivery that arrived.

The tenant admin works through the pages; the mailbox target hands the test
delivery to a real SMTP server (aiosmtpd), which can turn the address away.
"""

from __future__ import annotations

import pytest

from tests.delivery.conftest import musterstadt  # noqa: F401
from tests.login import csrf_token

GERMAN = {"Accept-Language": "de"}
PAGES = "/t/musterstadt/admin/delivery"
ADDRESS = "poststelle@musterstadt.example"


@pytest.fixture
def admin_pages(client, log_in, musterstadt):  # noqa: F811
    log_in("admin-musterstadt", next_url="/t/musterstadt/admin/")
    return client


def _delivery_item(client) -> str:
    """The checklist's delivery item as the admin reads it."""
    page = client.get("/t/musterstadt/admin/", headers=GERMAN).get_data(as_text=True)
    start = page.rfind("<li", 0, page.index("Zustellziel und eine Testzustellung"))
    return page[start : page.index("</li>", start)]


def _save_mailbox(client, address: str = ADDRESS) -> None:
    page = client.get(f"{PAGES}/targets/postfach", query_string={"kind": "mailbox"})
    saved = client.post(
        f"{PAGES}/targets/postfach?kind=mailbox",
        data={"csrf_token": csrf_token(page), "config-address": address, "enabled": "on"},
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)


def _test_delivery(client) -> str:
    page = client.get(f"{PAGES}/")
    sent = client.post(f"{PAGES}/targets/postfach/test", data={"csrf_token": csrf_token(page)})
    return client.get(sent.headers["Location"], headers=GERMAN).get_data(as_text=True)


def test_only_a_test_delivery_that_arrived_after_the_last_change_passes(
    admin_pages, smtp_server
) -> None:
    client = admin_pages
    assert "Legen Sie fest, wohin Anträge gehen" in _delivery_item(client)

    _save_mailbox(client)
    assert "Senden Sie eine Testzustellung an postfach" in _delivery_item(client)

    assert "ist angekommen" in _test_delivery(client)
    (mail,) = smtp_server.wait_for(1)
    assert mail["To"] == ADDRESS
    assert "Erledigt:" in _delivery_item(client)

    _save_mailbox(client, "zentrale@musterstadt.example")  # a change needs a new test
    assert "Senden Sie eine Testzustellung an postfach" in _delivery_item(client)


def test_a_test_delivery_that_failed_after_one_that_arrived_does_not_pass(
    admin_pages, smtp_server
) -> None:
    client = admin_pages
    _save_mailbox(client)
    assert "ist angekommen" in _test_delivery(client)
    assert "Erledigt:" in _delivery_item(client)

    smtp_server.refuse(ADDRESS)
    assert "ist fehlgeschlagen" in _test_delivery(client)
    assert "Senden Sie eine Testzustellung an postfach" in _delivery_item(client)


def test_going_live_names_the_missing_test_delivery(admin_pages) -> None:
    client = admin_pages
    page = client.get("/t/musterstadt/admin/")
    refused = client.post(
        "/t/musterstadt/admin/go-live", data={"csrf_token": csrf_token(page)}, headers=GERMAN
    )
    assert refused.status_code == 409
    assert "Zustellziel und eine Testzustellung" in refused.get_data(as_text=True)
