"""Rubric score types shared by the engine, the rubric, the store and the adapters."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
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


STRATEGIES: tuple[str, ...] = ("cooperative", "competitive", "mixed", "neutral")
LEAPS_STEPS: tuple[str, ...] = ("listen", "empathise", "ask", "paraphrase", "summarise")


@dataclass(frozen=True)
class CriterionScore:
    """One criterion, 0-100, with the quoted words that earned or cost points and one tip.

    `applicable` is False when the moment does not call for the criterion (no reason owed when
    nothing was refused): `score` is then only the model's estimate, never averaged, ranked or
    coached, and `coaching` says why it does not apply.
    """

    name: str
    score: int
    evidence: tuple[str, ...] = ()
    coaching: str = ""
    applicable: bool = True

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-able form."""
        return {
            "name": self.name,
            "score": self.score,
            "evidence": list(self.evidence),
            "coaching": self.coaching,
            "applicable": self.applicable,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> CriterionScore:
        """Inverse of to_dict."""
        return cls(
            name=str(data["name"]),
            score=int(data["score"]),  # type: ignore[call-overload]
            evidence=tuple(data.get("evidence") or ()),  # type: ignore[arg-type]
            coaching=str(data.get("coaching") or ""),
            applicable=bool(data.get("applicable", True)),
        )


@dataclass(frozen=True)
class StrategyLabel:
    """How a reply handles the conflict: cooperative (interest-based: acknowledging, asking,
    explaining, offering) or competitive (rights/power-based: commanding, threatening, citing
    rules, blaming), mixed (both) or neutral (neither), and the LEAPS steps it performs."""

    label: str
    leaps: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()  # the words that made it cooperative or competitive

    def __str__(self) -> str:
        """The label alone ("cooperative"), as a per-turn strategy field stores it."""
        return self.label

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-able form."""
        return {"label": self.label, "leaps": list(self.leaps), "evidence": list(self.evidence)}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> StrategyLabel:
        """Inverse of to_dict."""
        return cls(
            label=str(data["label"]),
            leaps=tuple(data.get("leaps") or ()),  # type: ignore[arg-type]
            evidence=tuple(data.get("evidence") or ()),  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class ScoreContext:
    """What else decides which criteria a reply is judged on: the officer's earlier replies in
    this conversation and the persona's triggers, soothers and wants (plain text, so the rubric
    never needs the Persona type)."""

    earlier_replies: tuple[str, ...] = ()
    triggers: tuple[str, ...] = ()
    soothers: tuple[str, ...] = ()
    wants: str = ""


@dataclass(frozen=True)
class RubricScore:
    """The scores of one officer reply: every criterion, every dimension, and coaching."""

    criteria: dict[str, CriterionScore]
    dimensions: dict[str, int | None]  # None: no criterion of that dimension applied
    coaching: tuple[str, ...] = field(default_factory=tuple)
    flags: tuple[str, ...] = ()  # e.g. "empty", "truncated", "non_english", "threat"
    strategy: StrategyLabel | None = None

    @property
    def overall(self) -> int:
        """The overall dimension (always rated: empathy and calmness always apply)."""
        return self.dimensions["overall"] or 0

    @property
    def not_applicable(self) -> tuple[str, ...]:
        """Criteria the moment did not call for, in rubric order."""
        return tuple(c for c in CRITERIA if c in self.criteria and not self.criteria[c].applicable)

    def applies(self, name: str) -> bool:
        """Whether a criterion counts for this reply."""
        return self.criteria[name].applicable

    def criterion(self, name: str) -> int:
        """Score of one criterion (for a criterion that does not apply: the model's estimate)."""
        return self.criteria[name].score

    def weakest(self) -> CriterionScore:
        """The lowest-scoring applicable criterion (first in rubric order on ties)."""
        counted = [self.criteria[c] for c in CRITERIA if self.criteria[c].applicable]
        return min(counted or [self.criteria[c] for c in CRITERIA], key=lambda c: c.score)

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-able form (the shape `cooldown score --jsonl` extends)."""
        out: dict[str, object] = {
            "criteria": {name: c.to_dict() for name, c in self.criteria.items()},
            "dimensions": dict(self.dimensions),
            "coaching": list(self.coaching),
            "flags": list(self.flags),
        }
        if self.strategy is not None:
            out["strategy"] = self.strategy.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> RubricScore:
        """Inverse of to_dict."""
        criteria = {
            name: CriterionScore.from_dict(value)  # type: ignore[arg-type]
            for name, value in dict(data["criteria"]).items()  # type: ignore[call-overload]
        }
        return cls(
            criteria=criteria,
            dimensions={
                k: None if v is None else int(v)
                for k, v in dict(data["dimensions"]).items()  # type: ignore[call-overload]
            },
            coaching=tuple(data.get("coaching") or ()),  # type: ignore[arg-type]
            flags=tuple(data.get("flags") or ()),  # type: ignore[arg-type]
            strategy=StrategyLabel.from_dict(data["strategy"])  # type: ignore[arg-type]
            if data.get("strategy")
            else None,
        )


def dimensions_from(
    criteria: Mapping[str, int], not_applicable: Collection[str] = ()
) -> dict[str, int | None]:
    """Dimension scores as the mean of their applicable criteria; overall as the mean of the
    dimensions that have one. A dimension with no applicable criterion (resolution when nothing
    could be offered, explained or limited) is None: not rated, so not averaged in anywhere."""
    dims: dict[str, int | None] = {}
    for dim, names in DIMENSION_CRITERIA.items():
        counted = [criteria[c] for c in names if c not in not_applicable]
        dims[dim] = round(sum(counted) / len(counted)) if counted else None
    rated = [v for v in dims.values() if v is not None]
    dims["overall"] = round(sum(rated) / len(rated)) if rated else 0
    return dims


def shown(value: int | None) -> str:
    """A score as people read it: the number, or "n/a" where nothing applied."""
    return "n/a" if value is None else str(value)


class Rubric(Protocol):
    """Scores officer replies; the engine depends on this and nothing more."""

    def score(
        self, reply: str, visitor_line: str = "", context: ScoreContext | None = None
    ) -> RubricScore:
        """Score one reply against the visitor line it answers (and the conversation so far)."""
        ...

    def score_many(self, pairs: Sequence[tuple[str, str]]) -> list[RubricScore]:
        """Score (reply, visitor_line) pairs in one batch."""
        ...
