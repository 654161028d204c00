"""The engine around the rubric: conversation context in, not-applicable criteria and strategy
labels out through the debrief and the store."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from bot.core.debrief import build_debrief
from bot.core.persona import Persona
from bot.core.scores import (
    CRITERIA,
    CriterionScore,
    RubricScore,
    ScoreContext,
    StrategyLabel,
    dimensions_from,
)
from bot.core.session import PracticeSession
from bot.core.store import Store
from bot.model.scripted import ScriptedVisitor
from tests.conftest import FakeRubric


def test_session_gives_the_rubric_earlier_replies_and_the_persona(persona: Persona) -> None:
    rubric = FakeRubric()
    session = PracticeSession.start(persona, "cli:test", ScriptedVisitor(), rubric)
    session.respond("I can't let you into the pound tonight.")
    session.respond("I hear you.")
    first, second = rubric.contexts
    assert first is not None and first.earlier_replies == ()
    assert second is not None
    assert second.earlier_replies == ("I can't let you into the pound tonight.",)
    assert second.triggers == tuple(persona.triggers)
    assert second.soothers == tuple(persona.soothers) and second.wants == persona.wants


class ScriptRubric:
    """Each reply gets its scripted values, not-applicable set and strategy, in order."""

    def __init__(self, script: Sequence[tuple[int, set[str], str, tuple[str, ...]]]) -> None:
        self.script = list(script)
        self.at = 0

    def score(self, reply: str, visitor_line: str = "", context: object = None) -> RubricScore:
        value, na, label, leaps = self.script[self.at % len(self.script)]
        self.at += 1
        values = {c: value for c in CRITERIA}
        criteria = {
            c: CriterionScore(c, value, (), f"tip for {c}", c not in na) for c in CRITERIA
        }
        return RubricScore(criteria, dimensions_from(values, na), ("tip",), (),
                           StrategyLabel(label, leaps))  # fmt: skip

    def score_many(self, pairs: Sequence[tuple[str, str]]) -> list[RubricScore]:
        return [self.score(r, v) for r, v in pairs]


def _session(persona: Persona, rubric: ScriptRubric, replies: int) -> PracticeSession:
    session = PracticeSession.start(persona, "cli:test", ScriptedVisitor(), rubric)
    for i in range(replies):
        session.respond(f"Reply number {i}.")
    session.end()
    return session


def test_debrief_averages_a_criterion_only_where_it_applied(persona: Persona) -> None:
    # The reason was owed once (scored 20); the other two replies owed none (their 90s are only
    # estimates) - the debrief mean is 20, not 67, and sets_boundary never applied at all.
    never = {"sets_boundary_respectfully"}
    rubric = ScriptRubric([
        (90, never | {"explains_reason"}, "cooperative", ("listen", "empathise")),
        (20, never, "competitive", ()),
        (90, never | {"explains_reason"}, "cooperative", ("ask",)),
    ])  # fmt: skip
    session = _session(persona, rubric, 3)
    debrief = build_debrief(session, ScriptRubric([(50, set(), "neutral", ())]))
    assert debrief.criteria["explains_reason"] == 20
    assert debrief.criteria["sets_boundary_respectfully"] is None
    assert debrief.strategies == {"cooperative": 2, "competitive": 1}
    assert debrief.cooperative_share == 2 / 3
    assert debrief.leaps == ("listen", "empathise", "ask")
    text = debrief.as_text()
    assert "Strategy: 2 of 3 replies cooperative, 1 competitive." in text
    assert "not yet: paraphrase, summarise" in text
    assert "Sets boundary respectfully" in text and "n/a" in text
    assert not any("boundary" in line.lower() for line in debrief.to_improve)


def test_store_keeps_not_applicable_out_of_the_averages(persona: Persona) -> None:
    rubric = ScriptRubric([(80, {"explains_reason"}, "cooperative", ("ask",)),
                           (40, set(), "competitive", ())])  # fmt: skip
    store = Store.memory()
    try:
        session = PracticeSession.start(persona, "cli:na", ScriptedVisitor(), rubric,
                                        recorder=store)  # fmt: skip
        session.respond("One.")
        session.respond("Two.")
        session.end()
        stored = store.load_session(session.id)
        assert stored.turns == session.turns  # strategy and applicability round-trip
        assert stored.turns[0].score.strategy == StrategyLabel("cooperative", ("ask",))
        assert not stored.turns[0].score.applies("explains_reason")
        out = io.StringIO()
        store.export_csv(out)
        rows = list(csv.DictReader(io.StringIO(out.getvalue())))
        # The trainer's spreadsheet: blank where no reason was owed, so averages leave it out.
        assert [r["explains_reason"] for r in rows] == ["", "40"]
        summary = store.officer_history("cli:na")[0]
        assert summary.scores["resolution"] == (80 + 40) / 2
    finally:
        store.close()


def test_score_context_defaults_are_empty() -> None:
    assert ScoreContext() == ScoreContext((), (), (), "")
