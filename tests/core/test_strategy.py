"""Cooperative or competitive: the per-turn strategy label, stored with every turn."""

from __future__ import annotations

import pytest

from bot.core.persona import Persona
from bot.core.store import Store
from bot.core.store.schema import _label_strategies
from bot.core.strategy import Strategy, label_reply, shares, strategy_of
from tests.store.conftest import play


@pytest.mark.parametrize(
    ("reply", "strategy"),
    [
        ("I can see how worried you are. What is your mum's name?", Strategy.COOPERATIVE),
        ("I can't let you in because the ward is closed for infection control, but I can call "
         "the nurse for you.", Strategy.COOPERATIVE),  # fmt: skip
        ("Sorry to hear that, mate.", Strategy.COOPERATIVE),
        ("Calm down. Rules are rules.", Strategy.COMPETITIVE),
        ("Sit down or I will call the police.", Strategy.COMPETITIVE),
        ("You need to wait.", Strategy.COMPETITIVE),  # an order, not a reflection
        ("It's your own fault for parking there.", Strategy.COMPETITIVE),
        ("I understand, but you need to wait outside.", Strategy.MIXED),
        ("Okay.", Strategy.NEUTRAL),
    ],
)
def test_replies_are_labelled_like_the_guidelines(reply: str, strategy: Strategy) -> None:
    assert label_reply(reply).strategy is strategy


def test_the_rubric_label_wins_when_it_gives_one() -> None:
    class Labelled:
        strategy = "competitive"

    given = Labelled()
    assert strategy_of("I can see how worried you are.", given) is Strategy.COMPETITIVE  # type: ignore[arg-type]
    assert strategy_of("I can see how worried you are.", None) is Strategy.COOPERATIVE


def test_shares_ignore_unlabelled_turns() -> None:
    got = shares(["cooperative", "cooperative", "competitive", "", "mixed"])
    assert got == {"cooperative": 0.5, "competitive": 0.25, "mixed": 0.25, "neutral": 0.0}
    assert shares([]) == {s.value: 0.0 for s in Strategy}


def test_every_turn_is_stored_with_its_strategy(store: Store, persona: Persona) -> None:
    good = "I can see how stressful this is. Where did you park?"
    session = play(store, persona, "cli:alice", [good, "Calm down. Rules are rules."])
    stored = store.load_session(session.id)
    assert [t.strategy for t in stored.turns] == ["cooperative", "competitive"]


def test_turns_stored_before_the_label_existed_are_labelled(
    store: Store, persona: Persona
) -> None:
    session = play(store, persona, "cli:bob", ["Calm down."])
    store._write(lambda db: db.execute("UPDATE turns SET strategy = NULL"))
    store._write(_label_strategies)
    assert store.load_session(session.id).turns[0].strategy == "competitive"


@pytest.fixture
def store() -> Store:
    s = Store.memory()
    yield s
    s.close()
