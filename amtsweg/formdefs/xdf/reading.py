"""Reading XDatenfelder 2.0 and 3.0 messages into plain dataclasses.

The XML comes from outside. It is parsed with defusedxml and any DTD is refused, so an
import can neither expand entities ("billion laughs") nor fetch external files.

A ``datenfeldgruppe`` without any ``struktur`` is a reference to a group published on its
own (a FIM building block such as "Anschrift Inland"): the reader takes the group of that
id and version from elsewhere in the same file, else from the building blocks stored
earlier (``blocks``), and reports it when neither has it.
"""

from __future__ import annotations

import copy
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import defusedxml
import defusedxml.ElementTree as SafeET

from amtsweg.formdefs.engine import translatable
from amtsweg.formdefs.xdf.report import ImportReport, ReportLine, XdfImportError

NAMESPACES = {
    "urn:xoev-de:fim:standard:xdatenfelder_2": "2.0",
    "urn:xoev-de:fim:standard:xdatenfelder_3.0.0": "3.0",
}
SCHEMA_MESSAGE = "xdatenfelder.stammdatenschema.0102"
GROUP_MESSAGE = "xdatenfelder.datenfeldgruppe.0103"
MAX_BYTES = 20_000_000

BlockLookup = Callable[[str, str], "str | None"]
"""``(fim_id, version)`` → the stored ``<datenfeldgruppe>`` element as XML text, or None.

An empty version asks for the newest stored version of that id.
"""


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
        raise XdfImportError(translatable("The file is empty."))
    if len(data) > MAX_BYTES:
        raise XdfImportError(
            translatable("The file is larger than %(megabytes)d MB."),
            megabytes=MAX_BYTES // 1_000_000,
        )
    try:
        return SafeET.fromstring(data, forbid_dtd=True)
    except defusedxml.DTDForbidden as error:
        raise XdfImportError(
            translatable(
                "The file declares a DTD (<!DOCTYPE …>). XDatenfelder files have none, and "
                "DTDs are refused because they can expand entities or fetch external files."
            )
        ) from error
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden) as error:
        raise XdfImportError(
            translatable("The file declares entities or external references, which are refused.")
        ) from error
    except ET.ParseError as error:
        raise XdfImportError(
            translatable("The file is not well-formed XML: %(error)s."), error=error
        ) from error
    except (ValueError, LookupError) as error:
        raise XdfImportError(
            translatable("The file cannot be read as XML: %(error)s."), error=error
        ) from error


# A rule's line, by whether it has a free text and a script.
_RULE_WORDINGS = {
    (False, False): translatable("rule of %(owner)s: %(name)s"),
    (True, False): translatable("rule of %(owner)s: %(name)s — %(text)s"),
    (False, True): translatable("rule of %(owner)s: %(name)s [script: %(script)s]"),
    (True, True): translatable("rule of %(owner)s: %(name)s — %(text)s [script: %(script)s]"),
}


