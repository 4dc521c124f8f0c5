"""Read credits from an ISO 20022 bank statement (camt.053, any version 001.02 to 001.13).

Pure parsing, no database: elements are matched by local name, so the
statement's namespace (its version) does not matter. Debits are skipped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, tostring

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException


class StatementError(ValueError):
    """The file is not a readable camt.053 statement."""


@dataclass(frozen=True, slots=True)
class Credit:
    entry_reference: str
    booking_date: dt.date | None
    amount_cents: int
    currency: str
    remittance: str
    debtor: str | None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Element, name: str) -> Iterator[Element]:
    return (child for child in element.iter() if _local(child.tag) == name)


def _first_text(element: Element, *path: str) -> str | None:
    current: list[Element] = [element]
    for name in path:
        current = [found for parent in current for found in _children(parent, name)]
        if not current:
            return None
    return (current[0].text or "").strip() or None


def _cents(text: str) -> int:
    try:
        amount = Decimal(text)
    except InvalidOperation as error:
        raise StatementError(f"not an amount: {text!r}") from error
    cents = amount * 100
    if cents != cents.to_integral_value() or cents < 0:
        raise StatementError(f"not an amount in cents: {text!r}")
    return int(cents)


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text[:10]) if text else None


def read_credits(document: bytes) -> list[Credit]:
    """Every credit entry of every statement in the document."""
    try:
        root = ElementTree.fromstring(document)
    except (ElementTree.ParseError, DefusedXmlException) as error:
        raise StatementError(f"not a readable XML statement: {error}") from error
    if not any(_local(e.tag) == "BkToCstmrStmt" for e in root.iter()):
        raise StatementError("not a camt.053 statement (no BkToCstmrStmt)")
    return [_credit(entry) for entry in _children(root, "Ntry") if _is_credit(entry)]


def _is_credit(entry: Element) -> bool:
    return _first_text(entry, "CdtDbtInd") == "CRDT"


def _credit(entry: Element) -> Credit:
    amount = next((e for e in entry if _local(e.tag) == "Amt"), None)
    if amount is None or not amount.text:
        raise StatementError("an entry has no amount")
    remittance = " ".join(
        line for element in _children(entry, "Ustrd") if (line := (element.text or "").strip())
    )
    booking = _first_text(entry, "BookgDt", "Dt") or _first_text(entry, "BookgDt", "DtTm")
    reference = _first_text(entry, "AcctSvcrRef") or _first_text(entry, "NtryRef")
    return Credit(
        entry_reference=reference or hashlib.sha256(tostring(entry)).hexdigest()[:40],
        booking_date=_date(booking),
        amount_cents=_cents(amount.text.strip()),
        currency=amount.get("Ccy", "EUR"),
        remittance=remittance[:500],
        debtor=(_first_text(entry, "RltdPties", "Dbtr", "Nm") or None),
    )
