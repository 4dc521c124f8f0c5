"""How a form's fee is summarised before anyone has answered a question."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from amtsweg.formdefs.engine import FormDefinition


class FeeKind(enum.StrEnum):
    FREE = "free"
    FIXED = "fixed"
    FROM = "from"  # depends on the answers; at least the amount
    BY_NOTICE = "by_notice"  # assessed later by notice, not paid online


@dataclass(frozen=True, slots=True)
class FeeSummary:
    kind: FeeKind
    amount: int  # cents


def summarise_fee(definition: FormDefinition, overrides: dict[str, int]) -> FeeSummary:
    """The fee as a citizen sees it in the list of forms: free, fixed, or "from"."""
    if definition.fee_collection == "by_notice":
        return FeeSummary(FeeKind.BY_NOTICE, 0)
    if not definition.fees:
        return FeeSummary(FeeKind.FREE, 0)
    fixed = [rule for rule in definition.fees if rule.kind == "fixed" and rule.condition is None]
    base = sum(overrides.get(rule.id, rule.amount) for rule in fixed)
    if len(fixed) == len(definition.fees):
        return FeeSummary(FeeKind.FIXED, base)
    return FeeSummary(FeeKind.FROM, base)
