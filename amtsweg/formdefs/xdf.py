"""Import of FIM XDatenfelder 2.0 and 3.0 Stammdatenschemata into draft form definitions.

Pure: the bytes of an ``xdatenfelder.stammdatenschema.0102`` message go in, a definition
document that passes ``check_definition`` and an :class:`ImportReport` come out. Nothing is
saved here; ``amtsweg formdefs import-xdf`` does that through the service.

What the mapping does, and what it cannot do, is written into the report line by line:
Datenfeldgruppen at the top become steps, nested groups are flattened into the step (our
groups do not nest), a group that may occur more than once becomes a repeating group,
rules are kept as text (their scripts cannot run here), and code lists whose values are
not in the file become text fields.

The XML comes from outside. It is parsed with defusedxml and any DTD is refused, so an
import can neither expand entities ("billion laughs") nor fetch external files.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import defusedxml
import defusedxml.ElementTree as SafeET

from amtsweg.formdefs.engine import check_definition

NAMESPACES = {
    "urn:xoev-de:fim:standard:xdatenfelder_2": "2.0",
    "urn:xoev-de:fim:standard:xdatenfelder_3.0.0": "3.0",
}
SCHEMA_MESSAGE = "xdatenfelder.stammdatenschema.0102"
MAX_BYTES = 20_000_000

DEFAULT_TRUST_LEVEL = "basic"
DEFAULT_RETENTION_DAYS = 365
UNTRANSLATED = "[untranslated] "
TEXTAREA_FROM = 200  # a text longer than this gets a textarea
FILE_ACCEPT = ["application/pdf", "image/jpeg", "image/png"]
FILE_MAX_SIZE = 10_000_000
UNBOUNDED_FILES = 10
PLACEHOLDER_DE = "[Platzhalter - vom Verband vor der Veröffentlichung zu ersetzen] "
PLACEHOLDER_EN = "[Placeholder - the association must replace this before publishing] "
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_FIM_ID = re.compile(r"^[A-Za-z0-9._-]{1,40}$")
_OPTION = re.compile(r"[^A-Za-z0-9_-]")
_MEDIA_TYPE = re.compile(r"^[a-z]+/[a-z0-9.+-]+$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_TIME_PATTERN = "([01][0-9]|2[0-3]):[0-5][0-9]"


class XdfImportError(ValueError):
    """The file cannot be imported at all: not XML, unsafe, or not a Stammdatenschema."""


# --- the report -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportLine:
    """One finding, located by the XML element path and the FIM id (with version)."""

    path: str
    element: str
    message: str

    def __str__(self) -> str:
        where = f"{self.element} at {self.path}" if self.element else self.path
        return f"{where}: {self.message}"


@dataclass(slots=True)
class ImportReport:
    imported: list[ReportLine] = field(default_factory=list)
    warnings: list[ReportLine] = field(default_factory=list)
    unsupported: list[ReportLine] = field(default_factory=list)
    rules: list[ReportLine] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report as text, one section per kind of finding."""
        sections = (
            ("Imported", self.imported),
            ("Warnings", self.warnings),
            ("Unsupported (not imported or imported in a simpler form)", self.unsupported),
            ("Rules (kept as text; translate them into conditions by hand)", self.rules),
        )
        out: list[str] = []
        for title, lines in sections:
            out.append(f"{title}: {len(lines)}")
            out.extend(f"  - {line}" for line in lines)
        return out


@dataclass(frozen=True, slots=True)
class ImportResult:
    document: dict[str, Any]
    report: ImportReport


# --- what the XML says ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Occurs:
    """An ``anzahl`` like 1:1, 0:1 or 0:*; ``high`` None is unbounded."""

    low: int
    high: int | None

    @property
    def repeats(self) -> bool:
        return self.high is None or self.high > 1


@dataclass(slots=True)
class Element:
    """What datenfeld and datenfeldgruppe have in common."""

    path: str
    ident: str
    name: str
    label: str
    help: str
    occurs: Occurs


