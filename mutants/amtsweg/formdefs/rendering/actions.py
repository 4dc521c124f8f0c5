"""What the citizen asked for by pressing one of a step's submit buttons.

Every button of a step form is a plain submit button named ``_action`` (no
field id starts with ``_``), so the page works without JavaScript and the
server decides: ``continue`` (validate and move on), ``refresh`` (show the
fields that the answers now call for), ``add:<group>`` and
``remove:<group>:<index>`` (change the items of a repeating group). Only
``continue`` should show errors; the others re-display the step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from amtsweg.formdefs.engine import Field, Step

ACTION = "_action"

ActionKind = Literal["continue", "refresh", "add", "remove"]


@dataclass(frozen=True, slots=True)
class StepAction:
    kind: ActionKind
    group: str | None = None
    index: int | None = None

    @property
    def value(self) -> str:
        """The button value that posts this action."""
        parts = [self.kind, self.group, None if self.index is None else str(self.index)]
        return ":".join(part for part in parts if part is not None)

    @property
    def shows_errors(self) -> bool:
        return self.kind == "continue"


CONTINUE = StepAction("continue")
REFRESH = StepAction("refresh")


def read_action(step: Step, formdata: Mapping[str, Any]) -> StepAction:
    """The action of the pressed button; ``continue`` for anything else (Enter, a forged value)."""
    kind, _, rest = str(formdata.get(ACTION) or "").partition(":")
    group_id, _, index = rest.partition(":")
    if kind == "refresh" and not rest:
        return REFRESH
    group = _group(step, group_id)
    if group is None:
        return CONTINUE
    if kind == "add" and not index:
        return StepAction("add", group.id)
    if kind == "remove" and index.isdigit():
        return StepAction("remove", group.id, int(index))
    return CONTINUE


def apply_action(step: Step, answers: Mapping[str, Any], action: StepAction) -> dict[str, Any]:
    """``answers`` with an item added to or removed from a group, within its item limits."""
    result = dict(answers)
    group = _group(step, action.group or "")
    if group is None:
        return result
    current = result.get(group.id)
    items = list(current) if isinstance(current, list) else []
    if action.kind == "add" and (group.max_items is None or len(items) < group.max_items):
        items.append({})
    elif action.kind == "remove" and action.index is not None and action.index < len(items):
        del items[action.index]
    result[group.id] = items
    return result


def _group(step: Step, group_id: str) -> Field | None:
    return next(
        (field for field in step.fields if field.id == group_id and field.kind == "group"), None
    )
