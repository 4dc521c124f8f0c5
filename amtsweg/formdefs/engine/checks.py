"""Checking a definition document before it is published.

:func:`check_definition` reports, never raises. It first validates against
``definition.schema.json`` (with integers that must really be ``int``: ``96.0``
is a float and no amount of cents). Only a structurally valid document gets the
semantic checks, because they rely on the structure: unique ids, references in
conditions and rules, option values, code lists, regexes, bounds, prefill and
cycles between conditions. Problems name the offending element by JSON pointer.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, ValidationError, validators

from amtsweg.formdefs.engine.dependencies import find_cycles, visibility_graph
from amtsweg.formdefs.engine.texts import Translatable, translatable

Doc = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Problem(Translatable):
    """What is wrong at ``path`` (a JSON pointer), in English until it is ``localized``."""

    path: str
    text: str
    values: Mapping[str, object] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _FieldInfo:
    pointer: str
    kind: str
    step_index: int
    options: frozenset[str] | None
    has_show_if: bool


_VALUE_KINDS = frozenset(
    {
        "text",
        "textarea",
        "email",
        "phone",
        "iban",
        "number",
        "integer",
        "date",
        "select",
        "radio",
        "yesno",
    }
)
_ORDERED_KINDS = frozenset({"number", "integer", "date"})
_COUNTED_KINDS = frozenset({"group", "checkboxes", "file"})
_KINDS_BY_OPERATOR = {
    **dict.fromkeys(("equals", "not_equals", "in", "not_in"), _VALUE_KINDS),
    **dict.fromkeys(("is_true", "is_false"), frozenset({"yesno", "declaration"})),
    **dict.fromkeys(("gt", "ge", "lt", "le"), _ORDERED_KINDS),
    **dict.fromkeys(("count_gt", "count_ge", "count_lt", "count_le", "count_eq"), _COUNTED_KINDS),
    "contains": frozenset({"checkboxes"}),
    **dict.fromkeys(
        ("answered", "not_answered"), _VALUE_KINDS | _COUNTED_KINDS | {"address", "declaration"}
    ),
}
_BOUND_PAIRS = (
    ("min", "max"),
    ("min_length", "max_length"),
    ("min_items", "max_items"),
    ("min_selected", "max_selected"),
)
_PREFILL_KINDS = {
    "given_name": "text",
    "family_name": "text",
    "birthdate": "date",
    "email": "email",
    "address": "address",
}


def check_definition(doc: object) -> list[Problem]:
    """All problems of a definition document; an empty list means it can be compiled."""
    if not isinstance(doc, Mapping):
        return [Problem("", translatable("a form definition must be a JSON object"))]
    schema_problems = _schema_problems(doc)
    if schema_problems:
        return schema_problems
    fields, problems = _collect_fields(doc)
    for check in (
        _check_codelists,
        _check_field_settings,
        _check_conditions,
        _check_rules,
        _check_fees,
    ):
        problems.extend(check(doc, fields))
    problems.extend(_check_cycles(doc, fields))
    return problems


def _schema_problems(doc: Doc) -> list[Problem]:
    """Schema errors by pointer, without the echo of an error deeper down.

    A property whose own subschema fails yields no annotation, so
    ``unevaluatedProperties`` also reports it as unexpected; that second
    message is noise when the real error is already reported below it.
    """
    errors = sorted(
        _validator().iter_errors(doc), key=lambda error: list(map(str, error.absolute_path))
    )
    pointers = [_pointer(error.absolute_path) for error in errors]
    return [
        _schema_problem(error, pointer)
        for error, pointer in zip(errors, pointers, strict=True)
        if error.validator != "unevaluatedProperties"
        or not any(other.startswith(pointer + "/") for other in pointers)
    ]


_SCHEMA_TEXTS = {
    "required": translatable("the property %(names)s is missing"),
    "dependentRequired": translatable("%(names)s needs the property %(expected)s as well"),
    "additionalProperties": translatable("unexpected property %(names)s"),
    "unevaluatedProperties": translatable("unexpected property %(names)s"),
    "type": translatable("%(value)s is not of type %(expected)s"),
    "const": translatable("%(value)s must be %(expected)s"),
    "enum": translatable("%(value)s is not one of %(expected)s"),
    "minimum": translatable("%(value)s is less than the minimum of %(expected)s"),
    "maximum": translatable("%(value)s is greater than the maximum of %(expected)s"),
    "pattern": translatable("%(value)s does not match the pattern %(expected)s"),
    "minLength": translatable("%(value)s is too short (at least %(expected)s characters)"),
    "maxLength": translatable("%(value)s is too long (at most %(expected)s characters)"),
    "minItems": translatable("too few entries (at least %(expected)s)"),
    "uniqueItems": translatable("the list has an entry more than once"),
    "minProperties": translatable("too few properties (at least %(expected)s)"),
    "oneOf": translatable("must take exactly one of these forms: %(expected)s"),
    "not": translatable("must not be %(expected)s"),
}
_FORBIDDEN_PROPERTY = translatable("the property %(expected)s is not allowed here")
_UNKNOWN_SCHEMA_ERROR = translatable("does not fit the definition schema: %(message)s")
_QUOTED = re.compile(r"'([^']*)'")


def _schema_problem(error: ValidationError, pointer: str) -> Problem:
    """The schema error in words that can be translated.

    jsonschema's own message is English, and for the keywords about properties
    (``required``, ``dependentRequired``, the unexpected ones) it is the only place that
    names them: the names are read from its quotes.
    """
    keyword, schema = str(error.validator), error.validator_value
    text = _SCHEMA_TEXTS.get(keyword)
    if text is None:
        return Problem(pointer, _UNKNOWN_SCHEMA_ERROR, {"message": error.message})
    names = _QUOTED.findall(error.message)
    expected = _shown(schema)
    if keyword == "dependentRequired":  # "'needed' is a dependency of 'given'"
        needed, *names = names
        expected = _shown(needed)
    elif keyword == "oneOf":
        expected = _forms(schema)
    elif keyword == "not" and isinstance(schema, Mapping) and schema.keys() == {"required"}:
        text, expected = _FORBIDDEN_PROPERTY, _shown(schema["required"][0])
    values = {
        "value": _shown(error.instance, limit=80),
        "expected": expected,
        "names": ", ".join(map(_shown, names)),
    }
    return Problem(pointer, text, values)


def _forms(schemas: list[Doc]) -> str:
    """``oneOf`` alternatives that each require properties, as ``all | field + op``."""
    if all(set(schema) == {"required"} for schema in schemas):
        return " | ".join(" + ".join(schema["required"]) for schema in schemas)
    return _shown(schemas)


def _shown(value: object, limit: int = 0) -> str:
    """A value as JSON; with a ``limit``, cut short (an error may be about a whole step)."""
    text = json.dumps(value, ensure_ascii=False)
    return text if not limit or len(text) <= limit else text[: limit - 1] + "…"


def _pointer(parts: Iterator[Any] | Any) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


@cache
def _validator() -> Draft202012Validator:
    schema = json.loads(
        resources.files("amtsweg.formdefs").joinpath("definition.schema.json").read_text("utf-8")
    )
    strict_types = Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool)
    )
    strict = validators.extend(Draft202012Validator, type_checker=strict_types)
    return strict(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _walk_fields(doc: Doc) -> Iterator[tuple[str, str | None, int, Doc]]:
    """(pointer, enclosing group id, step index, field) of every field; a group before its items."""
    for step_index, step in enumerate(doc["steps"]):
        for field_index, field in enumerate(step["fields"]):
            pointer = f"/steps/{step_index}/fields/{field_index}"
            yield pointer, None, step_index, field
            if field["type"] == "group":
                for child_index, child in enumerate(field["fields"]):
                    yield f"{pointer}/fields/{child_index}", field["id"], step_index, child


def _collect_fields(doc: Doc) -> tuple[dict[str, _FieldInfo], list[Problem]]:
    fields: dict[str, _FieldInfo] = {}
    problems = [
        Problem(f"/steps/{index}/id", translatable("duplicate step id %(id)r"), {"id": step["id"]})
        for index, step in enumerate(doc["steps"])
        if any(earlier["id"] == step["id"] for earlier in doc["steps"][:index])
    ]
    codelists = doc.get("codelists", {})
    for pointer, group, step_index, field in _walk_fields(doc):
        ref = field["id"] if group is None else f"{group}.{field['id']}"
        if ref in fields:
            problems.append(
                Problem(f"{pointer}/id", translatable("duplicate field id %(id)r"), {"id": ref})
            )
            continue
        options = field.get("options", codelists.get(field.get("codelist")))
        values = None if options is None else frozenset(option["value"] for option in options)
        fields[ref] = _FieldInfo(pointer, field["type"], step_index, values, "show_if" in field)
    return fields, problems


def _check_codelists(doc: Doc, _fields: Mapping[str, _FieldInfo]) -> Iterator[Problem]:
    codelists = doc.get("codelists", {})
    for name, options in codelists.items():
        yield from _duplicate_options(options, f"/codelists/{name}")
    for pointer, _group, _step, field in _walk_fields(doc):
        if "codelist" in field and field["codelist"] not in codelists:
            yield Problem(
                f"{pointer}/codelist",
                translatable("unknown code list %(name)r"),
                {"name": field["codelist"]},
            )
        yield from _duplicate_options(field.get("options", ()), f"{pointer}/options")


def _duplicate_options(options: list[Doc], pointer: str) -> Iterator[Problem]:
    seen: set[str] = set()
    for index, option in enumerate(options):
        if option["value"] in seen:
            yield Problem(
                f"{pointer}/{index}/value",
                translatable("duplicate option value %(value)r"),
                {"value": option["value"]},
            )
        seen.add(option["value"])


def _check_field_settings(doc: Doc, _fields: Mapping[str, _FieldInfo]) -> Iterator[Problem]:
    for pointer, group, _step, field in _walk_fields(doc):
        if "pattern" in field:
            try:
                re.compile(field["pattern"])
            except re.error as error:
                yield Problem(
                    f"{pointer}/pattern",
                    translatable("the regular expression does not compile: %(error)s"),
                    {"error": str(error)},
                )
        for low, high in _BOUND_PAIRS:
            yield from _check_bounds(field, pointer, low, high)
        for name in ("min", "max") if field["type"] == "date" else ():
            if (
                not field.get(name, "today").startswith("today")
                and _calendar_date(field[name]) is None
            ):
                yield Problem(
                    f"{pointer}/{name}",
                    translatable("%(value)r is not a calendar date"),
                    {"value": field[name]},
                )
        if "prefill" in field:
            if group is not None:
                yield Problem(
                    f"{pointer}/prefill", translatable("fields inside a group cannot be prefilled")
                )
            elif _PREFILL_KINDS[field["prefill"]] != field["type"]:
                yield Problem(
                    f"{pointer}/prefill",
                    translatable("%(source)s cannot prefill a %(type)s field"),
                    {"source": field["prefill"], "type": field["type"]},
                )


def _check_bounds(field: Doc, pointer: str, low: str, high: str) -> Iterator[Problem]:
    bounds = [field.get(low), field.get(high)]
    if field["type"] == "date":
        bounds = [_calendar_date(bound) for bound in bounds]
    if None not in bounds and bounds[0] > bounds[1]:
        yield Problem(
            f"{pointer}/{low}",
            translatable("%(low)s is greater than %(high)s"),
            {"low": low, "high": high},
        )


def _calendar_date(text: str | None) -> date | None:
    """The date an absolute bound names; None for no bound, a relative bound or no calendar date."""
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return None


def _condition_sites(doc: Doc) -> Iterator[tuple[Doc, str, str | None, int | None]]:
    """(condition, pointer, group in scope, step index for step conditions) of every condition."""
    for index, step in enumerate(doc["steps"]):
        if "show_if" in step:
            yield step["show_if"], f"/steps/{index}/show_if", None, index
    for pointer, group, _step, field in _walk_fields(doc):
        for key in ("show_if", "required_if"):
            if key in field:
                yield field[key], f"{pointer}/{key}", group, None
    for index, rule in enumerate(doc.get("rules", ())):
        if "when" in rule:
            yield rule["when"], f"/rules/{index}/when", _group_of(rule["field"]), None
    for index, fee in enumerate(doc.get("fees", ())):
        if "condition" in fee:
            yield fee["condition"], f"/fees/{index}/condition", fee.get("group"), None


def _group_of(ref: str) -> str | None:
    return ref.partition(".")[0] if "." in ref else None


def _leaves(condition: Doc, pointer: str) -> Iterator[tuple[Doc, str]]:
    for key in ("all", "any"):
        for index, part in enumerate(condition.get(key, ())):
            yield from _leaves(part, f"{pointer}/{key}/{index}")
    if "not" in condition:
        yield from _leaves(condition["not"], f"{pointer}/not")
    if "field" in condition:
        yield condition, pointer


def _resolve(
    ref: str, scope: str | None, fields: Mapping[str, _FieldInfo], pointer: str
) -> _FieldInfo | Problem:
    """The field ``ref`` names, or the problem at ``pointer`` if it may not be named there."""
    group = _group_of(ref)
    if group is not None and group != scope:
        return Problem(
            pointer,
            translatable(
                "%(ref)r names a field inside group %(group)r; only that group's fields may use it"
            ),
            {"ref": ref, "group": group},
        )
    return fields.get(ref) or Problem(pointer, translatable("unknown field %(ref)r"), {"ref": ref})


def _check_conditions(doc: Doc, fields: Mapping[str, _FieldInfo]) -> Iterator[Problem]:
    for condition, site, scope, step_index in _condition_sites(doc):
        for leaf, pointer in _leaves(condition, site):
            info = _resolve(leaf["field"], scope, fields, f"{pointer}/field")
            if isinstance(info, Problem):
                yield info
            elif step_index is not None and info.step_index >= step_index:
                yield Problem(
                    f"{pointer}/field",
                    translatable("a step may only depend on fields of earlier steps"),
                )
            else:
                yield from _check_leaf(leaf, pointer, info)


def _check_leaf(leaf: Doc, pointer: str, info: _FieldInfo) -> Iterator[Problem]:
    op = leaf["op"]
    if info.kind not in _KINDS_BY_OPERATOR[op]:
        yield Problem(
            f"{pointer}/op",
            translatable("%(op)r cannot be used on a %(type)s field"),
            {"op": op, "type": info.kind},
        )
        return
    value = leaf.get("value")
    values = value if isinstance(value, list) else [value]
    if info.options is not None and op in {"equals", "not_equals", "in", "not_in", "contains"}:
        for unknown in [item for item in values if item not in info.options]:
            yield _not_an_option(f"{pointer}/value", unknown, leaf["field"])
    elif op in {"gt", "ge", "lt", "le"} and not _comparable(info.kind, value):
        yield Problem(
            f"{pointer}/value",
            translatable("%(value)r cannot be compared with a %(type)s answer"),
            {"value": value, "type": info.kind},
        )


def _not_an_option(pointer: str, value: object, ref: str) -> Problem:
    return Problem(
        pointer, translatable("%(value)r is not an option of %(ref)r"), {"value": value, "ref": ref}
    )


def _comparable(kind: str, value: object) -> bool:
    if kind != "date":
        return isinstance(value, int | float) and not isinstance(value, bool)
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def _check_rules(doc: Doc, fields: Mapping[str, _FieldInfo]) -> Iterator[Problem]:
    rules = doc.get("rules", ())
    for index, rule in enumerate(rules):
        pointer = f"/rules/{index}"
        if any(earlier["id"] == rule["id"] for earlier in rules[:index]):
            yield Problem(
                f"{pointer}/id", translatable("duplicate rule id %(id)r"), {"id": rule["id"]}
            )
        scope = _group_of(rule["field"])
        kinds = set()
        for key in ("field", "other"):
            info = _resolve(rule[key], scope, fields, f"{pointer}/{key}")
            if isinstance(info, Problem):
                yield info
            else:
                kinds.add("number" if info.kind == "integer" else info.kind)
        if len(kinds) > 1:
            yield Problem(
                f"{pointer}/other",
                translatable("cannot compare fields of types %(types)s"),
                {"types": ", ".join(sorted(kinds))},
            )
        elif kinds and not kinds <= {"number", "date", "text", "select", "radio"}:
            yield Problem(
                f"{pointer}/field",
                translatable("%(type)s answers cannot be compared"),
                {"type": kinds.pop()},
            )


def _check_fees(doc: Doc, fields: Mapping[str, _FieldInfo]) -> Iterator[Problem]:
    fees = doc.get("fees", ())
    for index, fee in enumerate(fees):
        pointer = f"/fees/{index}"
        if any(earlier["id"] == fee["id"] for earlier in fees[:index]):
            yield Problem(
                f"{pointer}/id", translatable("duplicate fee rule id %(id)r"), {"id": fee["id"]}
            )
        yield from _check_bounds(fee, pointer, "min", "max")
        if fee["type"] == "per_item" and getattr(fields.get(fee["group"]), "kind", None) != "group":
            yield Problem(
                f"{pointer}/group",
                translatable("%(ref)r is not a repeating group"),
                {"ref": fee["group"]},
            )
        if fee["type"] == "by_option":
            yield from _check_option_amounts(fee, pointer, fields)


def _check_option_amounts(
    fee: Doc, pointer: str, fields: Mapping[str, _FieldInfo]
) -> Iterator[Problem]:
    info = fields.get(fee["field"])
    if info is None or info.kind not in {"select", "radio", "checkboxes"}:
        yield Problem(
            f"{pointer}/field",
            translatable("%(ref)r is not a select, radio or checkboxes field"),
            {"ref": fee["field"]},
        )
        return
    for option in fee["amounts"]:
        if info.options is not None and option not in info.options:
            yield _not_an_option(f"{pointer}/amounts/{option}", option, fee["field"])


def _check_cycles(doc: Doc, fields: Mapping[str, _FieldInfo]) -> Iterator[Problem]:
    for cycle in find_cycles(visibility_graph(doc)):
        order = list(fields)
        first = fields[min(cycle, key=lambda ref: (not fields[ref].has_show_if, order.index(ref)))]
        pointer = f"{first.pointer}/show_if" if first.has_show_if else first.pointer
        yield Problem(
            pointer,
            translatable("the conditions form a cycle: %(cycle)s"),
            {"cycle": " -> ".join((*cycle, cycle[0]))},
        )
