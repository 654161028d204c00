"""Fixtures for the Discord adapter: settings, a room with a scripted visitor, the harness."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
import yaml

from bot.core.catalogue import PersonaCatalogue
from bot.core.persona import PersonaLibrary, parse_persona
from bot.core.practice import PracticeRoom
from bot.core.store import Store
from bot.model.scripted import ScriptedVisitor
from bot.runtime import App
from bot.settings import Settings
from tests.conftest import PERSONA_DATA, FakeRubric
from tests.discord.harness import Harness, start_bot

PERSONA_ID = "towed_car_driver"
GOOD_REPLY = "I can see how stressful this is, I'm sorry. Let me help you find it - can I ask?"
POOR_REPLY = "Calm down. Rules are rules."
NEUTRAL_REPLY = "Okay, give me a moment."  # scores 50: agitation stays where it is


def persona_yaml(**changes: object) -> str:
    """The shared test persona as YAML, with some fields changed."""
    data = copy.deepcopy(PERSONA_DATA)
    data.update(changes)
    return yaml.safe_dump(data, sort_keys=False)


def make_library() -> PersonaLibrary:
    """Two personas: the towed-car driver (difficulty 2) and a harder one (difficulty 4)."""
    library = PersonaLibrary()
    library.add(parse_persona(persona_yaml(), PERSONA_ID, "towed.yaml"))
    library.add(
        parse_persona(
            persona_yaml(name="Vic, shopper stopped by the alarm", difficulty=4),
            "alarm_shopper",
            "alarm.yaml",
        )
    )
    return library


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings that read no .env file and hold no token."""
    values: dict[str, object] = {
        "discord_token": None,
        "database_path": tmp_path / "cooldown.db",
        "trainer_role": "Trainer",
        "officer_messages_per_minute": 12,
        "model_backend": "scripted",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def make_app(store: Store) -> App:
    """The test personas (plus the store's trainer personas) in a room with the scripted visitor
    and the marker-word rubric: what runtime.build_app makes, without the model."""
    catalogue = PersonaCatalogue(make_library(), store)
    return App(store, catalogue, PracticeRoom(catalogue, ScriptedVisitor(), FakeRubric(), store))


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any request that escapes the recorders fails the test instead of reaching Discord."""

    async def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args[1:3]}")

    monkeypatch.setattr(aiohttp.ClientSession, "_request", refuse)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Test settings (no token, database under tmp_path)."""
    return make_settings(tmp_path)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    """A real SQLite store in tmp_path."""
    db = Store(settings.database_path)
    yield db
    db.close()


@pytest.fixture
async def discord_bot(settings: Settings, store: Store) -> AsyncIterator[Harness]:
    """A started bot in the training server, every request recorded."""
    harness = await start_bot(settings, make_app(store))
    yield harness
    await harness.close()
    # Whatever the test did, nothing the bot sent may ping anyone.
    harness.assert_no_pings()
