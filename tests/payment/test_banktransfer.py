"""Bank transfer: the GiroCode as a banking app reads it, and settling by camt.053 statement."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from amtsweg.payment import service
from amtsweg.payment.models import Payment, PaymentStatus
from amtsweg.platform.db import db, tenant_scope
from tests.login import csrf_token, local
from tests.payment.conftest import BIC, IBAN
from tests.payment.helpers import reload, start, submit

ZBARIMG = "/usr/bin/zbarimg"


def statement(*entries: tuple[str, str, str, str]) -> bytes:
    """A camt.053.001.08 statement with (reference, amount, remittance, debtor) credits."""
    body = "".join(
        f"""<Ntry><NtryRef>{ref}</NtryRef><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-11-27</Dt></BookgDt>
        <NtryDtls><TxDtls><Refs><AcctSvcrRef>{ref}</AcctSvcrRef></Refs>
        <RltdPties><Dbtr><Pty><Nm>{debtor}</Nm></Pty></Dbtr></RltdPties>
        <RmtInf><Ustrd>{remittance}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"""
        for ref, amount, remittance, debtor in entries
    )
    debit = """<Ntry><Amt Ccy="EUR">99.00</Amt><CdtDbtInd>DBIT</CdtDbtInd>
        <RmtInf><Ustrd>Miete</Ustrd></RmtInf></Ntry>"""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
<GrpHdr><MsgId>STMT-1</MsgId><CreDtTm>2026-11-28T06:00:00</CreDtTm></GrpHdr>
<Stmt><Id>1</Id><Acct><Id><IBAN>{IBAN}</IBAN></Id></Acct>{body}{debit}</Stmt>
</BkToCstmrStmt></Document>""".encode()


def test_the_girocode_on_the_confirmation_page_carries_every_epc_field(
    client, musterstadt, apply_and_submit, tmp_path: Path
) -> None:
    pay_url = local(apply_and_submit().headers["Location"])
    page = client.get(pay_url)
    chosen = client.post(pay_url, data={"csrf_token": csrf_token(page), "provider": "banktransfer"})
    confirmation_url = local(chosen.headers["Location"])
    confirmation = client.get(confirmation_url).get_data(as_text=True)
    with tenant_scope(musterstadt.id):
        payment = db.session.scalars(select(Payment)).one()
    assert payment.status is PaymentStatus.PENDING
    kz = payment.kassenzeichen
    assert f'src="{confirmation_url}/girocode.png"' in confirmation
    assert f"Verwendungszweck {kz}" in confirmation  # the image's text alternative
    assert IBAN in confirmation
    assert BIC in confirmation
    assert "30,70" in confirmation
    image = client.get(f"{confirmation_url}/girocode.png")
    assert image.mimetype == "image/png"
    (tmp_path / "girocode.png").write_bytes(image.data)
    decoded = subprocess.run(
        [ZBARIMG, "--raw", "-q", "-Sbinary", str(tmp_path / "girocode.png")],
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    lines = decoded.rstrip("\n").split("\n")
    assert lines[:3] == ["BCD", "002", "1"]  # service tag, version, UTF-8
    assert lines[3] == "SCT"  # SEPA credit transfer
    assert lines[4] == BIC
    assert lines[5] == "Stadtkasse Gemeinde Musterstadt"
    assert lines[6] == IBAN
    assert lines[7] == "EUR30.7"
    assert lines[8:10] == ["", ""]  # no purpose code, no structured reference
    assert lines[10] == kz  # the Kassenzeichen as remittance text


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
