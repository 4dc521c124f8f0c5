"""The tenant admin's case numbers: per form and month, what came in, how it was decided
and how long that took, on the page and as a table to download."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from flask_babel import refresh

from amtsweg.tenants import service as tenants
from tests.clerk.test_audit_log import browsing_as
from tests.html import parse
from tests.isolation import assert_other_tenant_gets_404
from tests.platform.test_bearer_tokens import dev_token
from tests.submissions.test_api import fund_answers

PAGE = "/t/musterstadt/admin/case-numbers"
WINTER = {"from": "2026-01-01", "to": "2026-02-28"}
GERMAN = {"Accept-Language": "de"}
FUND_TITLE = "Verlust einer Sache melden (Fundbüro)"


def at(day: str, time: str = "10:00"):
    """The clock stopped at ``day`` and ``time`` UTC."""
    return time_machine.travel(dt.datetime.fromisoformat(f"{day}T{time}+00:00"), tick=False)


def decide(client, reference: str, status: str) -> None:
    """Musterstadt's specialist software sets ``status`` (with a token of the time)."""
    token = client.post(
        "/dev-idp/token",
        data={"grant_type": "client_credentials"},
        auth=("musterstadt-fachverfahren", "development-only-client-secret"),
    ).json["access_token"]
    answer = client.post(
        f"/api/v1/tenants/musterstadt/submissions/{reference}/processing",
        json={"status": status, "message": "Entschieden."},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 201, answer.json


@pytest.fixture
def winter(app, client, submit, beispieldorf) -> None:
    """January: two lost-property reports (one approved after 3 days, one after 6 rejected,
    completed two days later), one more on 31 January at 23:30 UTC, already February in Berlin;
    February: a dog-tax registration still open. Beispieldorf's own report is not
    Musterstadt's. One report of December lies before the period."""
    with at("2025-12-20"):
        submit()
    with at("2026-01-05") as clock:
        approved, rejected = submit(), submit()
        clock.shift(dt.timedelta(days=1))
        decide(client, approved, "in_progress")  # not a decision
        clock.shift(dt.timedelta(days=2))
        decide(client, approved, "approved")
        clock.shift(dt.timedelta(days=3))
        decide(client, rejected, "rejected")
        clock.shift(dt.timedelta(days=2))  # the first decision counts, not the last
        decide(client, rejected, "completed")
    with at("2026-01-31", "23:30"):
        submit()
    with at("2026-02-10"):
        submit("dogs")
        beispieldorfs = client.post(
            "/api/v1/tenants/beispieldorf/forms/fundsache-verlustmeldung/submissions",
            json={"answers": fund_answers()},
            headers={"Authorization": f"Bearer {dev_token(app, '--role', 'citizen')}"},
        )
        assert beispieldorfs.status_code == 201, beispieldorfs.json


def table_rows(page, heading_id: str) -> dict[str, list[str]]:
    """A table's rows by their heading cell, as the cells' texts."""
    document = parse(page.get_data(as_text=True))
    rows = document.xpath(f"//section[@aria-labelledby='{heading_id}']//tr[th[@scope='row']]")
    return {
        " ".join(row.xpath("th")[0].text_content().split()): [
            " ".join(cell.text_content().split()) for cell in row.xpath("td")
        ]
        for row in rows
    }


def headers(page, heading_id: str) -> list[str]:
    document = parse(page.get_data(as_text=True))
    cells = document.xpath(f"//section[@aria-labelledby='{heading_id}']//thead//th")
    return [" ".join(cell.text_content().split()) for cell in cells]


@pytest.mark.sqlite
def test_the_admin_sees_each_form_and_month_with_its_decisions(client, log_in, winter):
    log_in("admin-musterstadt")
    page = client.get(PAGE, query_string=WINTER, headers=GERMAN)
    assert page.status_code == 200
    assert headers(page, "by-form")[:7] == [
        "Formular",
        "Eingegangen",
        "Offen",
        "Bewilligt",
        "Abgelehnt",
        "Abgeschlossen",
        "Bezahlt",
    ]
    assert headers(page, "by-form")[-1] == "Tage bis zur Entscheidung (Median)"
    by_form = table_rows(page, "by-form")
    # received, open, approved, rejected, completed, paid, fees, median days
    assert by_form[FUND_TITLE] == ["3", "1", "1", "0", "1", "0", "0,00 €", "4,5"]
    assert by_form["Anmeldung zur Hundesteuer"][:2] == ["1", "1"]
    assert by_form["Gewerbeanmeldung"][0] == "0"
    assert by_form["Gewerbeanmeldung"][-1] == "\u2013keine entschieden"
    assert by_form["Gesamt"][:5] == ["4", "2", "1", "0", "1"]
    by_month = table_rows(page, "by-month")
    assert list(by_month) == ["Januar 2026", "Februar 2026", "Gesamt"]
    assert by_month["Januar 2026"][:5] == ["2", "0", "1", "0", "1"]
    assert by_month["Februar 2026"][:2] == ["2", "2"]


def test_the_figures_download_per_form_and_month(client, log_in, winter):
    log_in("admin-musterstadt")
    excel = client.get(f"{PAGE}.excel.csv", query_string=WINTER, headers=GERMAN)
    assert excel.status_code == 200
    assert (
        "musterstadt-fallzahlen-2026-01-01-2026-02-28.csv" in excel.headers["Content-Disposition"]
    )
    assert "no-store" in excel.headers["Cache-Control"]
    text = excel.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = {
        (row["form"], row["month"]): row
        for row in csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";")
    }
    january = rows["fundsache-verlustmeldung", "2026-01"]
    assert january["form_title"] == FUND_TITLE
    assert (january["received"], january["approved"], january["completed"]) == ("2", "1", "1")
    assert january["median_days_to_decision"] == "4.5"
    assert january["fees_received_cents"] == "0"
    february = rows["fundsache-verlustmeldung", "2026-02"]
    assert (february["received"], february["open"], february["median_days_to_decision"]) == (
        "1",
        "1",
        "",
    )
    assert rows["hundesteuer-anmeldung", "2026-02"]["received"] == "1"
    workbook = client.get(f"{PAGE}.xlsx", query_string=WINTER)
    assert workbook.status_code == 200
    assert workbook.data.startswith(b"PK")
    assert client.get(f"{PAGE}.pdf", query_string=WINTER).status_code == 404


