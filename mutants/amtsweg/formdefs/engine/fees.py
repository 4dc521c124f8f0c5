"""Fee rules and the fee breakdown, always in integer euro cents.

The amount a citizen pays is computed here from the cleaned answers of the
pinned definition version and the tenant's overrides, never taken from the
browser. Overrides replace the unit amount of rules marked ``overridable`` and
must lie within the rule's ``min``/``max``; an invalid override is an error,
not something to clamp silently, because it is a tenant admin's mistake.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from amtsweg.formdefs.engine.conditions import Answers, Condition, parse_condition
from amtsweg.formdefs.engine.messages import Cents, LocalizedText, render

if TYPE_CHECKING:
    from amtsweg.formdefs.engine.model import FormDefinition


class _Option(Protocol):
    value: str
    label: LocalizedText


class _ChoiceField(Protocol):
    options: tuple[_Option, ...]


@dataclass(frozen=True, slots=True)
class OptionAmount:
    value: str
    label: LocalizedText
    amount: int


@dataclass(frozen=True, slots=True)
class FeeRule:
    id: str
    kind: str
    label: LocalizedText
    condition: Condition | None = None
    amount: int = 0
    group: str | None = None
    from_item: int = 1
    to_item: int | None = None
    field: str | None = None
    option_amounts: tuple[OptionAmount, ...] = ()
    overridable: bool = False
    override_min: int | None = None
    override_max: int | None = None


@dataclass(frozen=True, slots=True)
class FeeLine:
    rule_id: str
    label: LocalizedText
    quantity: int
    unit_amount: int
    amount: int
    option: str | None = None


@dataclass(frozen=True, slots=True)
class FeeBreakdown:
    lines: tuple[FeeLine, ...]
    total: int
    currency: str = "EUR"


@dataclass(frozen=True, slots=True)
class OverrideProblem:
    rule_id: str
    code: str
    params: Mapping[str, object]

    def message(self, locale: str = "de") -> str:
        return render(self.code, locale, {"rule": self.rule_id, **self.params})


class FeeOverrideError(ValueError):
    """Tenant overrides that do not fit the definition; ``problems`` lists each one."""

    def __init__(self, problems: Sequence[OverrideProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(problem.message("en") for problem in problems))


def parse_fee_rule(doc: Mapping[str, Any], fields: Mapping[str, _ChoiceField]) -> FeeRule:
    condition = doc.get("condition")
    option_amounts = ()
    if doc["type"] == "by_option":
        labels = {option.value: option.label for option in fields[doc["field"]].options}
        option_amounts = tuple(
            OptionAmount(value, labels[value], cents) for value, cents in doc["amounts"].items()
        )
    return FeeRule(
        id=doc["id"],
        kind=doc["type"],
        label=LocalizedText(**doc["label"]),
        condition=None if condition is None else parse_condition(condition),
        amount=doc.get("amount", 0),
        group=doc.get("group"),
        from_item=doc.get("from_item", 1),
        to_item=doc.get("to_item"),
        field=doc.get("field"),
        option_amounts=option_amounts,
        overridable=doc.get("overridable", False),
        override_min=doc.get("min"),
        override_max=doc.get("max"),
    )


def check_fee_overrides(
    definition: FormDefinition, overrides: Mapping[str, object]
) -> list[OverrideProblem]:
    """What is wrong with a tenant's overrides ``{rule_id: cents}``; empty if they can be saved."""
    rules = {rule.id: rule for rule in definition.fees}
    return [
        problem
        for rule_id, cents in overrides.items()
        for problem in _override_problems(rules.get(rule_id), rule_id, cents)
    ]


def _override_problems(
    rule: FeeRule | None, rule_id: str, cents: object
) -> Iterator[OverrideProblem]:
    if rule is None:
        yield OverrideProblem(rule_id, "override_unknown_rule", {})
    elif not rule.overridable:
        yield OverrideProblem(rule_id, "override_not_allowed", {})
    elif not isinstance(cents, int) or isinstance(cents, bool):
        yield OverrideProblem(rule_id, "override_not_cents", {})
    elif cents < (rule.override_min or 0):
        yield OverrideProblem(rule_id, "override_too_small", {"min": Cents(rule.override_min or 0)})
    elif rule.override_max is not None and cents > rule.override_max:
        yield OverrideProblem(rule_id, "override_too_large", {"max": Cents(rule.override_max)})


def compute_fee(
    definition: FormDefinition, answers: Answers, overrides: Mapping[str, object] | None = None
) -> FeeBreakdown:
    """The fee for *cleaned* answers (``Evaluation.cleaned``), with the tenant's overrides applied.

    Raises :class:`FeeOverrideError` if any override is invalid.
    """
    overrides = overrides or {}
    problems = check_fee_overrides(definition, overrides)
    if problems:
        raise FeeOverrideError(problems)
    lines = tuple(
        line
        for rule in definition.fees
        for line in _lines(rule, answers, overrides.get(rule.id, rule.amount))
    )
    return FeeBreakdown(lines, sum(line.amount for line in lines))


def _lines(rule: FeeRule, answers: Answers, unit_amount: Any) -> Iterator[FeeLine]:
    if rule.kind == "per_item":
        yield from _per_item_lines(rule, answers, unit_amount)
    elif rule.condition is not None and not rule.condition.holds(answers):
        return
    elif rule.kind == "fixed":
        yield FeeLine(rule.id, rule.label, 1, unit_amount, unit_amount)
    else:
        yield from _option_lines(rule, answers)


def _per_item_lines(rule: FeeRule, answers: Answers, unit_amount: int) -> Iterator[FeeLine]:
    items = answers.get(rule.group or "") or ()
    matching = [
        item for item in items if rule.condition is None or rule.condition.holds(answers, item)
    ]
    quantity = len(matching[rule.from_item - 1 : rule.to_item])
    if quantity:
        yield FeeLine(rule.id, rule.label, quantity, unit_amount, quantity * unit_amount)


def _option_lines(rule: FeeRule, answers: Answers) -> Iterator[FeeLine]:
    chosen = answers.get(rule.field or "")
    chosen_values = set(chosen) if isinstance(chosen, list) else {chosen}
    for option in rule.option_amounts:
        if option.value in chosen_values:
            label = LocalizedText(
                f"{rule.label.de}: {option.label.de}", f"{rule.label.en}: {option.label.en}"
            )
            yield FeeLine(rule.id, label, 1, option.amount, option.amount, option.value)
