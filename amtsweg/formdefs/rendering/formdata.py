"""Posted form data ⇄ the engine's answers, for the fields of one step.

The browser posts flat names; the engine wants nested answers. Names join the
parts of an answer's path with ``-``, which no field id may contain, so they can
never collide: ``vorname``, ``anschrift-zip``, ``hunde-1-rasse``; a repeating
group also posts how many items it shows as ``hunde-items``. Errors name paths
(``hunde[1].rasse``), and :func:`path_to_name` turns one into the name and id of
the input it belongs to.

Both directions are pure and keep answers raw: what was posted is what the
engine cleans and what the page shows again, so a typo survives the round trip.
Only control and format characters are dropped on the way in
(:func:`~amtsweg.formdefs.engine.plain_text`): a direction override would
mislead whoever reads the answer. A NUL is kept for the engine to refuse.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from werkzeug.datastructures import MultiDict

from amtsweg.formdefs.engine import Field, Step, plain_text

ADDRESS_PARTS = ("street", "house_number", "zip", "city", "country")
ITEMS_SUFFIX = "items"
MAX_ITEMS = 100
"""Items read from a post of a group without ``max_items``; a bound on forged counts."""
YES, NO = "yes", "no"

_ITEM_INDEX = re.compile(r"\[(\d+)\]")
_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def join(*parts: str | int) -> str:
    """The name of a nested input: ``join("hunde", 1, "rasse") == "hunde-1-rasse"``."""
    return "-".join(str(part) for part in parts)


def path_to_name(path: str) -> str:
    """The input name for an engine path: ``hunde[1].rasse`` → ``hunde-1-rasse``."""
    return _ITEM_INDEX.sub(r"-\1", path).replace(".", "-")


def answers_from_formdata(
    step: Step, formdata: MultiDict[str, Any], previous: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """``previous`` answers with every answer of ``step`` replaced by what ``formdata`` holds.

    Files are not posted as form data (the upload service records them), so file
    answers are kept from ``previous``, inside group items by item position.
    """
    answers = dict(previous or {})
    for field in step.fields:
        if field.has_value:
            answers[field.id] = _read(field, formdata, field.id, answers.get(field.id))
    return answers


def formdata_from_answers(step: Step, answers: Mapping[str, Any]) -> MultiDict[str, str]:
    """The form data a browser would post to show ``answers`` to the fields of ``step``."""
    return MultiDict(
        [
            pair
            for field in step.fields
            if field.has_value
            for pair in _write(field, field.id, answers.get(field.id))
        ]
    )


def item_count(group: Field, posted: str | None) -> int:
    """The number of items a post of ``group`` says it shows, bounded by ``max_items``."""
    try:
        count = int(posted or 0)
    except ValueError:
        return 0
    return max(0, min(count, group.max_items or MAX_ITEMS))


def _read(field: Field, formdata: MultiDict[str, Any], name: str, previous: Any) -> Any:
    if field.kind == "group":
        return _read_group(field, formdata, name, previous)
    if field.kind == "address":
        parts = {part: _text(formdata, join(name, part)) for part in ADDRESS_PARTS}
        return {part: value for part, value in parts.items() if value is not None}
    if field.kind == "checkboxes":
        return [plain_text(str(value)) for value in formdata.getlist(name)]
    if field.kind == "file":
        return previous
    return _text(formdata, name)


def _text(formdata: MultiDict[str, Any], name: str) -> str | None:
    value = formdata.get(name)
    return None if value is None else plain_text(str(value))


def _read_group(
    group: Field, formdata: MultiDict[str, Any], name: str, previous: Any
) -> list[dict[str, Any]]:
    old = previous if isinstance(previous, list) else []
    items = []
    for index in range(item_count(group, formdata.get(join(name, ITEMS_SUFFIX)))):
        old_item = old[index] if index < len(old) and isinstance(old[index], Mapping) else {}
        items.append(
            {
                child.id: _read(
                    child, formdata, join(name, index, child.id), old_item.get(child.id)
                )
                for child in group.fields
                if child.has_value
            }
        )
    return items


def _write(field: Field, name: str, value: Any) -> Iterator[tuple[str, str]]:
    if field.kind == "group":
        yield from _write_group(field, name, value)
    elif value is None or field.kind == "file":
        return
    elif field.kind == "address":
        parts = value if isinstance(value, Mapping) else {}
        for part in ADDRESS_PARTS:
            if parts.get(part) is not None:
                yield join(name, part), str(parts[part])
    elif field.kind == "checkboxes" and isinstance(value, list | tuple):
        for choice in value:
            yield name, str(choice)
    elif isinstance(value, bool):
        if value or field.kind == "yesno":
            yield name, YES if value else NO
    elif field.kind == "date":
        yield name, _iso_date(str(value))
    else:
        yield name, str(value)


def _write_group(group: Field, name: str, value: Any) -> Iterator[tuple[str, str]]:
    items = [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []
    yield join(name, ITEMS_SUFFIX), str(len(items))
    for index, item in enumerate(items):
        for child in group.fields:
            if child.has_value:
                yield from _write(child, join(name, index, child.id), item.get(child.id))


def _iso_date(text: str) -> str:
    """A typed ``31.12.2024`` as ``2024-12-31``: a native date input shows only ISO dates."""
    german = _GERMAN_DATE.fullmatch(text.strip())
    if german is None:
        return text
    day, month, year = map(int, german.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return text
