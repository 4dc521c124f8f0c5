"""The clerk's workplace in the browser: find, read, download, export."""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from amtsweg.delivery import service as delivery
from amtsweg.platform.auth.roles import Role
from amtsweg.platform.db import db, tenant_scope
from amtsweg.submissions import clerk
from amtsweg.tenants import service as tenants
from amtsweg.tenants.models import User
from tests.isolation import assert_other_tenant_gets_404

CLERK = "/t/musterstadt/clerk/"


def test_sabine_finds_erikas_submission_by_reference_and_by_name(
    client, log_in, submit, beispieldorf
) -> None:
    reference = submit()
    log_in("clerk-musterstadt")
    by_reference = client.get(CLERK, query_string={"q": reference})
    assert by_reference.status_code == 200
    assert reference in by_reference.get_data(as_text=True)
    for name in ("MUSTERMANN", "muster", "Erika  Mustermann", "erika m"):
        by_name = client.get(CLERK, query_string={"q": name})
        assert reference in by_name.get_data(as_text=True), name
    for nobody in ("Schmidt", "ustermann", "Mustermann Erika", "%"):
        found = client.get(CLERK, query_string={"q": nobody})
        assert reference not in found.get_data(as_text=True), nobody


@pytest.mark.parametrize(
    ("applicant", "typed", "not_found"),
    [
        ("Jörg Müller", ("Mueller", "MÜLLER", "joerg m", "müll"), ("Muller", "Jorg")),
        ("Joerg Mueller", ("Müller", "Jörg Mü", "mue"), ("Muller",)),
        (
            "Ayşe Çelik-Y\u0131ld\u0131z",  # Turkish, with the dotless i
            ("Celik", "ayse", "celik-yildiz", "Çelik", "Yildiz", "Y\u0131ld"),
            ("Celikk", "ildiz"),
        ),
        ("Hans Großmann", ("grossmann", "Großm"), ("grosmann",)),
        ("Anna von der Heide", ("Von der", "heide"), ("vonder",)),
        ("Max Müller-Lüdenscheidt", ("Lüdenscheidt", "luedensch", "mueller-l"), ("denscheidt",)),
    ],
)
def test_names_are_found_however_the_clerk_spells_umlauts_and_accents(
    client, log_in, submit, *, applicant, typed, not_found
) -> None:
    reference = submit(name=applicant)
    log_in("clerk-musterstadt")
    for term in typed:
        page = client.get(CLERK, query_string={"q": term}).get_data(as_text=True)
        assert reference in page, term
        assert f">{html.escape(applicant)}</td>" in page  # as written: ß, "von der"
    for term in not_found:
        page = client.get(CLERK, query_string={"q": term}).get_data(as_text=True)
        assert reference not in page, term


def test_the_submission_page_shows_the_answers_and_who_opened_it(client, log_in, submit) -> None:
    reference = submit()
    log_in("clerk-musterstadt")
    client.get(f"{CLERK}submissions/{reference}")
    page = client.get(f"{CLERK}submissions/{reference}").get_data(as_text=True)
    assert "Bushaltestelle Rathaus" in page
    assert "&lt;script&gt;" in page
    assert page.count("Sabine Schreiber") >= 2


def test_staff_pages_are_never_stored(client, log_in, submit) -> None:
    """A clerk's pages name citizens: after logging out on a shared office computer, the
    back button must not show them again, nor may a cache keep them."""
    reference = submit()
    log_in("clerk-musterstadt")
    for url in (CLERK, f"{CLERK}submissions/{reference}", f"{CLERK}payments/"):
        response = client.get(url)
        assert (response.status_code, response.headers["Cache-Control"]) == (
            200,
            "no-store, private",
        ), url
    assert "no-store" not in client.get("/t/musterstadt/").headers.get("Cache-Control", "")


def test_the_zip_holds_the_receipt_the_document_and_nothing_else(client, log_in, submit) -> None:
    reference = submit()
    log_in("clerk-musterstadt")
    response = client.get(f"{CLERK}submissions/{reference}.zip")
    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(len(response.data))
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == sorted([f"{reference}.pdf", "submission.json"])
    assert archive.read(f"{reference}.pdf").startswith(b"%PDF-")


def test_the_csv_has_a_column_per_field_and_one_per_dog(client, log_in, submit) -> None:
    first = submit("dogs")
    log_in("clerk-musterstadt")
    response = client.get(f"{CLERK}forms/hundesteuer-anmeldung/submissions.excel.csv")
    assert response.status_code == 200
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    header, row = table
    assert row[header.index("reference")] == first
    assert row[header.index("hunde[1].name")] == "Bello"
    assert row[header.index("hunde[2].name")] == "'=HYPERLINK(1)"
    assert "hunde[3].name" not in header


