""""What if?" rewinds: a branch plays on from a turn, is stored with its parent, never alters it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.persona import Persona, PersonaLibrary
from bot.core.practice import PracticeRoom
from bot.core.rewind import CannotRewind
from bot.core.session import Outcome, SessionKind
from bot.core.store import Store
from bot.model.scripted import ScriptedVisitor
from tests.conftest import FakeRubric

GOOD = "I can see how stressful this is, I'm sorry. Let me help you find it - can I ask?"
NEUTRAL = "Okay, give me a moment."
POOR = "Calm down. Rules are rules."
OFFICER = "cli:alice"


def make_room(persona: Persona, store: Store) -> PracticeRoom:
    library = PersonaLibrary()
    library.add(persona)
    return PracticeRoom(library, ScriptedVisitor(), FakeRubric(), store)


def finish(room: PracticeRoom) -> None:
    """End the officer's session unless the last reply already ended it."""
    if room.active(OFFICER) is not None:
        room.end(OFFICER)


def played(room: PracticeRoom, persona: Persona, replies: list[str]) -> str:
    session = room.start(OFFICER, persona.id)
    for text in replies:
        room.reply(OFFICER, text)
    finish(room)
    return session.id


def snapshot(store: Store, session_id: str) -> tuple:
    """Everything stored about a session that a branch must never change."""
    stored = store.load_session(session_id)
    summary = store.session_transcript(session_id).summary
    return stored.turns, stored.outcome, stored.agitation, summary.scores, summary.turns


@pytest.fixture
def store() -> Store:
    s = Store.memory()
    yield s
    s.close()


def test_a_rewind_plays_on_from_the_chosen_turn(persona: Persona, store: Store) -> None:
    room = make_room(persona, store)
    parent_id = played(room, persona, [NEUTRAL, POOR])  # escalated at reply 2
    parent = store.load_session(parent_id)
    assert parent.outcome is Outcome.ESCALATED
    before = snapshot(store, parent_id)

    branch = room.rewind(parent_id, 2)
    assert branch.kind is SessionKind.REWIND and branch.parent_id == parent_id
    assert branch.inherited == 1 and branch.turns == parent.turns[:1]
    assert branch.agitation == parent.turns[1].agitation_before  # the visitor as it was then
    assert branch.last_visitor_line == parent.turns[0].visitor_reply
    assert room.active(OFFICER) is branch

    turn = room.reply(OFFICER, GOOD)
    assert turn.number == 2 and turn.visitor_line == parent.turns[0].visitor_reply
    assert turn.agitation_after < parent.turns[1].agitation_after  # the better reply calmed
    finish(room)

    stored = store.load_session(branch.id)
    assert stored.parent_id == parent_id and stored.branch_turn == 2 and stored.inherited == 1
    assert [t.officer_text for t in stored.turns] == [NEUTRAL, GOOD]
    summary = store.session_transcript(branch.id).summary
    assert summary.turns == 1 and summary.scores["overall"] == turn.score.overall  # its own only
    assert snapshot(store, parent_id) == before  # the original is untouched


def test_branches_and_the_original_compare_side_by_side(persona: Persona, store: Store) -> None:
    room = make_room(persona, store)
    parent_id = played(room, persona, [NEUTRAL, NEUTRAL, POOR])
    branch = room.rewind(parent_id, 2)
    room.reply(OFFICER, GOOD)
    finish(room)

    comparison = room.comparison(branch.id)
    assert comparison.branch_turn == 2
    original, what_if = comparison.original, comparison.branch
    assert [t.number for t in original.turns] == [2, 3] and [t.number for t in what_if.turns] == [2]
    assert original.outcome is Outcome.ESCALATED
    assert original.agitation[:2] == what_if.agitation[:2]  # one line until the branch point
    assert what_if.agitation[2] < original.agitation[2]
    assert what_if.overall > original.overall
    text = comparison.as_text()
    assert "From reply 2 on" in text and "as played" in text and "what if" in text
    assert f'"{GOOD}"' in text and f'"{POOR}"' in text and "escalated" in text


def test_a_rewind_of_a_rewind_reads_the_whole_conversation(
    persona: Persona, store: Store
) -> None:
    room = make_room(persona, store)
    parent_id = played(room, persona, [NEUTRAL, NEUTRAL, NEUTRAL])
    first = room.rewind(parent_id, 3)
    room.reply(OFFICER, POOR)
    finish(room)
    second = room.rewind(first.id, 3)
    assert [t.officer_text for t in second.turns] == [NEUTRAL, NEUTRAL]
    room.reply(OFFICER, GOOD)
    finish(room)
    stored = store.load_session(second.id)
    assert [t.officer_text for t in stored.turns] == [NEUTRAL, NEUTRAL, GOOD]
    assert room.comparison(second.id).original.turns[0].officer_text == POOR


@pytest.mark.parametrize(
    ("turn", "officer", "message"),
    [
        (0, None, "Pick a reply from 1 to 2"),
        (3, None, "Pick a reply from 1 to 2"),
        (1, "cli:bob", "only rewind your own"),
    ],
)
def test_turns_that_do_not_exist_are_refused(
    persona: Persona, store: Store, turn: int, officer: str | None, message: str
) -> None:
    room = make_room(persona, store)
    parent_id = played(room, persona, [NEUTRAL, NEUTRAL])
    with pytest.raises(CannotRewind, match=message):
        room.rewind(parent_id, turn, officer_id=officer)
    assert room.active(OFFICER) is None


def test_a_running_practice_is_not_rewound(persona: Persona, store: Store) -> None:
    room = make_room(persona, store)
    session = room.start(OFFICER, persona.id)
    room.reply(OFFICER, NEUTRAL)
    with pytest.raises(CannotRewind, match="still running"):
        room.rewind(session.id, 1)


def test_branches_stay_off_leaderboards_and_progress(persona: Persona, store: Store) -> None:
    room = make_room(persona, store)
    parent_id = played(room, persona, [POOR])
    for _ in range(3):
        room.rewind(parent_id, 1)
        room.reply(OFFICER, GOOD)
        finish(room)
    progress = store.officer_progress(OFFICER)
    assert progress.sessions == 1 and [p.session_id for p in progress.points] == [parent_id]
    assert store.individual_leaderboard("all").rows == []  # 1 practice: not qualified
    history = store.officer_history(OFFICER)
    assert [s.kind for s in history].count(SessionKind.REWIND) == 3


def test_an_interrupted_rewind_resumes_with_its_branch_point(
    persona: Persona, tmp_path: Path
) -> None:
    db = tmp_path / "cooldown.db"
    store = Store(db)
    room = make_room(persona, store)
    parent_id = played(room, persona, [NEUTRAL, NEUTRAL, NEUTRAL])
    branch = room.rewind(parent_id, 3)
    room.reply(OFFICER, GOOD)
    store.close()  # the process stops mid-branch

    store = Store(db)
    [resumed] = make_room(persona, store).resume()
    assert resumed.id == branch.id and resumed.kind is SessionKind.REWIND
    assert resumed.inherited == 2 and len(resumed.turns) == 3
    resumed.end()
    debrief = make_room(persona, store).debrief(resumed)
    assert debrief.turns == 1  # judged on its own reply
    assert store.load_session(branch.id).outcome is Outcome.ENDED_BY_OFFICER
    store.close()
