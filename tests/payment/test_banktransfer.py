"""Bank transfer: the GiroCode as a banking app reads it, and settling by camt.053 statement."""

from __future__ import annotations

import io
import subprocess
import tempfile
import uuid
from pathlib import Path

import pikepdf
import pytest
from pikepdf import PdfImage
from pypdf import PdfReader
from sqlalchemy import select

from amtsweg.payment import service
from amtsweg.payment.models import Payment, PaymentStatus, StatementLine
from amtsweg.payment.providers.banktransfer import girocode
from amtsweg.platform.db import db, tenant_scope
from amtsweg.tenants.models import AuditEntry, User
from tests.login import csrf_token, local
from tests.payment.conftest import BIC, IBAN
from tests.payment.helpers import reload, start, statement, submit
from tests.platform.test_bearer_tokens import dev_token
from tests.submissions.test_receipts import assert_archival_and_accessible, structure

ZBARIMG = "/usr/bin/zbarimg"


def decoded_girocode(png: bytes) -> list[str]:
    """The lines of the EPC payload a banking app reads from the image (``zbarimg``)."""
    with tempfile.TemporaryDirectory() as folder:
        image = Path(folder) / "girocode.png"
        image.write_bytes(png)
        decoded = subprocess.run(
            [ZBARIMG, "--raw", "-q", "-Sbinary", str(image)], capture_output=True, check=True
        ).stdout.decode("utf-8")
    return decoded.rstrip("\n").split("\n")


def assert_every_epc_field(lines: list[str], kassenzeichen: str) -> None:
    assert lines[:3] == ["BCD", "002", "1"]  # service tag, version, UTF-8
    assert lines[3] == "SCT"  # SEPA credit transfer
    assert lines[4] == BIC
    assert lines[5] == "Stadtkasse Gemeinde Musterstadt"
    assert lines[6] == IBAN
    assert lines[7] == "EUR30.7"
    assert lines[8:10] == ["", ""]  # no purpose code, no structured reference
    assert lines[10] == kassenzeichen  # the Kassenzeichen as remittance text
    assert len(lines) == 11  # no note to the payer


def test_an_account_holder_longer_than_a_girocode_holds_is_cut_to_its_70_characters() -> None:
    """EPC069-12 allows 70 characters for the payee; a longer official name still gives
    a code a banking app reads, with the name's first 70 characters."""
    holder = "Verbandsgemeindeverwaltung Musterstadt-Beispieldorf, Stadt- und Gemeindekasse"
    code = girocode({"account_holder": holder, "iban": IBAN, "bic": BIC}, 3070, "MUS2026000001")
    png = io.BytesIO()
    code.save(png, kind="png", scale=4)
    lines = decoded_girocode(png.getvalue())
    assert (lines[5], lines[7], lines[10]) == (holder[:70], "EUR30.7", "MUS2026000001")


def choose_transfer(client, apply_and_submit) -> str:
    """Erika submits and chooses bank transfer; the address of her confirmation page."""
    pay_url = local(apply_and_submit().headers["Location"])
    page = client.get(pay_url)
    chosen = client.post(pay_url, data={"csrf_token": csrf_token(page), "provider": "banktransfer"})
    return local(chosen.headers["Location"])


def the_payment(tenant) -> Payment:
    with tenant_scope(tenant.id):
        return db.session.scalars(select(Payment)).one()


def test_the_girocode_on_the_confirmation_page_carries_every_epc_field(
    client, musterstadt, apply_and_submit
) -> None:
    confirmation_url = choose_transfer(client, apply_and_submit)
    confirmation = client.get(confirmation_url).get_data(as_text=True)
    payment = the_payment(musterstadt)
    assert payment.status is PaymentStatus.PENDING
    kz = payment.kassenzeichen
    assert f'src="{confirmation_url}/girocode.png"' in confirmation
    assert f"Verwendungszweck {kz}" in confirmation  # the image's text alternative
    assert IBAN in confirmation
    assert BIC in confirmation
    assert "30,70" in confirmation
    image = client.get(f"{confirmation_url}/girocode.png")
    assert image.mimetype == "image/png"
    assert_every_epc_field(decoded_girocode(image.data), kz)


