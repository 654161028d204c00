"""Drills: the weakest criterion picks persona, difficulty and moment; spaced over days."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.core.catalogue import PersonaCatalogue
from bot.core.drills import (
    DAY,
    DRILL_TURNS,
    DrillResult,
    NoDrillYet,
    due_drills,
    plan_drill,
    plan_for,
    schedule,
    weakest,
)
from bot.core.persona import parse_persona
from bot.core.practice import PracticeRoom
from bot.core.scores import CRITERIA
from bot.core.session import Outcome, SessionKind
from bot.core.store import Store
from bot.model.scripted import ScriptedVisitor
from tests.conftest import PERSONA_DATA, FakeRubric

NOW = 1_760_000_000.0
OFFICER = "cli:alice"


def persona(pid: str, **changes: object):  # noqa: ANN201 - a Persona
    return parse_persona(yaml.safe_dump({**PERSONA_DATA, **changes}), pid)


@pytest.fixture
def catalogue() -> PersonaCatalogue:
    return PersonaCatalogue(
        [
            persona("needs_reason", difficulty=3,
                    triggers=["rules are rules, nothing anyone can do"],
                    soothers=["explaining why the bay must stay clear"]),
            persona("needs_reason_too", difficulty=2,
                    triggers=["rules are rules"], soothers=["explaining why"]),
            persona("swearer", difficulty=4,
                    triggers=["told to stop the swearing and language"],
                    soothers=["a quiet word"]),
        ]
    )  # fmt: skip


def test_the_weakest_criterion_is_drilled_with_a_persona_that_needs_it(
    catalogue: PersonaCatalogue,
) -> None:
    levels = {c: 70.0 for c in CRITERIA} | {"explains_reason": 34.0}
    assert weakest(levels) == "explains_reason"
    plan = plan_drill(levels, catalogue)
    assert plan.criterion == "explains_reason" and plan.level == 34.0
    assert plan.persona.id == "needs_reason"  # fits best (two cues), though not the easiest
    assert plan.persona.start_agitation == 8 and plan.persona.max_turns == DRILL_TURNS
    assert "needs a reason" in plan.describe() and "(34/100)" in plan.describe()

    composure = plan_drill(levels | {"composed_tone": 20.0}, catalogue)
    assert composure.persona.id == "swearer" and composure.persona.start_agitation == 9


def test_the_last_drills_persona_gives_way_to_another_that_fits(
    catalogue: PersonaCatalogue,
) -> None:
    levels = {"explains_reason": 34.0}
    last = [DrillResult("s1", "explains_reason", "needs_reason", NOW, 50.0)]
    assert plan_drill(levels, catalogue, results=last).persona.id == "needs_reason_too"


def test_no_history_and_no_choice_is_a_clear_refusal(catalogue: PersonaCatalogue) -> None:
    with pytest.raises(NoDrillYet, match="Finish a practice first"):
        plan_drill({}, catalogue)
    assert plan_drill({}, catalogue, criterion="explores").level is None
    with pytest.raises(NoDrillYet, match="Unknown skill 'empathy'"):
        plan_drill({}, catalogue, criterion="empathy")


@pytest.mark.parametrize(
    ("scores", "days"),
    [([40.0], 1), ([65.0], 2), ([65.0, 70.0], 4), ([65.0, 70.0, 90.0], 8), ([65.0, 40.0], 1),
     ([80.0] * 7, 16)],
)  # fmt: skip
def test_drills_are_spaced_further_apart_while_they_are_passed(
    scores: list[float], days: int
) -> None:
    results = [
        DrillResult(f"s{i}", "explores", "p", NOW + i * DAY, score)
        for i, score in enumerate(scores)
    ]
    [due] = schedule(results, {"explores": 50.0}, NOW)
    assert due.due_at == results[-1].ended_at + days * DAY
    assert due.scores == tuple(scores)


def test_the_weakest_criterion_not_yet_drilled_is_due_now() -> None:
    results = [DrillResult("s", "explores", "p", NOW - 10 * DAY, 30.0)]
    due = schedule(results, {"explores": 55.0, "respectful": 20.0}, NOW)
    assert [(d.criterion, d.when(NOW)) for d in due] == [
        ("explores", "due now"), ("respectful", "due now"),
    ]  # fmt: skip
    assert due[0].due_at < due[1].due_at  # overdue first
    assert schedule([], {}, NOW) == []


def test_a_drill_is_short_stored_with_its_skill_and_resumes_as_one(
    catalogue: PersonaCatalogue, tmp_path: Path
) -> None:
    store = Store(tmp_path / "cooldown.db")
    room = PracticeRoom(catalogue, ScriptedVisitor(), FakeRubric(), store)
    practice = room.start(OFFICER, "swearer")
    room.reply(OFFICER, "Okay, give me a moment.")  # 50 on everything
    room.reply(OFFICER, "Calm down.")  # composure and commands 10: the visitor escalates
    assert practice.outcome is Outcome.ESCALATED
    assert weakest(store.criterion_levels(OFFICER)) == "composed_tone"

    plan = plan_for(store, catalogue, OFFICER)
    drill = room.start_drill(OFFICER, plan)
    assert drill.kind is SessionKind.DRILL and drill.agitation == 9
    room.reply(OFFICER, "I can see how stressful this is, sorry. How can I help?")
    store.close()  # interrupted: the drill's own limits come back with it

    store = Store(tmp_path / "cooldown.db")
    room = PracticeRoom(catalogue, ScriptedVisitor(), FakeRubric(), store)
    [resumed] = room.resume()
    assert resumed.focus == "composed_tone" and resumed.persona.max_turns == DRILL_TURNS
    while not resumed.finished:
        room.reply(OFFICER, "I can see how stressful this is, sorry. How can I help?")
    assert len(resumed.turns) == DRILL_TURNS and resumed.outcome in (
        Outcome.TURN_LIMIT, Outcome.RESOLVED
    )  # fmt: skip
    [result] = store.drill_results(OFFICER)
    assert result.criterion == "composed_tone" and result.score == 100.0
    assert store.officer_progress(OFFICER).sessions == 1  # drills are not practice results
    [due] = due_drills(store, OFFICER, now=result.ended_at)
    assert due.criterion == "composed_tone" and due.when(result.ended_at) == "in 2 days"
    assert practice.id != resumed.id
    store.close()