@dataclass(slots=True)
class XdfField(Element):
    feldart: str = ""
    datentyp: str = ""
    limits: dict[str, str] = field(default_factory=dict)
    values: list[tuple[str, str]] = field(default_factory=list)
    codelist: str = ""
    content: str = ""
    media_types: list[str] = field(default_factory=list)
    max_size: str = ""


@dataclass(slots=True)
class XdfGroup(Element):
    children: list[XdfField | XdfGroup] = field(default_factory=list)


@dataclass(slots=True)
class XdfSchema:
    version: str
    fim_id: str
    ident: str
    name: str
    title: str
    description: str
    children: list[XdfField | XdfGroup]


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_xml(data: bytes) -> ET.Element:
    """The root element of ``data``, refusing DTDs, entities and external references."""
    if not data.strip():
        raise XdfImportError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise XdfImportError(f"The file is larger than {MAX_BYTES // 1_000_000} MB.")
    try:
        return SafeET.fromstring(data, forbid_dtd=True)
    except defusedxml.DTDForbidden as error:
        raise XdfImportError(
            "The file declares a DTD (<!DOCTYPE …>). XDatenfelder files have none, and DTDs "
            "are refused because they can expand entities or fetch external files."
        ) from error
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden) as error:
        raise XdfImportError(
            "The file declares entities or external references, which are refused."
        ) from error
    except ET.ParseError as error:
        raise XdfImportError(f"The file is not well-formed XML: {error}.") from error
    except (ValueError, LookupError) as error:
        raise XdfImportError(f"The file cannot be read as XML: {error}.") from error