def pdf_images(pdf: bytes) -> list[bytes]:
    """Every image of the PDF, as PNG, the way a banking app would see it on a page."""
    images = []
    for page in pikepdf.open(io.BytesIO(pdf)).pages:
        for image in page.get_images().values():
            png = io.BytesIO()
            PdfImage(image).as_pil_image().save(png, "PNG")
            images.append(png.getvalue())
    return images


GIROCODE_IN_WORDS = {
    "de": "GiroCode (QR-Code für Banking-Apps): 30,70\xa0€ an Stadtkasse Gemeinde Musterstadt, "
    f"IBAN {IBAN}, Verwendungszweck {{kz}}",
    "en": "GiroCode (QR code for banking apps): €30.70 to Stadtkasse Gemeinde Musterstadt, "
    f"IBAN {IBAN}, reference {{kz}}",
}
TRANSFER_LINES = {
    "de": ["Empfänger Stadtkasse Gemeinde Musterstadt", f"IBAN {IBAN}", f"BIC {BIC}",
           "Betrag 30,70\xa0€", "Referenz {kz}"],
    "en": ["Recipient Stadtkasse Gemeinde Musterstadt", f"IBAN {IBAN}", f"BIC {BIC}",
           "Amount €30.70", "Reference {kz}"],
}  # fmt: skip


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_receipt_carries_the_girocode_with_words_and_the_transfer_data(
    app, client, musterstadt, apply_and_submit, language
) -> None:
    """A citizen who prints the receipt can pay from paper: the same GiroCode, described
    for screen readers, with the transfer data as text; still PDF/A-2a and PDF/UA-1."""
    confirmation_url = choose_transfer(client, apply_and_submit)
    with app.app_context():  # the test's app context remembers the language of earlier requests
        pdf = client.get(
            f"{confirmation_url}/receipt.pdf", headers={"Accept-Language": language}
        ).data
    kz = the_payment(musterstadt).kassenzeichen

    (girocode,) = pdf_images(pdf)
    assert_every_epc_field(decoded_girocode(girocode), kz)
    (figure,) = [tag for tag in structure(pdf) if tag.name == "/Figure"]
    assert figure.text == GIROCODE_IN_WORDS[language].format(kz=kz)
    text = [line.strip() for page in PdfReader(io.BytesIO(pdf)).pages
            for line in page.extract_text().splitlines()]  # fmt: skip
    expected = [line.format(kz=kz) for line in TRANSFER_LINES[language]]
    start = text.index(expected[0])
    assert text[start : start + len(expected)] == expected
    assert_archival_and_accessible(pdf, language=language)


def test_a_settled_transfer_leaves_the_kassenzeichen_on_the_receipt_but_no_girocode(
    client, musterstadt, apply_and_submit
) -> None:
    confirmation_url = choose_transfer(client, apply_and_submit)
    kz = the_payment(musterstadt).kassenzeichen
    with tenant_scope(musterstadt.id):
        service.import_statement(musterstadt, statement(("E1", "30.70", kz, "Erika")))
        db.session.commit()
    pdf = client.get(f"{confirmation_url}/receipt.pdf").data
    assert pdf_images(pdf) == []
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert f"Kassenzeichen {kz}" in text.splitlines()
    assert IBAN not in text


@pytest.fixture
def transfer(app, musterstadt):
    return start(app, musterstadt, submit(app, musterstadt), provider="banktransfer")


