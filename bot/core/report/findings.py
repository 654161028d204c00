"""What a report check finds: a finding per problem, and the verdict on the whole report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from bot.core.session import Outcome, Turn

MIN_WORDS = 25
MAX_REPORT_CHARS = 4000
PARTS = ("what happened", "time", "place", "who", "your actions", "outcome")


class ReportRefused(ValueError):
    """The report cannot be filed for that session; the message says why."""


class FindingKind(StrEnum):
    """What is wrong with a part of the report."""

    MISSING = "missing"  # the part is not in the report
    CONTRADICTED = "contradicted"  # the transcript says otherwise
    UNSUPPORTED = "unsupported"  # the report claims something the transcript does not show


@dataclass(frozen=True)
class Finding:
    """One specific piece of feedback on a report."""

    kind: FindingKind
    part: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """Plain JSON-able form (stored with the report)."""
        return {"kind": self.kind.value, "part": self.part, "message": self.message}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Finding:
        """Inverse of to_dict."""
        return cls(FindingKind(data["kind"]), data["part"], data["message"])


@dataclass(frozen=True)
class ReportCheck:
    """The findings on one report; complete when nothing is missing, consistent when nothing is
    contradicted or unsupported."""

    findings: tuple[Finding, ...]
    parts_found: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """Every part of a report is there."""
        return not any(f.kind is FindingKind.MISSING for f in self.findings)

    @property
    def consistent(self) -> bool:
        """Nothing in the report is contradicted by, or missing from, the transcript."""
        return all(f.kind is FindingKind.MISSING for f in self.findings)

    @property
    def verdict(self) -> str:
        """One line: how the report stands."""
        if not self.findings:
            return "Complete and consistent with the transcript. Well written."
        parts = []
        if not self.complete:
            parts.append("incomplete")
        if not self.consistent:
            parts.append("not consistent with the transcript")
        return f"The report is {' and '.join(parts)}: {len(self.findings)} thing(s) to fix."

    def as_text(self) -> str:
        """The verdict and every finding, for the terminal."""
        out = [self.verdict]
        out += [f"  - [{f.part}] {f.message}" for f in self.findings]
        return "\n".join(out)


@dataclass(frozen=True)
class ReportContext:
    """What the report is checked against: the scene and what was said in it."""

    visitor_name: str  # "Marcus, son looking for his mother"
    setting: str  # "Hospital emergency entrance, 2 a.m." ('' when the persona is gone)
    outcome: Outcome
    final_agitation: int
    turns: Sequence[Turn]
    story: str = ""  # backstory, wants and the visitor's lines: what the incident was about
    extra_place_words: tuple[str, ...] = field(default_factory=tuple)

    @property
    def short_name(self) -> str:
        """The visitor's first name."""
        return self.visitor_name.split(",")[0].strip()