class _Reader:
    """Reads a Stammdatenschema message of either version into the dataclasses above."""

    def __init__(self, namespace: str, report: ImportReport) -> None:
        self.ns = namespace
        self.report = report

    def find(self, element: ET.Element, name: str) -> ET.Element | None:
        return element.find(f"{{{self.ns}}}{name}")

    def text(self, element: ET.Element, name: str) -> str:
        child = self.find(element, name)
        return _clean(child.text) if child is not None else ""

    def code(self, element: ET.Element, name: str) -> str:
        """A code value: ``<feldart><code>input</code></feldart>`` or plain ``<feldart>input``."""
        child = self.find(element, name)
        if child is None:
            return ""
        code = child.find("code")
        if code is None:
            code = self.find(child, "code")
        return _clean(code.text if code is not None else child.text)

    def ident(self, element: ET.Element) -> tuple[str, str]:
        ident = self.find(element, "identifikation")
        if ident is None:
            return "", ""
        return self.text(ident, "id"), self.text(ident, "version")

    def schema(self, root: ET.Element, version: str) -> XdfSchema:
        element = self.find(root, "stammdatenschema")
        if element is None:
            raise XdfImportError("The message has no <stammdatenschema>.")
        path = f"/{_local(root.tag)}/stammdatenschema"
        fim_id, fim_version = self.ident(element)
        name = self.text(element, "name")
        title = self.text(element, "bezeichnung") or self.text(element, "bezeichnungEingabe")
        self.rules(element, path, _ident_text(fim_id, fim_version))
        return XdfSchema(
            version=version,
            fim_id=fim_id,
            ident=_ident_text(fim_id, fim_version),
            name=name or title or fim_id,
            title=title or name or fim_id,
            description=self.text(element, "beschreibung") or self.text(element, "definition"),
            children=self.children(element, path),
        )

    def rules(self, element: ET.Element, path: str, owner: str) -> None:
        """Report every ``regel`` of ``element``: its free text and its script, never run."""
        for index, rule in enumerate(element.findall(f"{{{self.ns}}}regel"), start=1):
            rule_id = _ident_text(*self.ident(rule))
            text = self.text(rule, "freitextRegel") or self.text(rule, "definition")
            script = self.text(rule, "skript") or self.text(rule, "script")
            message = f"rule of {owner}: {self.text(rule, 'name') or '(no name)'}"
            message += f" — {text}" if text else ""
            message += f" [script: {script}]" if script else ""
            self.report.rules.append(ReportLine(f"{path}/regel[{index}]", rule_id, message))

    def children(self, element: ET.Element, path: str) -> list[XdfField | XdfGroup]:
        out: list[XdfField | XdfGroup] = []
        for index, struktur in enumerate(element.findall(f"{{{self.ns}}}struktur"), start=1):
            spath = f"{path}/struktur[{index}]"
            occurs = self.occurs(struktur, spath)
            contained = self.find(struktur, "enthaelt")
            for child in contained if contained is not None else ():
                out.extend(self.child(child, f"{spath}/enthaelt/{_local(child.tag)}", occurs))
        return out

    def child(self, element: ET.Element, path: str, occurs: Occurs) -> list[XdfField | XdfGroup]:
        kind = _local(element.tag)
        if kind == "datenfeldgruppe":
            return [self.group(element, path, occurs)]
        if kind == "datenfeld":
            return [self.field(element, path, occurs)]
        self.report.unsupported.append(ReportLine(path, "", f"unknown element <{kind}> skipped"))
        return []

    def occurs(self, struktur: ET.Element, path: str) -> Occurs:
        text = self.text(struktur, "anzahl")
        match = re.fullmatch(r"(\d+):(\d+|\*|n)", text)
        if match is None:
            self.report.warnings.append(
                ReportLine(f"{path}/anzahl", "", f"anzahl {text!r} not understood; read as 0:1")
            )
            return Occurs(0, 1)
        high = match.group(2)
        return Occurs(int(match.group(1)), int(high) if high.isdigit() else None)

    def element(self, element: ET.Element, path: str, occurs: Occurs) -> dict[str, Any]:
        fim_id, version = self.ident(element)
        name = self.text(element, "name")
        label = self.text(element, "bezeichnungEingabe") or name or fim_id
        self.rules(element, path, _ident_text(fim_id, version))
        return {
            "path": path,
            "ident": _ident_text(fim_id, version),
            "name": name or label or fim_id,
            "label": label or "(ohne Bezeichnung)",
            "help": self.text(element, "hilfetextEingabe"),
            "occurs": occurs,
        }

    def group(self, element: ET.Element, path: str, occurs: Occurs) -> XdfGroup:
        return XdfGroup(
            **self.element(element, path, occurs), children=self.children(element, path)
        )

    def field(self, element: ET.Element, path: str, occurs: Occurs) -> XdfField:
        common = self.element(element, path, occurs)
        prefill = self.code(element, "vorbefuellung")
        if prefill and prefill != "keine":
            self.report.warnings.append(
                ReportLine(path, common["ident"], f"vorbefuellung {prefill!r} not imported")
            )
        return XdfField(
            **common,
            feldart=self.code(element, "feldart"),
            datentyp=self.code(element, "datentyp"),
            limits=self.limits(element, path, common["ident"]),
            values=self.values(element),
            codelist=self.codelist(element),
            content=self.text(element, "inhalt"),
            media_types=[
                _clean(media.text) for media in element.findall(f"{{{self.ns}}}mediaType")
            ],
            max_size=self.text(element, "maxSize"),
        )

    def limits(self, element: ET.Element, path: str, ident: str) -> dict[str, str]:
        """``praezisierung``: attributes in 3.0, a JSON object as text in 2.0."""
        child = self.find(element, "praezisierung")
        if child is None:
            return {}
        limits = {key: value for key, value in child.attrib.items() if value.strip()}
        text = (child.text or "").strip()
        if text.startswith("{"):
            try:
                parsed = json.loads(text)
            except json.JSONDecodeError:
                parsed = None
            if not isinstance(parsed, dict):
                self.report.warnings.append(
                    ReportLine(f"{path}/praezisierung", ident, f"praezisierung {text!r} ignored")
                )
                return limits
            limits.update({str(k): str(v) for k, v in parsed.items() if str(v).strip()})
        return limits

    def values(self, element: ET.Element) -> list[tuple[str, str]]:
        """Inline ``werte`` of a 3.0 select field as (code, name) pairs."""
        werte = self.find(element, "werte")
        if werte is None:
            return []
        return [
            (self.text(wert, "code"), self.text(wert, "name"))
            for wert in werte.findall(f"{{{self.ns}}}wert")
        ]

    def codelist(self, element: ET.Element) -> str:
        """The referenced code list, by its canonical (version) URI; 2.0 and 3.0 nest it apart."""
        ref = self.find(element, "codelisteReferenz")
        if ref is None:
            return ""
        generic = self.find(ref, "genericodeIdentification")
        holder = generic if generic is not None else ref
        uri = self.text(holder, "canonicalVersionUri")
        if uri:
            return uri
        canonical = self.text(holder, "canonicalIdentification")
        version = self.text(holder, "version")
        return f"{canonical} (version {version})" if canonical and version else canonical