class _Reader:
    """Reads a message of either version into the dataclasses above."""

    def __init__(
        self, namespace: str, report: ImportReport, root: ET.Element, blocks: BlockLookup | None
    ) -> None:
        self.ns = namespace
        self.report = report
        self.blocks = blocks
        self.contained = [
            group
            for group in root.iter(f"{{{namespace}}}datenfeldgruppe")
            if self.find(group, "struktur") is not None
        ]
        self.resolving: set[str] = set()

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
            raise XdfImportError(translatable("The message has no <stammdatenschema>."))
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
            values = {
                "owner": owner,
                "name": self.text(rule, "name") or rule_id,
                "text": text,
                "script": script,
            }
            wording = _RULE_WORDINGS[bool(text), bool(script)]
            self.report.rules.append(ReportLine(f"{path}/regel[{index}]", rule_id, wording, values))

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
            return self.group(element, path, occurs)
        if kind == "datenfeld":
            return [self.field(element, path, occurs)]
        self.report.unsupported.append(
            ReportLine(path, "", translatable("unknown element <%(kind)s> skipped"), {"kind": kind})
        )
        return []

    def occurs(self, struktur: ET.Element, path: str) -> Occurs:
        text = self.text(struktur, "anzahl")
        match = re.fullmatch(r"(\d+):(\d+|\*|n)", text)
        if match is None:
            self.report.warnings.append(
                ReportLine(
                    f"{path}/anzahl",
                    "",
                    translatable("anzahl %(text)r not understood; read as 0:1"),
                    {"text": text},
                )
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

    def group(self, element: ET.Element, path: str, occurs: Occurs) -> list[XdfGroup]:
        if self.find(element, "struktur") is None:
            return self.referenced_group(element, path, occurs)
        return [self.contained_group(element, path, occurs)]

    def contained_group(self, element: ET.Element, path: str, occurs: Occurs) -> XdfGroup:
        return XdfGroup(
            **self.element(element, path, occurs), children=self.children(element, path)
        )

    def referenced_group(self, element: ET.Element, path: str, occurs: Occurs) -> list[XdfGroup]:
        """The group a bare reference names, from this file or the stored building blocks."""
        fim_id, version = self.ident(element)
        ident = _ident_text(fim_id, version)
        if ident in self.resolving:
            message = translatable("Datenfeldgruppe contains itself; left out")
            self.report.unsupported.append(ReportLine(path, ident, message))
            return []
        found = self.in_file(fim_id, version) or self.stored(fim_id, version)
        if found is None:
            self.report.unsupported.append(
                ReportLine(
                    path,
                    ident or "(no id)",
                    translatable(
                        "Datenfeldgruppe is neither contained in this file nor a stored "
                        "building block; left out. Import its Datenfeldgruppe message first, "
                        "then this file again"
                    ),
                )
            )
            return []
        reader, group, origin = found
        self.report.imported.append(ReportLine(path, ident, origin))
        self.resolving.add(ident)
        try:
            return [reader.contained_group(group, path, occurs)]
        finally:
            self.resolving.discard(ident)

    def in_file(self, fim_id: str, version: str) -> tuple[_Reader, ET.Element, str] | None:
        for group in self.contained:
            found_id, found_version = self.ident(group)
            if fim_id and found_id == fim_id and version in ("", found_version):
                return (
                    self,
                    group,
                    translatable("Datenfeldgruppe taken from elsewhere in this file"),
                )
        return None

    def stored(self, fim_id: str, version: str) -> tuple[_Reader, ET.Element, str] | None:
        source = self.blocks(fim_id, version) if self.blocks and fim_id else None
        if source is None:
            return None
        group = parse_xml(source.encode())
        reader = copy.copy(self)  # shares the report and what is being resolved
        reader.ns = _namespace(group)[0]  # the block may be of the other version
        return reader, group, translatable("Datenfeldgruppe taken from the stored building block")

    def field(self, element: ET.Element, path: str, occurs: Occurs) -> XdfField:
        common = self.element(element, path, occurs)
        prefill = self.code(element, "vorbefuellung")
        if prefill and prefill != "keine":
            self.report.warnings.append(
                ReportLine(
                    path,
                    common["ident"],
                    translatable("vorbefuellung %(prefill)r not imported"),
                    {"prefill": prefill},
                )
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
                    ReportLine(
                        f"{path}/praezisierung",
                        ident,
                        translatable("praezisierung %(text)r ignored"),
                        {"text": text},
                    )
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


def _namespace(element: ET.Element) -> tuple[str, str]:
    """The namespace and local name of ``element``'s tag."""
    if not element.tag.startswith("{"):
        return "", element.tag
    namespace, _, name = element.tag[1:].partition("}")
    return namespace, name


@dataclass(frozen=True, slots=True)
class XdfBlock:
    """A Datenfeldgruppe published on its own, and its XML to store for later references."""

    version: str
    fim_id: str
    fim_version: str
    group: XdfGroup
    source: str


def read_message(
    data: bytes, report: ImportReport, blocks: BlockLookup | None = None
) -> XdfSchema | XdfBlock:
    """The Stammdatenschema or Datenfeldgruppe in ``data``; an :class:`XdfImportError` else."""
    root = parse_xml(data)
    namespace, name = _namespace(root)
    version = NAMESPACES.get(namespace)
    if version is None:
        raise XdfImportError(
            translatable(
                "This is not an XDatenfelder 2.0 or 3.0 file: the root element is <%(name)s> "
                "in namespace %(namespace)r."
            ),
            name=name,
            namespace=namespace,
        )
    reader = _Reader(namespace, report, root, blocks)
    if name == SCHEMA_MESSAGE:
        return reader.schema(root, version)
    if name == GROUP_MESSAGE:
        return _block(reader, root, version)
    raise XdfImportError(
        translatable(
            "Only Stammdatenschema (%(schema)s) and Datenfeldgruppe (%(group)s) messages can "
            "be imported; this file is a %(name)s message."
        ),
        schema=SCHEMA_MESSAGE,
        group=GROUP_MESSAGE,
        name=name,
    )


def _block(reader: _Reader, root: ET.Element, version: str) -> XdfBlock:
    element = reader.find(root, "datenfeldgruppe")
    if element is None or reader.find(element, "struktur") is None:
        raise XdfImportError(
            translatable("The message has no <datenfeldgruppe> with a <struktur>.")
        )
    fim_id, fim_version = reader.ident(element)
    if not (fim_id and fim_version):
        raise XdfImportError(
            translatable("The Datenfeldgruppe has no <identifikation> with id and version.")
        )
    reader.resolving.add(_ident_text(fim_id, fim_version))
    group = reader.contained_group(element, f"/{GROUP_MESSAGE}/datenfeldgruppe", Occurs(1, 1))
    source = ET.tostring(element, encoding="unicode")
    return XdfBlock(version, fim_id, fim_version, group, source)
