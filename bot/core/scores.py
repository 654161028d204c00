"""Rubric score types shared by the engine, the rubric, the store and the adapters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

# Criterion and dimension names are part of the interface (stored, exported, shown).
EMPATHY = ("acknowledges_emotion", "shows_understanding", "explores")
CALMNESS = ("composed_tone", "non_commanding", "respectful")
RESOLUTION = ("explains_reason", "offers_options", "sets_boundary_respectfully")
CRITERIA: tuple[str, ...] = EMPATHY + CALMNESS + RESOLUTION
DIMENSION_CRITERIA: dict[str, tuple[str, ...]] = {
    "empathy": EMPATHY,
    "calmness": CALMNESS,
    "resolution": RESOLUTION,
}
DIMENSIONS: tuple[str, ...] = ("empathy", "calmness", "resolution", "overall")

CRITERION_LABELS = {
    "acknowledges_emotion": "Acknowledges emotion",
    "shows_understanding": "Shows understanding",
    "explores": "Explores",
    "composed_tone": "Composed tone",
    "non_commanding": "Non-commanding",
    "respectful": "Respectful",
    "explains_reason": "Explains reason",
    "offers_options": "Offers options",
    "sets_boundary_respectfully": "Sets boundary respectfully",
}


@dataclass(frozen=True)
class CriterionScore:
    """One criterion, 0-100, with the quoted words that earned or cost points and one tip."""

    name: str
    score: int
    evidence: tuple[str, ...] = ()
    coaching: str = ""

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-able form."""
        return {
            "name": self.name,
            "score": self.score,
            "evidence": list(self.evidence),
            "coaching": self.coaching,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> CriterionScore:
        """Inverse of to_dict."""
        return cls(
            name=str(data["name"]),
            score=int(data["score"]),  # type: ignore[call-overload]
            evidence=tuple(data.get("evidence") or ()),  # type: ignore[arg-type]
            coaching=str(data.get("coaching") or ""),
        )


@dataclass(frozen=True)
class RubricScore:
    """The scores of one officer reply: every criterion, every dimension, and coaching."""

    criteria: dict[str, CriterionScore]
    dimensions: dict[str, int]
    coaching: tuple[str, ...] = field(default_factory=tuple)
    flags: tuple[str, ...] = ()  # e.g. "empty", "truncated", "non_english", "threat"

    @property
    def overall(self) -> int:
        """The overall dimension."""
        return self.dimensions["overall"]

    def criterion(self, name: str) -> int:
        """Score of one criterion."""
        return self.criteria[name].score

    def weakest(self) -> CriterionScore:
        """The lowest-scoring criterion (first in rubric order on ties)."""
        return min((self.criteria[c] for c in CRITERIA), key=lambda c: c.score)

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-able form (the shape `cooldown score --jsonl` extends)."""
        return {
            "criteria": {name: c.to_dict() for name, c in self.criteria.items()},
            "dimensions": dict(self.dimensions),
            "coaching": list(self.coaching),
            "flags": list(self.flags),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> RubricScore:
        """Inverse of to_dict."""
        criteria = {
            name: CriterionScore.from_dict(value)  # type: ignore[arg-type]
            for name, value in dict(data["criteria"]).items()  # type: ignore[call-overload]
        }
        return cls(
            criteria=criteria,
            dimensions={k: int(v) for k, v in dict(data["dimensions"]).items()},  # type: ignore[call-overload]
            coaching=tuple(data.get("coaching") or ()),  # type: ignore[arg-type]
            flags=tuple(data.get("flags") or ()),  # type: ignore[arg-type]
        )


def dimensions_from(criteria: Mapping[str, int]) -> dict[str, int]:
    """Dimension scores as the mean of their criteria; overall as the mean of the three."""
    dims = {
        dim: round(sum(criteria[c] for c in names) / len(names))
        for dim, names in DIMENSION_CRITERIA.items()
    }
    dims["overall"] = round(sum(dims[d] for d in DIMENSION_CRITERIA) / len(DIMENSION_CRITERIA))
    return dims


class Rubric(Protocol):
    """Scores officer replies; the engine depends on this and nothing more."""

    def score(self, reply: str, visitor_line: str = "") -> RubricScore:
        """Score one reply against the visitor line it answers."""
        ...

    def score_many(self, pairs: Sequence[tuple[str, str]]) -> list[RubricScore]:
        """Score (reply, visitor_line) pairs in one batch."""
        ...