def _ident_text(fim_id: str, version: str) -> str:
    return f"{fim_id} {version}".strip()


def read_schema(data: bytes, report: ImportReport) -> XdfSchema:
    """The Stammdatenschema in ``data``; an :class:`XdfImportError` for anything else."""
    root = parse_xml(data)
    namespace, _, name = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", "")
    version = NAMESPACES.get(namespace)
    if version is None:
        raise XdfImportError(
            f"This is not an XDatenfelder 2.0 or 3.0 file: the root element is "
            f"<{_local(root.tag)}> in namespace {namespace or '(none)'!r}."
        )
    if name != SCHEMA_MESSAGE:
        raise XdfImportError(
            f"Only Stammdatenschema messages ({SCHEMA_MESSAGE}) can be imported; "
            f"this file is a {name} message."
        )
    return _Reader(namespace, report).schema(root, version)


# --- mapping into a definition -------------------------------------------------------


def _ascii(text: str) -> str:
    return text.lower().translate(_UMLAUTS).encode("ascii", "ignore").decode()


def slugify(text: str) -> str:
    """A definition slug from a German name: Anmeldung Hundesteuer → anmeldung-hundesteuer."""
    slug = re.sub(r"[^a-z0-9]+", "-", _ascii(text)).strip("-")
    return slug[:80].rstrip("-")


def _identifier(text: str, limit: int = 40) -> str:
    """A field or step id from a German name, cut at a word boundary within ``limit``."""
    words = re.sub(r"[^a-z0-9]+", " ", _ascii(text)).split()
    ident = ""
    for word in words:
        if ident and len(ident) + 1 + len(word) > limit:
            break
        ident = f"{ident}_{word}" if ident else word[:limit]
    if not ident:
        return "feld"
    return ident if ident[0].isalpha() else f"f_{ident}"


