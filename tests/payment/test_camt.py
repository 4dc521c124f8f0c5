"""Reading a bank statement (camt.053): what the treasury's file says each credit is."""

from __future__ import annotations

import datetime as dt

import pytest

from amtsweg.payment.camt import Credit, StatementError, read_credits


def document(*entries: str, version: str = "001.08") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.{version}"><BkToCstmrStmt>
<GrpHdr><MsgId>STMT-1</MsgId></GrpHdr>
<Stmt><Id>1</Id>{"".join(entries)}</Stmt>
</BkToCstmrStmt></Document>""".encode()


def entry(
    amount: str = '<Amt Ccy="EUR">30.70</Amt>',
    direction: str = "CRDT",
    booked: str = "<Dt>2026-11-27</Dt>",
    references: str = "<NtryRef>N1</NtryRef>",
    details: str = "",
) -> str:
    return f"""<Ntry>{references}{amount}<CdtDbtInd>{direction}</CdtDbtInd>
        <BookgDt>{booked}</BookgDt><NtryDtls><TxDtls>{details}</TxDtls></NtryDtls></Ntry>"""


PAID_BY_ERIKA = """<Refs><AcctSvcrRef>BANK-4711</AcctSvcrRef></Refs>
    <AmtDtls><TxAmt><Amt Ccy="EUR">1.00</Amt></TxAmt></AmtDtls>
    <RltdPties><InitgPty><Nm>Lohnbuero Beispiel</Nm></InitgPty>
    <Dbtr><Pty><Nm> Erika Mustermann </Nm></Pty></Dbtr></RltdPties>
    <RmtInf><Ustrd>Gebuehr Fundsache</Ustrd><Ustrd/><Ustrd> MUS-2026-000001-7 </Ustrd></RmtInf>"""


def test_a_credit_is_read_with_everything_the_clerk_and_the_matching_need() -> None:
    (credit,) = read_credits(document(entry(details=PAID_BY_ERIKA)))

    assert credit == Credit(
        entry_reference="BANK-4711",
        booking_date=dt.date(2026, 11, 27),
        amount_cents=3070,
        currency="EUR",
        remittance="Gebuehr Fundsache MUS-2026-000001-7",
        debtor="Erika Mustermann",
    )


@pytest.mark.parametrize("version", ["001.02", "001.08", "001.13"])
def test_every_version_of_the_statement_is_read_and_debits_are_left_out(version: str) -> None:
    read = read_credits(
        document(
            entry(references="<NtryRef>A</NtryRef>", amount='<Amt Ccy="EUR">5</Amt>'),
            entry(references="<NtryRef>B</NtryRef>", direction="DBIT"),
            entry(references="<NtryRef>C</NtryRef>", amount='<Amt Ccy="CHF">0.01</Amt>'),
            version=version,
        )
    )

    assert [(c.entry_reference, c.amount_cents, c.currency) for c in read] == [
        ("A", 500, "EUR"),
        ("C", 1, "CHF"),
    ]


def test_a_booking_given_with_its_time_counts_by_its_date_not_the_value_date() -> None:
    booked = "<DtTm>2026-12-31T23:30:00+01:00</DtTm></BookgDt><ValDt><Dt>2027-01-04</Dt></ValDt>"
    (credit,) = read_credits(document(entry(booked=booked + "<BookgDt>")))

    assert credit.booking_date == dt.date(2026, 12, 31)


def test_what_an_entry_leaves_out_is_left_empty() -> None:
    nameless = "<RltdPties><Dbtr><Pty><Nm/></Pty></Dbtr></RltdPties>"
    valued_only = "</BookgDt><ValDt><DtTm>2027-01-04T10:00:00</DtTm></ValDt><BookgDt>"
    (credit,) = read_credits(
        document(entry(amount="<Amt>12.00</Amt>", booked=valued_only, details=nameless))
    )

    assert (credit.currency, credit.booking_date, credit.debtor, credit.remittance) == (
        "EUR",
        None,
        None,
        "",
    )
    assert credit.entry_reference == "N1"


def test_an_entry_without_a_reference_is_known_by_its_content() -> None:
    first, same, other = read_credits(
        document(
            entry(references=""),
            entry(references=""),
            entry(references="", amount='<Amt Ccy="EUR">30.71</Amt>'),
        )
    )

    assert len(first.entry_reference) == 40
    assert int(first.entry_reference, 16) >= 0
    assert first.entry_reference == same.entry_reference != other.entry_reference


def test_a_long_remittance_is_kept_to_what_the_list_holds() -> None:
    lines = "".join(f"<Ustrd>{'x' * 140}</Ustrd>" for _ in range(5))
    (credit,) = read_credits(document(entry(details=f"<RmtInf>{lines}</RmtInf>")))

    assert len(credit.remittance) == 500


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ('<Amt Ccy="EUR">30.705</Amt>', "not an amount in cents: '30.705'"),
        ('<Amt Ccy="EUR">0.001</Amt>', "not an amount in cents: '0.001'"),
        ('<Amt Ccy="EUR">-30.70</Amt>', "not an amount in cents: '-30.70'"),
        ('<Amt Ccy="EUR">30,70</Amt>', "not an amount: '30,70'"),
        ('<Amt Ccy="EUR"></Amt>', "an entry has no amount"),
        ("", "an entry has no amount"),
    ],
)
def test_an_amount_that_is_not_whole_cents_refuses_the_file(amount: str, reason: str) -> None:
    with pytest.raises(StatementError) as refused:
        read_credits(document(entry(amount=amount)))

    assert str(refused.value) == reason


def test_a_credit_of_nothing_is_read_as_such() -> None:
    (credit,) = read_credits(document(entry(amount='<Amt Ccy="EUR">0.00</Amt>')))

    assert credit.amount_cents == 0


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not xml", "^not a readable XML statement: syntax error"),
        (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>", "^not a readable XML"),
        (
            b"<Document><BkToCstmrAcctRpt/></Document>",
            r"^not a camt.053 statement \(no BkToCstmrStmt\)$",
        ),
    ],
)
def test_a_file_that_is_no_statement_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(StatementError, match=reason):
        read_credits(data)