def test_the_page_speaks_english(client, log_in, winter):
    log_in("admin-musterstadt")
    refresh()  # the test's app context outlives requests, and with it Flask-Babel's locale
    page = client.get(PAGE, query_string=WINTER, headers={"Accept-Language": "en"})
    by_month = table_rows(page, "by-month")
    assert list(by_month) == ["January 2026", "February 2026", "Total"]
    assert table_rows(page, "by-form")["Report a lost item (lost property office)"][-1] == "4.5"


def test_the_year_so_far_is_shown_unless_a_period_is_chosen(client, log_in, musterstadt):
    log_in("admin-musterstadt")
    with at("2026-03-15"):
        page = client.get(PAGE, headers=GERMAN)
    assert list(table_rows(page, "by-month")) == [
        "Januar 2026",
        "Februar 2026",
        "März 2026",
        "Gesamt",
    ]
    document = parse(page.get_data(as_text=True))
    assert document.xpath("//input[@id='period-from']/@value") == ["2026-01-01"]
    assert document.xpath("//input[@id='period-to']/@value") == ["2026-03-15"]


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ({"from": "2026-03-01", "to": "2026-02-01"}, "Der Zeitraum endet, bevor er beginnt."),
        ({"from": "2015-01-01", "to": "2026-02-01"}, "höchstens fünf Jahren"),
        ({"from": "2026-02-30"}, "Ein Filter hat einen Wert, der nicht möglich ist."),
    ],
)
def test_a_period_that_cannot_be_is_refused_with_words(
    client, log_in, musterstadt, period, message
):
    log_in("admin-musterstadt")
    for path in (PAGE, f"{PAGE}.csv"):
        refused = client.get(path, query_string=period, headers=GERMAN)
        assert refused.status_code == 400, path
        assert message in refused.get_data(as_text=True), path


def test_clerks_get_404_and_so_does_another_tenants_admin(app, client, log_in, beispieldorf):
    with browsing_as(app, "clerk-musterstadt") as clerk:
        assert clerk.get(PAGE).status_code == 404
        assert clerk.get(f"{PAGE}.csv").status_code == 404
    log_in("admin-musterstadt")
    musterstadt = tenants.find_tenant("musterstadt")
    for path in (PAGE, f"{PAGE}.csv"):
        assert_other_tenant_gets_404(client, path, owner=musterstadt, other=beispieldorf)


def test_the_api_gives_the_same_lines_to_a_tenant_admin(app, client, winter):
    admin = {"Authorization": f"Bearer {dev_token(app, '--role', 'tenant_admin')}"}
    api = "/api/v1/tenants/musterstadt/case-numbers"
    answer = client.get(api, query_string=WINTER, headers=admin | GERMAN)
    assert answer.status_code == 200, answer.json
    assert (answer.json["from"], answer.json["to"]) == ("2026-01-01", "2026-02-28")
    figures = {figure["key"]: figure for figure in answer.json["figures"]}
    assert figures["received"]["label"] == "Eingegangen"
    assert figures["fees_received"]["money"] is True
    lines = {(line["form"], line["month"]): line for line in answer.json["lines"]}
    january = lines["fundsache-verlustmeldung", "2026-01"]
    assert january["title"] == FUND_TITLE
    assert january["figures"]["received"] == 2
    assert january["figures"]["approved"] == 1
    assert january["median_days_to_decision"] == 4.5
    assert lines["fundsache-verlustmeldung", "2026-02"]["median_days_to_decision"] is None

    backwards = client.get(
        api, query_string={"from": "2026-03-01", "to": "2026-01-01"}, headers=admin | GERMAN
    )
    assert backwards.status_code == 400
    assert backwards.content_type == "application/problem+json"
    assert backwards.json["detail"] == "Der Zeitraum endet, bevor er beginnt."
    not_a_day = client.get(api, query_string={"from": "2026-02-30"}, headers=admin)
    assert not_a_day.status_code == 422
    assert not_a_day.content_type == "application/problem+json"
    clerk = {"Authorization": f"Bearer {dev_token(app, '--role', 'clerk')}"}
    assert client.get(api, headers=clerk).status_code == 404
    assert client.get(api).status_code == 401
    musterstadt = tenants.find_tenant("musterstadt")
    beispieldorf = tenants.find_tenant("beispieldorf")
    assert_other_tenant_gets_404(client, api, owner=musterstadt, other=beispieldorf, headers=admin)