class _Ids:
    """Unique identifiers within one scope (the form's fields, a group's fields, the steps)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, wanted: str) -> str:
        base = wanted[:58].rstrip("_")
        candidate, number = base, 2
        while candidate in self.used:
            candidate, number = f"{base}_{number}", number + 1
        self.used.add(candidate)
        return candidate


class _Mapper:
    """Turns an :class:`XdfSchema` into a definition document, reporting as it goes."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.steps = _Ids()
        self.form_fields = _Ids()
        self.copied_texts = 0

    def text(self, de: str) -> dict[str, str]:
        """A localized text whose English is a copy of the German (counted for the report)."""
        self.copied_texts += 1
        return {"de": de, "en": de}

    def note(self, item: Element, message: str) -> None:
        self.report.warnings.append(ReportLine(item.path, item.ident, message))

    def unsupported(self, item: Element, message: str) -> None:
        self.report.unsupported.append(ReportLine(item.path, item.ident, message))

    def imported(self, item: Element, message: str) -> None:
        self.report.imported.append(ReportLine(item.path, item.ident, message))

    # steps

    def step_list(self, schema: XdfSchema) -> list[dict[str, Any]]:
        """One step per top-level group; runs of top-level fields share a step of their own."""
        steps: list[dict[str, Any]] = []
        loose: list[XdfField] = []
        for child in schema.children:
            if isinstance(child, XdfField):
                loose.append(child)
                continue
            steps.extend(self.loose_step(loose))
            loose = []
            steps.extend(self.group_step(child))
        steps.extend(self.loose_step(loose))
        return steps

    def loose_step(self, items: list[XdfField]) -> list[dict[str, Any]]:
        if not items:
            return []
        fields = self.field_list(items, self.form_fields, "", optional=False, in_item=False)
        return self.finish_step("weitere_angaben", "Weitere Angaben", "", fields, items[0])

    def group_step(self, group: XdfGroup) -> list[dict[str, Any]]:
        if group.occurs.repeats:
            fields = self.repeating(group, self.form_fields, "")
        else:
            optional = group.occurs.low == 0
            if optional:
                self.note(group, "optional group: its required fields are imported as optional")
            fields = self.field_list(
                group.children, self.form_fields, "", optional=optional, in_item=False
            )
        return self.finish_step(_identifier(group.name), group.label, group.help, fields, group)

    def finish_step(
        self, wanted: str, title: str, help_text: str, fields: list[dict[str, Any]], item: Element
    ) -> list[dict[str, Any]]:
        if not fields:
            self.unsupported(item, "step left out: none of its fields could be imported")
            return []
        step: dict[str, Any] = {"id": self.steps.take(wanted), "title": self.text(title)}
        if help_text:
            step["description"] = self.text(help_text)
        step["fields"] = fields
        self.imported(item, f"step {step['id']!r} with {len(fields)} field(s)")
        return [step]

    # fields and groups

    def field_list(
        self,
        items: list[XdfField | XdfGroup],
        ids: _Ids,
        prefix: str,
        *,
        optional: bool,
        in_item: bool,
    ) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for item in items:
            if isinstance(item, XdfField):
                out.extend(self.field(item, ids, prefix, optional=optional))
            elif item.occurs.repeats and not in_item:
                out.extend(self.repeating(item, ids, prefix))
            else:
                out.extend(self.flattened(item, ids, prefix, optional=optional, in_item=in_item))
        return out

    def flattened(
        self, group: XdfGroup, ids: _Ids, prefix: str, *, optional: bool, in_item: bool
    ) -> list[dict[str, Any]]:
        """A nested group's fields in the parent, under a heading, with prefixed ids."""
        if group.occurs.repeats:
            self.unsupported(
                group,
                f"repeating group (anzahl up to {group.occurs.high or '*'}) inside a repeating "
                "group: groups do not nest, so it is flattened and asked once per item",
            )
        optional = optional or group.occurs.low == 0
        inner = f"{prefix}{_identifier(group.label, limit=24)}_"
        fields = self.field_list(group.children, ids, inner, optional=optional, in_item=in_item)
        if not fields:
            return []
        heading = {
            "id": ids.take(f"{inner}titel"),
            "type": "info",
            "text": self.text(f"{group.label}: {group.help}" if group.help else group.label),
        }
        self.imported(group, f"nested group flattened into {len(fields)} field(s)")
        return [heading, *fields]

    def repeating(self, group: XdfGroup, ids: _Ids, prefix: str) -> list[dict[str, Any]]:
        item_fields = self.field_list(group.children, _Ids(), "", optional=False, in_item=True)
        if not item_fields:
            self.unsupported(group, "repeating group left out: none of its fields is importable")
            return []
        result: dict[str, Any] = {
            "id": ids.take(prefix + _identifier(group.name)),
            "type": "group",
            "label": self.text(group.label),
            "item_label": self.text(group.name),
            "min_items": group.occurs.low,
        }
        if group.help:
            result["help"] = self.text(group.help)
        if group.occurs.high is not None:
            result["max_items"] = max(group.occurs.high, group.occurs.low, 1)
        result["fields"] = item_fields
        self.imported(group, f"repeating group {result['id']!r} ({len(item_fields)} field(s))")
        return [result]

    def field(
        self, item: XdfField, ids: _Ids, prefix: str, *, optional: bool
    ) -> list[dict[str, Any]]:
        settings = self.settings(item)
        if settings is None:
            return []
        result: dict[str, Any] = {"id": ids.take(prefix + _identifier(item.name)), **settings}
        if result["type"] != "info":
            result["label"] = self.text(item.label)
            if item.help:
                result["help"] = self.text(item.help)
            if item.occurs.low >= 1 and not optional:
                result["required"] = True
            self.multiplicity(item, result)
        self.imported(item, f"field {result['id']!r} ({result['type']})")
        return [result]

    def multiplicity(self, item: XdfField, result: dict[str, Any]) -> None:
        if not item.occurs.repeats:
            return
        if result["type"] == "file":
            result["max_files"] = item.occurs.high or UNBOUNDED_FILES
            return
        self.unsupported(
            item,
            f"the field may occur up to {item.occurs.high or '*'} times; imported as one field",
        )

    def settings(self, item: XdfField) -> dict[str, Any] | None:
        """The type and type settings of a datenfeld, or None when it is left out."""
        if item.feldart == "input":
            return self.input_settings(item)
        if item.feldart == "select":
            return self.select_settings(item)
        if item.feldart == "label":
            return self.label_settings(item)
        if item.feldart == "locked":
            return self.locked_settings(item)
        if item.feldart == "hidden":
            self.unsupported(item, "hidden field left out (it carries no question for citizens)")
            return None
        self.unsupported(item, f"feldart {item.feldart!r} is not supported; field left out")
        return None

    def input_settings(self, item: XdfField) -> dict[str, Any] | None:
        by_type = {
            "text": self.text_settings,
            "text_latin": self.text_settings,
            "date": self.date_settings,
            "bool": self.yesno_settings,
            "num": self.number_settings,
            "num_int": self.number_settings,
            "num_currency": self.number_settings,
            "file": self.file_settings,
            "time": self.time_settings,
            "datetime": self.time_settings,
        }
        if (settings := by_type.get(item.datentyp)) is None:
            self.unsupported(item, f"datentyp {item.datentyp!r} is not supported; field left out")
            return None
        return settings(item)

    def yesno_settings(self, item: XdfField) -> dict[str, Any]:
        return self.unused_limits(item, item.limits, {"type": "yesno"})

    def unused_limits(
        self, item: XdfField, limits: dict[str, str], settings: dict[str, Any]
    ) -> dict[str, Any]:
        """``settings``, after reporting the praezisierung entries they could not use."""
        for name, value in limits.items():
            self.note(item, f"praezisierung {name}={value!r} has no meaning here; ignored")
        return settings

    def text_settings(self, item: XdfField) -> dict[str, Any]:
        limits = dict(item.limits)
        low = _integer(limits.pop("minLength", None))
        high = _integer(limits.pop("maxLength", None))
        settings: dict[str, Any] = {
            "type": "textarea" if high is not None and high > TEXTAREA_FROM else "text"
        }
        if low is not None and low > 0 and (high is None or low <= high):
            settings["min_length"] = low
        if high is not None and high >= 1:
            settings["max_length"] = high
        if (pattern := limits.pop("pattern", None)) is not None:
            settings.update(self.pattern(item, pattern))
        if item.datentyp == "text_latin":
            self.note(item, "text_latin (DIN 91379 characters) is checked as ordinary text")
        return self.unused_limits(item, limits, settings)

    def pattern(self, item: XdfField, pattern: str) -> dict[str, Any]:
        try:
            re.compile(pattern)
        except re.error as error:
            self.unsupported(
                item, f"pattern {pattern!r} is not a Python regular expression ({error}); dropped"
            )
            return {}
        return {"pattern": pattern}

    def date_settings(self, item: XdfField) -> dict[str, Any]:
        limits = dict(item.limits)
        settings: dict[str, Any] = {"type": "date"}
        for xdf_name, name in (("minValue", "min"), ("maxValue", "max")):
            value = limits.pop(xdf_name, None)
            if value is not None and _ISO_DATE.match(value):
                settings[name] = value
            elif value is not None:
                self.note(item, f"{xdf_name} {value!r} is not an ISO date; ignored")
        if settings.get("min", "") > settings.get("max", "9999"):
            self.note(item, "minValue is after maxValue; both ignored")
            settings = {"type": "date"}
        return self.unused_limits(item, limits, settings)

    def number_settings(self, item: XdfField) -> dict[str, Any]:
        limits = dict(item.limits)
        kind = "integer" if item.datentyp == "num_int" else "number"
        settings: dict[str, Any] = {"type": kind}
        if item.datentyp == "num_currency":
            settings["unit"] = "EUR"
        for xdf_name, name in (("minValue", "min"), ("maxValue", "max")):
            if (value := limits.pop(xdf_name, None)) is None:
                continue
            number = _number(value, integer=kind == "integer")
            if number is None:
                self.note(item, f"{xdf_name} {value!r} is not a {kind}; ignored")
            else:
                settings[name] = number
        if "min" in settings and "max" in settings and settings["min"] > settings["max"]:
            self.note(item, "minValue is greater than maxValue; both ignored")
            del settings["min"], settings["max"]
        return self.unused_limits(item, limits, settings)

    def file_settings(self, item: XdfField) -> dict[str, Any]:
        accept = [media for media in item.media_types if _MEDIA_TYPE.match(media)]
        if not accept:
            accept = FILE_ACCEPT
            self.note(item, f"no media types given; accepting {', '.join(FILE_ACCEPT)}")
        given = f" (maxSize {item.max_size} not imported)" if item.max_size else ""
        self.note(
            item, f"maximum file size set to {FILE_MAX_SIZE // 1_000_000} MB{given}; check it"
        )
        settings = {
            "type": "file",
            "accept": list(dict.fromkeys(accept)),
            "max_size": FILE_MAX_SIZE,
        }
        return self.unused_limits(item, item.limits, settings)

    def time_settings(self, item: XdfField) -> dict[str, Any]:
        if item.datentyp == "time":
            self.unsupported(item, "datentyp time imported as a text field checked for HH:MM")
            return {
                "type": "text",
                "max_length": 5,
                "pattern": _TIME_PATTERN,
                "pattern_message": {
                    "de": "Bitte geben Sie eine Uhrzeit wie 08:30 an.",
                    "en": "Please enter a time like 08:30.",
                },
            }
        self.unsupported(item, "datentyp datetime imported as a plain text field")
        return {"type": "text", "max_length": 40}

    def select_settings(self, item: XdfField) -> dict[str, Any] | None:
        if item.values:
            return {"type": "select", "options": self.options(item)}
        if item.datentyp == "bool":
            return {"type": "yesno"}
        where = f"code list {item.codelist}" if item.codelist else "no values and no code list"
        self.unsupported(
            item,
            f"select with {where}: the values are not in the file, so it is imported as a "
            "text field; add the values as options or a code list",
        )
        return {"type": "text", "max_length": 200}

    def options(self, item: XdfField) -> list[dict[str, Any]]:
        options: list[dict[str, Any]] = []
        seen: set[str] = set()
        for code, name in item.values:
            value = _OPTION.sub("_", code)[:64] or f"wert_{len(options) + 1}"
            if value in seen:
                self.note(item, f"duplicate value {code!r} left out")
                continue
            if value != code:
                self.note(item, f"value {code!r} stored as {value!r}")
            seen.add(value)
            options.append({"value": value, "label": self.text(name or code)})
        return options

    def label_settings(self, item: XdfField) -> dict[str, Any] | None:
        text = item.content or item.help or item.label
        return {"type": "info", "text": self.text(text)}

    def locked_settings(self, item: XdfField) -> dict[str, Any] | None:
        if not item.content:
            self.unsupported(item, "locked field without a value left out")
            return None
        self.unsupported(item, "locked field imported as an information text showing its value")
        return {"type": "info", "text": self.text(f"{item.label}: {item.content}")}