def test_a_statement_settles_exact_transfers_and_lists_the_rest(app, musterstadt, transfer) -> None:
    partial = start(app, musterstadt, submit(app, musterstadt, "max"), provider="banktransfer")
    document = statement(
        ("E1", "30.70", f"Gebuehr {transfer.kassenzeichen}", "Erika Mustermann"),
        ("E2", "10.00", f"KZ {partial.kassenzeichen}", "Max Mustermann"),
        ("E3", "5.00", "Spende ohne Kassenzeichen", "Unbekannt"),
    )
    with tenant_scope(musterstadt.id):
        result = service.import_statement(musterstadt, document)
        db.session.commit()
        clerk = [(line.entry_reference, line.outcome) for line in service.lines_for_clerk()]
    assert (result.matched, result.for_clerk, result.known) == (1, 2, 0)
    paid = reload(musterstadt, transfer)
    assert (paid.status, paid.payer) == (PaymentStatus.SUCCEEDED, "Erika Mustermann")
    assert reload(musterstadt, partial).status is PaymentStatus.PENDING
    assert sorted(clerk) == [("E2", "partial"), ("E3", "unmatched")]
    with tenant_scope(musterstadt.id):
        again = service.import_statement(musterstadt, document)
    assert (again.matched, again.for_clerk, again.known) == (0, 0, 3)


def test_an_overpayment_and_a_second_transfer_go_to_the_clerk(app, musterstadt, transfer) -> None:
    document = statement(
        ("E1", "31.70", transfer.kassenzeichen, "Erika"),
        ("E2", "30.70", transfer.kassenzeichen, "Erika"),
        ("E3", "30.70", transfer.kassenzeichen, "Erika"),
    )
    with tenant_scope(musterstadt.id):
        service.import_statement(musterstadt, document)
        outcomes = sorted(
            (line.entry_reference, line.outcome) for line in service.lines_for_clerk()
        )
    assert outcomes == [("E1", "over"), ("E3", "already_paid")]


def test_a_transfer_for_an_online_payment_or_in_another_currency_goes_to_the_clerk(
    app, client, log_in, musterstadt, transfer
) -> None:
    """Only a transfer is settled from the statement: a card payment keeps its money,
    refunds and booking at its provider. The clerk sees why each credit waits."""
    card = start(app, musterstadt, submit(app, musterstadt, "max"))
    document = statement(
        ("E1", "30.70", f"Gebuehr {card.kassenzeichen}", "Max Mustermann"),
        ("E2", "30.70 CHF", transfer.kassenzeichen, "Erika Mustermann"),
    )
    with tenant_scope(musterstadt.id):
        result = service.import_statement(musterstadt, document)
        db.session.commit()
        lines = {line.entry_reference: line for line in service.lines_for_clerk()}

    assert (result.matched, result.for_clerk) == (0, 2)
    assert {reference: line.outcome for reference, line in lines.items()} == {
        "E1": "online_payment",
        "E2": "other_currency",
    }
    assert lines["E1"].payment_id == card.id
    assert reload(musterstadt, card).status is PaymentStatus.PENDING
    assert reload(musterstadt, transfer).status is PaymentStatus.PENDING
    log_in("clerk-musterstadt")
    page = client.get("/t/musterstadt/clerk/payments/").get_data(as_text=True)
    assert "Kassenzeichen einer Online-Zahlung" in page
    assert "in anderer Währung" in page


