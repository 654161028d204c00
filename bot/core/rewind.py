""""What if?": go back to a turn of an earlier session, say something else, and play on.

A rewind is a new session (kind `rewind`) that starts where the chosen turn did: the same
visitor, the same conversation up to that turn, the agitation the visitor had then. It is
stored with its parent's id and the turn it replaces, keeps only the turns played in it, and
never touches the parent's rows, so the original scores stay as they were. The two paths are
then compared side by side: scores from the branch point on, and the agitation line of each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.core.persona import Persona
from bot.core.scores import DIMENSIONS
from bot.core.session import Mode, Outcome, PracticeSession, SessionKind, Turn

if TYPE_CHECKING:
    from bot.core.practice import StoredSessionLike


class CannotRewind(ValueError):
    """The session cannot be rewound to that turn; the message says why and what to do."""


def check_branch(stored: StoredSessionLike, turn: int, officer_id: str | None) -> None:
    """CannotRewind unless `turn` is one of the session's replies and the session is over."""
    if officer_id is not None and stored.officer_id != officer_id:
        raise CannotRewind("You can only rewind your own practices.")
    if stored.outcome is Outcome.IN_PROGRESS:
        raise CannotRewind(
            "That practice is still running. End it first, then try another reply."
        )
    if not stored.turns:
        raise CannotRewind("That practice has no replies to go back to.")
    if not 1 <= turn <= len(stored.turns):
        raise CannotRewind(
            f"Pick a reply from 1 to {len(stored.turns)}: that practice had "
            f"{len(stored.turns)} repl{'y' if len(stored.turns) == 1 else 'ies'}."
        )


def branch_session(
    stored: StoredSessionLike, turn: int, persona: Persona, **parts: object
) -> PracticeSession:
    """A new session that replays `stored` up to reply `turn`, ready for another reply there.

    `parts` are the PracticeSession's engine parts (visitor, rubric, recorder, reader, meta).
    """
    before = stored.turns[: turn - 1]
    return PracticeSession(
        persona,
        stored.officer_id,
        mode=Mode(stored.mode),
        agitation=stored.turns[turn - 1].agitation_before,
        opening_line=stored.opening_line,
        turns=list(before),
        kind=SessionKind.REWIND,
        parent_id=stored.id,
        branch_turn=turn,
        focus=stored.focus,
        inherited=len(before),
        **parts,  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class PathSummary:
    """One path of a comparison: its replies from the branch point, scores and agitation."""

    session_id: str
    label: str
    outcome: Outcome
    turns: tuple[Turn, ...]  # from the branch point on
    agitation: tuple[int, ...]  # the whole line: start, then after each reply
    scores: dict[str, int] = field(default_factory=dict)  # dimension means over `turns`

    @property
    def overall(self) -> int:
        """Mean overall score of the path's replies from the branch point."""
        return self.scores.get("overall", 0)


@dataclass(frozen=True)
class BranchComparison:
    """The original session and a rewind of it, side by side."""

    branch_turn: int
    original: PathSummary
    branch: PathSummary

    def as_text(self) -> str:
        """The two paths as a plain-text table, then each path's replies."""
        a, b = self.original, self.branch
        rows = [("", a.label, b.label), ("outcome", a.outcome.label, b.outcome.label)]
        rows += [(d, str(a.scores.get(d, "-")), str(b.scores.get(d, "-"))) for d in DIMENSIONS]
        rows.append(("agitation", _line(a.agitation), _line(b.agitation)))
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        out = [f"What if? From reply {self.branch_turn} on, the two paths:"]
        out += ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
        for path in (a, b):
            out.append(f"{path.label}:")
            out += [
                f"  {t.number}. ({t.score.overall}, agitation {t.agitation_before}->"
                f"{t.agitation_after}) \"{t.officer_text}\""
                for t in path.turns
            ]
        return "\n".join(out)


def _line(values: Sequence[int]) -> str:
    return " ".join(str(v) for v in values)


def _mean(values: list[int]) -> int:
    return round(sum(values) / len(values)) if values else 0


def path_summary(
    session_id: str, label: str, outcome: Outcome, turns: Sequence[Turn], branch_turn: int
) -> PathSummary:
    """A path from its whole list of turns (the rewind's include the inherited ones)."""
    after = tuple(t for t in turns if t.number >= branch_turn)
    line = [turns[0].agitation_before] if turns else []
    line += [t.agitation_after for t in turns]
    scores = {d: _mean([t.score.dimensions[d] for t in after]) for d in DIMENSIONS}
    return PathSummary(session_id, label, outcome, after, tuple(line), scores)


def compare_paths(original: StoredSessionLike, branch: StoredSessionLike) -> BranchComparison:
    """The original session and its rewind, from the rewind's branch point on."""
    if branch.parent_id != original.id or not branch.branch_turn:
        raise ValueError(f"session {branch.id} is not a rewind of {original.id}")
    turn = branch.branch_turn
    return BranchComparison(
        turn,
        path_summary(original.id, "as played", original.outcome, original.turns, turn),
        path_summary(branch.id, "what if", branch.outcome, branch.turns, turn),
    )
