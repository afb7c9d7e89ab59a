"""What an import did: counts, the position reading chosen per source, and what was left out."""

from __future__ import annotations

from dataclasses import dataclass, field

SHOWN = 15  # entries per list printed; the rest are counted


@dataclass
class SourcePositions:
    document: str
    convention: str
    landed: int
    selections: int
    checked_by: str  # "their quoted text" or "word edges"


@dataclass
class ImportReport:
    project: str = ""
    directory: str = ""
    source: str = ""
    origin: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    positions: list[SourcePositions] = field(default_factory=list)
    misaligned: list[str] = field(default_factory=list)  # selections kept that miss their text
    adjusted: list[str] = field(default_factory=list)  # kept, but changed to fit Margin
    dropped: list[str] = field(default_factory=list)  # not brought in

    def lines(self) -> list[str]:
        made = ", ".join(f"{n} {what}" for what, n in self.counts.items())
        lines = [
            f"Created project “{self.project}” in {self.directory} from {self.source}"
            + (f" ({self.origin})" if self.origin else ""),
            f"Imported {made}.",
        ]
        counted = [p for p in self.positions if p.selections]
        if counted:
            lines.append("Positions (how the exporting tool counted, per document):")
            lines += [
                f"  {p.document}: {p.convention}; {p.landed} of {p.selections} selections land on {p.checked_by}"
                for p in counted
            ]
        lines += _section("Selections that do not line up with their text (kept as read):", self.misaligned)
        lines += _section("Changed to fit Margin:", self.adjusted)
        lines += _section("Not brought in:", self.dropped)
        if not self.dropped:
            lines.append("Nothing was left out.")
        return lines


def _section(title: str, entries: list[str]) -> list[str]:
    if not entries:
        return []
    shown = [f"  - {entry}" for entry in entries[:SHOWN]]
    if len(entries) > SHOWN:
        shown.append(f"  ... and {len(entries) - SHOWN} more")
    return [title, *shown]
