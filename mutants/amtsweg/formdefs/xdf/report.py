"""What an import found: one line per finding, grouped by kind, located in the XML."""

from __future__ import annotations

from dataclasses import dataclass, field

from amtsweg.platform.errors import Refusal


class XdfImportError(Refusal):
    """The file cannot be imported at all: not XML, unsafe, or not a message we import."""


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
