"""What an import found: one line per finding, grouped by kind, located in the XML.

Findings and refusals keep their English text with its placeholders apart from the
values (:class:`~amtsweg.formdefs.engine.texts.Translatable`), so the CLI prints them as
they are and the admin's import page shows them in the admin's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from amtsweg.formdefs.engine.texts import Translatable, filled, translatable
from amtsweg.platform.errors import Refusal


class XdfImportError(Translatable, Refusal):
    """The file cannot be imported at all: not XML, unsafe, or not a message we import."""

    def __init__(self, text: str, **values: object) -> None:
        super().__init__(filled(text, values))
        self.text = text
        self.values = values


@dataclass(frozen=True, slots=True)
class ReportLine(Translatable):
    """One finding, located by the XML element path and the FIM id (with version)."""

    path: str
    element: str
    text: str
    values: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        where = f"{self.element} at {self.path}" if self.element else self.path
        return f"{where}: {self.message}"


@dataclass(slots=True)
class ImportReport:
    imported: list[ReportLine] = field(default_factory=list)
    warnings: list[ReportLine] = field(default_factory=list)
    unsupported: list[ReportLine] = field(default_factory=list)
    rules: list[ReportLine] = field(default_factory=list)

    def sections(self) -> tuple[tuple[str, list[ReportLine]], ...]:
        """Each kind of finding with its heading, in the order a reader wants them."""
        return (
            (translatable("Imported"), self.imported),
            (translatable("Warnings"), self.warnings),
            (
                translatable("Unsupported (not imported or imported in a simpler form)"),
                self.unsupported,
            ),
            (
                translatable("Rules (kept as text; translate them into conditions by hand)"),
                self.rules,
            ),
        )

    def lines(self) -> list[str]:
        """The report as text, one section per kind of finding."""
        out: list[str] = []
        for title, lines in self.sections():
            out.append(f"{title}: {len(lines)}")
            out.extend(f"  - {line}" for line in lines)
        return out