def _integer(text: str | None) -> int | None:
    number = _number(text, integer=True) if text is not None else None
    return int(number) if number is not None else None


def _number(text: str, *, integer: bool) -> int | float | None:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    if integer:
        return int(value) if value == value.to_integral_value() else None
    return int(value) if value == value.to_integral_value() else float(value)


# --- the whole import ----------------------------------------------------------------


def import_xdf(
    data: bytes,
    *,
    slug: str | None = None,
    title_en: str | None = None,
    trust_level: str = DEFAULT_TRUST_LEVEL,
    retention_days: int = DEFAULT_RETENTION_DAYS,
) -> ImportResult:
    """A draft definition and the report for the XDatenfelder message in ``data``."""
    if slug is not None and not _SLUG.match(slug):
        raise XdfImportError(f"{slug!r} is not a valid slug (lowercase letters, digits, dashes).")
    report = ImportReport()
    schema = read_schema(data, report)
    mapper = _Mapper(report)
    steps = mapper.step_list(schema)
    if not steps:
        raise XdfImportError("The Stammdatenschema has no field that can be imported.")
    document = _document(
        schema,
        steps,
        report,
        slug=slug,
        title_en=title_en,
        trust_level=trust_level,
        retention_days=retention_days,
    )
    report.warnings.append(
        ReportLine(
            "",
            schema.ident,
            f"{mapper.copied_texts} English texts are copies of the German ones; "
            "translate them before publishing",
        )
    )
    if problems := check_definition(document):
        details = "; ".join(f"{p.path or '/'}: {p.message}" for p in problems[:5])
        raise XdfImportError(f"The import produced an invalid definition (a bug): {details}")
    return ImportResult(document, report)