def test_a_clerk_imports_a_statement_through_the_api_and_it_is_on_record(
    app, client, musterstadt, transfer
) -> None:
    clerk = {
        "Authorization": f"Bearer {dev_token(app, '--role', 'clerk', '--tenant', 'musterstadt')}"
    }
    api = "/api/v1/tenants/musterstadt/payment"
    document = statement(
        ("E1", "30.70", transfer.kassenzeichen, "Erika Mustermann"),
        ("E2", "5.00", "Spende", "Max Mustermann"),
    )

    imported = client.post(f"{api}/statements", data=document, headers=clerk)
    refused = client.post(
        f"{api}/statements", data=b"<x/>", headers=clerk | {"Accept-Language": "de"}
    )

    assert imported.json == {"matched": 1, "for_clerk": 1, "known": 0}
    assert refused.status_code == 400
    assert refused.mimetype == "application/problem+json"
    assert refused.json["detail"] == (
        "Die Datei ist kein Kontoauszug im Format camt.053: "
        "not a camt.053 statement (no BkToCstmrStmt)"
    )
    waiting = client.get(f"{api}/statement-lines", headers=clerk).json
    assert [(line["booking_date"], line["debtor"], line["outcome"]) for line in waiting] == [
        ("2026-11-27", "Max Mustermann", "unmatched")
    ]
    with tenant_scope(musterstadt.id):
        settled = service.events_of(reload(musterstadt, transfer))[-1]
        audit = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "payment.statement_imported")
        ).one()
        actor = db.session.get_one(User, audit.actor_id)
    assert (settled.to_status, settled.source, settled.provider_reference) == (
        PaymentStatus.SUCCEEDED,
        "statement",
        "E1",
    )
    assert (audit.object_type, audit.object_id, audit.details, actor.subject) == (
        "statement",
        "camt.053",
        {"matched": 1, "for_clerk": 1, "known": 0},
        "clerk-musterstadt",
    )


def test_the_cli_imports_a_statement_and_refuses_other_files(app, musterstadt, transfer, tmp_path):
    good = tmp_path / "auszug.xml"
    good.write_bytes(statement(("E9", "30.70", transfer.kassenzeichen, "Erika")))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["payments", "import-camt", "musterstadt", str(good)])
    assert result.exit_code == 0, result.output
    assert "1 settled" in result.output
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>")
    refused = runner.invoke(args=["payments", "import-camt", "musterstadt", str(bad)])
    assert refused.exit_code != 0
    assert "camt.053" in refused.output


@pytest.fixture
def partial_credit(app, musterstadt, transfer):
    """A transfer of 10 € of the 30,70 € due: it waits for a clerk."""
    with tenant_scope(musterstadt.id):
        service.import_statement(
            musterstadt, statement(("E7", "10.00", transfer.kassenzeichen, "Erika Mustermann"))
        )
        db.session.commit()
        return service.lines_for_clerk()[0].id


def test_a_clerk_clears_a_waiting_credit_with_a_note_of_what_was_done(
    client, log_in, musterstadt, transfer, partial_credit
) -> None:
    log_in("clerk-musterstadt")
    payments = "/t/musterstadt/clerk/payments/"
    line_url = f"{payments}statement-lines/{partial_credit}"
    listed = client.get(payments).get_data(as_text=True)
    assert f'href="{payments}{transfer.id}">{transfer.kassenzeichen}</a>' in listed
    assert f'href="{line_url}">Klären<span class="kern-sr-only"> Zahlungseingang E7' in listed
    assert '<td class="kern-table__cell">27.11.2026</td>' in listed  # the day it was booked
    page = client.get(line_url)
    assert "weniger als fällig" in page.get_data(as_text=True)
    assert '<dd class="kern-description-list-item__value">27.11.2026</dd>' in page.get_data(
        as_text=True
    )

    unnoted = client.post(line_url, data={"csrf_token": csrf_token(page), "resolution": "  "})
    noted = client.post(
        line_url,
        data={"csrf_token": csrf_token(page), "resolution": "Restbetrag 20,70 € angefordert"},
    )
    again = client.post(line_url, data={"csrf_token": csrf_token(page), "resolution": "nochmal"})

    assert unnoted.status_code == 422
    assert 'aria-invalid="true"' in unnoted.get_data(as_text=True)
    assert "Bitte vermerken Sie, was mit diesem Zahlungseingang geschehen ist." in (
        unnoted.get_data(as_text=True)
    )
    assert (noted.status_code, local(noted.headers["Location"])) == (303, payments)
    after = client.get(payments).get_data(as_text=True)
    waiting, _, cleared = after.partition("Zuletzt geklärt")
    assert line_url not in waiting
    assert "Restbetrag 20,70 € angefordert" in cleared
    assert "Sabine Schreiber" in cleared
    assert f'href="{line_url}">27.11.2026</a>' in cleared
    assert again.status_code == 409
    assert "Dieser Zahlungseingang ist bereits geklärt." in again.get_data(as_text=True)
    assert "von Sabine Schreiber: Restbetrag 20,70 € angefordert" in client.get(line_url).get_data(
        as_text=True
    )
    with tenant_scope(musterstadt.id):
        audit = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "payment.statement_line_resolved")
        ).one()
        clerk = db.session.get_one(User, audit.actor_id)
        assert reload(musterstadt, transfer).status is PaymentStatus.PENDING
    assert (audit.object_id, audit.details, clerk.subject) == (
        "E7",
        {"outcome": "partial", "amount_cents": 1000},
        "clerk-musterstadt",
    )


