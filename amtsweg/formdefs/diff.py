"""What changes between two versions of a definition, for people who publish them.

Steps, fields (with their rules: ``show_if``, required, limits), fees and the
other top-level settings are compared by id; a change names where it is, what
it was and what it becomes. Values are shown as compact JSON: the readers are
the association's form editors, who know the definition format.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

RULE_KEYS = frozenset({"show_if", "required", "min", "max", "min_length", "max_length", "pattern"})


@dataclass(frozen=True, slots=True)
class Change:
    """``kind`` is ``added``, ``removed`` or ``changed``; ``area`` is ``step``,
    ``field``, ``rule``, ``fee`` or ``setting``; ``where`` names it."""

    kind: str
    area: str
    where: str
    before: str = ""
    after: str = ""


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value is not None else ""


def _by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in items if "id" in item}


def _compare(area: str, where: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes = []
    for key in sorted(set(old) | set(new)):
        if key in {"id", "fields"} or old.get(key) == new.get(key):
            continue
        kind = "rule" if area == "field" and key in RULE_KEYS else area
        changes.append(
            Change(
                "changed",
                kind,
                f"{where} · {key}" if where else key,
                _shown(old.get(key)),
                _shown(new.get(key)),
            )
        )
    return changes


def _compare_lists(
    area: str, prefix: str, old: list[dict[str, Any]], new: list[dict[str, Any]]
) -> list[Change]:
    before, after = _by_id(old), _by_id(new)
    changes = []
    for item_id in [*before, *(i for i in after if i not in before)]:
        where = f"{prefix}{item_id}"
        if item_id not in after:
            changes.append(Change("removed", area, where, _shown(before[item_id])))
        elif item_id not in before:
            changes.append(Change("added", area, where, after=_shown(after[item_id])))
        else:
            changes += _compare(area, where, before[item_id], after[item_id])
            if area == "step":
                changes += _compare_lists(
                    "field",
                    f"{where} / ",
                    before[item_id].get("fields", []),
                    after[item_id].get("fields", []),
                )
    return changes


def diff_documents(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every difference from ``old`` to ``new``: settings, steps with fields, fees."""
    settings = {key: value for key, value in old.items() if key not in {"steps", "fees"}}
    settings_new = {key: value for key, value in new.items() if key not in {"steps", "fees"}}
    return [
        *_compare("setting", "", settings, settings_new),
        *_compare_lists("step", "", old.get("steps", []), new.get("steps", [])),
        *_compare_lists("fee", "", old.get("fees", []), new.get("fees", [])),
    ]
