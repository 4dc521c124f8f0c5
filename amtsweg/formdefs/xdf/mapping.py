"""Mapping what was read into our definition document (a schema) or group field (a block).

Datenfeldgruppen at the top of a schema become steps, nested groups are flattened into
the step (our groups do not nest), a group that may occur more than once becomes a
repeating group, rules are kept as text (their scripts cannot run here). A building
block becomes the group field a definition can take over as it is. Nothing is saved
here; ``amtsweg formdefs import-xdf`` does that through the service.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from amtsweg.formdefs.engine import check_definition, translatable
from amtsweg.formdefs.xdf.fields import FieldMapper
from amtsweg.formdefs.xdf.reading import (
    Element,
    XdfBlock,
    XdfField,
    XdfGroup,
    XdfSchema,
)
from amtsweg.formdefs.xdf.report import ImportReport, ReportLine, XdfImportError

DEFAULT_TRUST_LEVEL = "basic"
DEFAULT_RETENTION_DAYS = 365
UNTRANSLATED = "[untranslated] "
UNBOUNDED_FILES = 10
PLACEHOLDER_DE = "[Platzhalter - vom Verband vor der Veröffentlichung zu ersetzen] "
PLACEHOLDER_EN = "[Placeholder - the association must replace this before publishing] "
_FIM_ID = re.compile(r"^[A-Za-z0-9._-]{1,40}$")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


@dataclass(frozen=True, slots=True)
class ImportResult:
    """A Stammdatenschema as a draft definition document."""

    document: dict[str, Any]
    report: ImportReport


@dataclass(frozen=True, slots=True)
class BlockImport:
    """A Datenfeldgruppe as a building block: our group field, and its XML for references."""

    fim_id: str
    fim_version: str
    xdf_version: str
    name: str
    group: dict[str, Any]
    source: str
    report: ImportReport


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


class _Mapper(FieldMapper):
    """Turns an :class:`XdfSchema` or :class:`XdfGroup` into our structure, reporting."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(report)
        self.steps = _Ids()
        self.form_fields = _Ids()

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
                self.note(
                    group,
                    translatable("optional group: its required fields are imported as optional"),
                )
            fields = self.field_list(
                group.children, self.form_fields, "", optional=optional, in_item=False
            )
        return self.finish_step(_identifier(group.name), group.label, group.help, fields, group)

    def finish_step(
        self, wanted: str, title: str, help_text: str, fields: list[dict[str, Any]], item: Element
    ) -> list[dict[str, Any]]:
        if not fields:
            self.unsupported(
                item, translatable("step left out: none of its fields could be imported")
            )
            return []
        step: dict[str, Any] = {"id": self.steps.take(wanted), "title": self.text(title)}
        if help_text:
            step["description"] = self.text(help_text)
        step["fields"] = fields
        self.imported(
            item,
            translatable("step %(step)r with %(count)d field(s)"),
            step=step["id"],
            count=len(fields),
        )
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
                translatable(
                    "repeating group (anzahl up to %(high)s) inside a repeating group: groups "
                    "do not nest, so it is flattened and asked once per item"
                ),
                high=group.occurs.high or "*",
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
        self.imported(
            group,
            translatable("nested group flattened into %(count)d field(s)"),
            count=len(fields),
        )
        return [heading, *fields]

    def repeating(self, group: XdfGroup, ids: _Ids, prefix: str) -> list[dict[str, Any]]:
        item_fields = self.field_list(group.children, _Ids(), "", optional=False, in_item=True)
        if not item_fields:
            self.unsupported(
                group, translatable("repeating group left out: none of its fields is importable")
            )
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
        wording = (
            translatable("repeating group %(id)r (%(count)d field(s))")
            if group.occurs.repeats
            else translatable("group %(id)r (%(count)d field(s))")
        )
        self.imported(group, wording, id=result["id"], count=len(item_fields))
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
        self.imported(
            item,
            translatable("field %(id)r (%(type)s)"),
            id=result["id"],
            type=result["type"],
        )
        return [result]

    def multiplicity(self, item: XdfField, result: dict[str, Any]) -> None:
        if not item.occurs.repeats:
            return
        if result["type"] == "file":
            result["max_files"] = item.occurs.high or UNBOUNDED_FILES
            return
        self.unsupported(
            item,
            translatable("the field may occur up to %(high)s times; imported as one field"),
            high=item.occurs.high or "*",
        )


# --- the whole import ----------------------------------------------------------------


def map_schema(
    schema: XdfSchema,
    report: ImportReport,
    *,
    slug: str | None = None,
    title_en: str | None = None,
    trust_level: str = DEFAULT_TRUST_LEVEL,
    retention_days: int = DEFAULT_RETENTION_DAYS,
) -> ImportResult:
    """A draft definition for ``schema``, checked as the service would check it."""
    mapper = _Mapper(report)
    steps = mapper.step_list(schema)
    if not steps:
        raise XdfImportError(
            translatable("The Stammdatenschema has no field that can be imported.")
        )
    document = _document(
        schema,
        steps,
        report,
        slug=slug,
        title_en=title_en,
        trust_level=trust_level,
        retention_days=retention_days,
    )
    _report_copied_texts(mapper, schema.ident)
    if problems := check_definition(document):
        details = "; ".join(f"{p.path or '/'}: {p.message}" for p in problems[:5])
        raise XdfImportError(
            translatable("The import produced an invalid definition (a bug): %(details)s"),
            details=details,
        )
    return ImportResult(document, report)


def map_block(block: XdfBlock, report: ImportReport) -> BlockImport:
    """The group field for a building block: one item, its fields as in a repeating group."""
    mapper = _Mapper(report)
    fields = mapper.repeating(block.group, _Ids(), "")
    if not fields:
        raise XdfImportError(translatable("The Datenfeldgruppe has no field that can be imported."))
    _report_copied_texts(mapper, block.group.ident)
    return BlockImport(
        fim_id=block.fim_id,
        fim_version=block.fim_version,
        xdf_version=block.version,
        name=block.group.name,
        group=fields[0],
        source=block.source,
        report=report,
    )


def _report_copied_texts(mapper: _Mapper, ident: str) -> None:
    mapper.report.warnings.append(
        ReportLine(
            "",
            ident,
            translatable(
                "%(count)d English texts are copies of the German ones; translate them before "
                "publishing"
            ),
            {"count": mapper.copied_texts},
        )
    )


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
        report.warnings.append(
            ReportLine("", schema.ident, translatable("no usable FIM id; fim_id left out"))
        )
    report.warnings.append(
        ReportLine(
            "",
            schema.ident,
            translatable(
                "trust level %(trust_level)r, retention %(days)d days, privacy notice and "
                "declaration are placeholders for the association to check and edit"
            ),
            {"trust_level": trust_level, "days": retention_days},
        )
    )
    return document