def test_the_api_names_a_waiting_credits_payment_and_clears_it_once(
    app, client, nachbarort, transfer, partial_credit
) -> None:
    def token(tenant):
        return {
            "Authorization": f"Bearer {dev_token(app, '--role', 'clerk', '--tenant', tenant)}",
            "Accept-Language": "de",
        }

    api = "/api/v1/tenants/musterstadt/payment/statement-lines"
    clear = f"{api}/{partial_credit}/resolution"
    clerk = token("musterstadt")
    waiting = client.get(api, headers=clerk).json
    assert [(line["id"], line["payment_id"], line["kassenzeichen"]) for line in waiting] == [
        (str(partial_credit), str(transfer.id), transfer.kassenzeichen)
    ]
    assert (waiting[0]["resolution"], waiting[0]["resolved_at"]) == ("", None)

    foreign = client.post(
        f"/api/v1/tenants/{nachbarort.slug}/payment/statement-lines/{partial_credit}/resolution",
        json={"resolution": "fremd"},
        headers=token(nachbarort.slug),
    )
    too_long = client.post(clear, json={"resolution": "x" * 501}, headers=clerk)
    unknown = client.post(
        f"{api}/{uuid.uuid4()}/resolution", json={"resolution": "?"}, headers=clerk
    )
    with_nul = client.post(clear, json={"resolution": "Über\x00zahlung"}, headers=clerk)
    cleared = client.post(clear, json={"resolution": "Überzahlung zurück"}, headers=clerk)
    again = client.post(clear, json={"resolution": "Überzahlung zurück"}, headers=clerk)

    assert foreign.status_code == 404
    assert too_long.status_code == 422
    assert too_long.mimetype == "application/problem+json"
    assert too_long.json["errors"] == [
        {
            "pointer": "/resolution",
            "detail": "Bitte fassen Sie den Vermerk in höchstens 500 Zeichen.",
        }
    ]
    assert unknown.status_code == 404
    assert (with_nul.status_code, with_nul.mimetype) == (400, "application/problem+json")
    assert (cleared.status_code, cleared.json["resolution"]) == (200, "Überzahlung zurück")
    assert cleared.json["resolved_at"] is not None
    assert (again.status_code, again.json["detail"]) == (
        409,
        "Dieser Zahlungseingang ist bereits geklärt.",
    )
    assert client.get(api, headers=clerk).json == []


def test_a_settled_credit_is_not_there_to_clear(app, client, musterstadt, transfer) -> None:
    with tenant_scope(musterstadt.id):
        service.import_statement(
            musterstadt, statement(("E8", "30.70", transfer.kassenzeichen, "Erika"))
        )
        settled = db.session.scalars(select(StatementLine)).one()
        line_id, outcome = settled.id, settled.outcome
        db.session.commit()
    clerk = {
        "Authorization": f"Bearer {dev_token(app, '--role', 'clerk', '--tenant', 'musterstadt')}"
    }
    answer = client.post(
        f"/api/v1/tenants/musterstadt/payment/statement-lines/{line_id}/resolution",
        json={"resolution": "?"},
        headers=clerk,
    )
    assert (outcome, answer.status_code) == ("matched", 404)
