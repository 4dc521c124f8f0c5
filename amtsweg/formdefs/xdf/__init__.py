"""Import of FIM XDatenfelder 2.0 and 3.0 messages: Stammdatenschemata and Datenfeldgruppen.

Pure: the bytes of a message go in, and out comes either a draft definition document that
passes ``check_definition`` (an ``xdatenfelder.stammdatenschema.0102``) or a building
block, our group field for a FIM group published on its own (an
``xdatenfelder.datenfeldgruppe.0103``), each with an :class:`ImportReport` that says line
by line what was imported, what only in a simpler form, and what not at all. Nothing is
saved here; ``amtsweg formdefs import-xdf`` does that through the service, and hands the
stored building blocks in as ``blocks`` so a schema that only names a group finds it.

``reading`` turns the XML into dataclasses, ``mapping`` (with ``fields``) turns those into
our documents, ``report`` collects the findings.
"""

from __future__ import annotations

import re

from amtsweg.formdefs.engine import translatable
from amtsweg.formdefs.xdf.mapping import (
    DEFAULT_RETENTION_DAYS,
    DEFAULT_TRUST_LEVEL,
    BlockImport,
    ImportResult,
    map_block,
    map_schema,
    slugify,
)
from amtsweg.formdefs.xdf.reading import MAX_BYTES, BlockLookup, XdfBlock, read_message
from amtsweg.formdefs.xdf.report import ImportReport, ReportLine, XdfImportError

__all__ = [
    "MAX_BYTES",
    "BlockImport",
    "BlockLookup",
    "ImportReport",
    "ImportResult",
    "ReportLine",
    "XdfImportError",
    "import_xdf",
    "slugify",
]

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SLUG_LENGTH = 80  # as definition.schema.json allows


def import_xdf(
    data: bytes,
    *,
    slug: str | None = None,
    title_en: str | None = None,
    trust_level: str = DEFAULT_TRUST_LEVEL,
    retention_days: int = DEFAULT_RETENTION_DAYS,
    blocks: BlockLookup | None = None,
) -> ImportResult | BlockImport:
    """The draft definition or building block for the XDatenfelder message in ``data``.

    ``slug``, ``title_en``, ``trust_level`` and ``retention_days`` shape a definition and
    mean nothing for a building block.
    """
    if slug is not None and not (_SLUG.match(slug) and len(slug) <= SLUG_LENGTH):
        raise XdfImportError(
            translatable(
                "%(slug)r is not a valid slug (at most 80 lowercase letters, digits and dashes)."
            ),
            slug=slug,
        )
    report = ImportReport()
    message = read_message(data, report, blocks)
    if isinstance(message, XdfBlock):
        return map_block(message, report)
    return map_schema(
        message,
        report,
        slug=slug,
        title_en=title_en,
        trust_level=trust_level,
        retention_days=retention_days,
    )