def _document(
    schema: XdfSchema,
    steps: list[dict[str, Any]],
    report: ImportReport,
    *,
    slug: str | None,
    title_en: str | None,
    trust_level: str,
    retention_days: int,
) -> dict[str, Any]:
    title = schema.title
    source = f"FIM-Stammdatenschema {schema.ident} (XDatenfelder {schema.version})"
    document: dict[str, Any] = {
        "schema_version": 1,
        "slug": slug or slugify(schema.name) or slugify(schema.fim_id) or "xdf-import",
        "title": {"de": title, "en": title_en or f"{UNTRANSLATED}{title}"},
        "description": {
            "de": schema.description or f"Aus dem {source} importierter Entwurf.",
            "en": f"{UNTRANSLATED}Draft imported from {source}.",
        },
        "trust_level": trust_level,
        "retention_days": retention_days,
        "privacy_notice": {
            "de": f"{PLACEHOLDER_DE}Datenschutzhinweise zu {title}.",
            "en": f"{PLACEHOLDER_EN}Privacy notice for {title}.",
        },
        "declaration": {
            "de": f"{PLACEHOLDER_DE}Ich versichere, dass meine Angaben richtig und "
            "vollständig sind.",
            "en": f"{PLACEHOLDER_EN}I declare that my information is correct and complete.",
        },
        "steps": steps,
    }
    fim_id = f"{schema.ident.replace(' ', '-')}"
    if _FIM_ID.match(fim_id):
        document["fim_id"] = fim_id
    else:
        report.warnings.append(ReportLine("", schema.ident, "no usable FIM id; fim_id left out"))
    report.warnings.append(
        ReportLine(
            "",
            schema.ident,
            f"trust level {trust_level!r}, retention {retention_days} days, privacy notice and "
            "declaration are placeholders for the association to check and edit",
        )
    )
    return document