def test_the_xlsx_export_neutralises_formulas_too(client, log_in, submit) -> None:
    submit("dogs")
    log_in("clerk-musterstadt")
    response = client.get(f"{CLERK}forms/hundesteuer-anmeldung/submissions.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert rows[1][header.index("hunde[2].name")] == "'=HYPERLINK(1)"


def test_a_clerk_of_another_municipality_gets_404_for_all_of_it(
    client, log_in, submit, beispieldorf
) -> None:
    reference = submit()
    log_in("clerk-beispieldorf")
    for path in (
        CLERK,
        f"{CLERK}submissions/{reference}",
        f"{CLERK}submissions/{reference}.zip",
        f"{CLERK}forms/fundsache-verlustmeldung/submissions.csv",
    ):
        assert client.get(path).status_code == 404, path


def test_every_clerk_page_is_404_under_another_tenant(client, log_in, submit, beispieldorf) -> None:
    reference = submit()
    log_in("association-admin")
    for path in (
        f"{CLERK}submissions/{reference}",
        f"{CLERK}submissions/{reference}.zip",
    ):
        assert_other_tenant_gets_404(
            client, path, owner=tenants.find_tenant("musterstadt"), other=beispieldorf
        )


def test_a_citizen_gets_404_for_the_workplace(client, log_in, submit) -> None:
    submit()
    log_in("erika")
    assert client.get(CLERK).status_code == 404


def test_a_clerk_limited_to_one_form_sees_only_that_form(
    client, log_in, submit, musterstadt
) -> None:
    lost_property = submit()
    dog_tax = submit("dogs")
    log_in("clerk-musterstadt")
    sabine = db.session.scalar(select(User).where(User.subject == "clerk-musterstadt"))
    tenants.grant_role(musterstadt, sabine, Role.CLERK, form_slugs=["hundesteuer-anmeldung"])
    db.session.commit()
    listed = client.get(CLERK).get_data(as_text=True)
    assert dog_tax in listed
    assert lost_property not in listed
    assert client.get(f"{CLERK}submissions/{dog_tax}").status_code == 200
    for path in (
        f"{CLERK}submissions/{lost_property}",
        f"{CLERK}submissions/{lost_property}.zip",
        f"{CLERK}forms/fundsache-verlustmeldung/submissions.csv",
    ):
        assert client.get(path).status_code == 404, path
    filtered = client.get(CLERK, query_string={"form": "fundsache-verlustmeldung"})
    assert lost_property not in filtered.get_data(as_text=True)


def test_the_list_pages_by_keyset(client, log_in, submit, monkeypatch) -> None:
    monkeypatch.setattr(clerk, "PAGE_SIZE", 2)
    references = [submit() for _ in range(5)]
    log_in("clerk-musterstadt")
    seen, url = [], CLERK + "?order=oldest"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += [reference for reference in references if reference in page]
        found = re.search(r'href="([^"]*cursor=[^"]*)">', page)
        url = html.unescape(found.group(1)) if found else None
    assert seen == references


def test_a_made_up_cursor_is_a_clear_400(client, log_in, musterstadt) -> None:
    log_in("clerk-musterstadt")
    empty_form = dict.fromkeys(("q", "form", "processing", "status", "delivery", "from", "to"), "")
    assert client.get(CLERK, query_string=empty_form).status_code == 200
    assert client.get(CLERK, query_string={"cursor": "not-a-cursor"}).status_code == 400
    assert client.get(CLERK, query_string={"from": "yesterday"}).status_code == 400


def test_the_submission_page_shows_how_payment_and_delivery_stand(
    client, log_in, submit, musterstadt
) -> None:
    reference = submit()
    log_in("clerk-musterstadt")
    page = client.get(f"{CLERK}submissions/{reference}").get_data(as_text=True)
    assert '<h2 class="kern-heading-medium" id="payment-heading">Zahlung</h2>' in page
    assert "Für diesen Antrag wurde noch keine Zahlung begonnen." in page  # a free form
    assert '<h2 class="kern-heading-medium" id="delivery-heading">Zustellung</h2>' in page
    with tenant_scope(musterstadt.id):
        assert delivery.targets(musterstadt) == []  # this test's tenant has none configured
    assert "Dieser Antrag hat (noch) kein Zustellziel." in page
