"""Trainer personas, disabled ids, per-guild settings and the audit log."""

from __future__ import annotations

import pytest
import yaml

from bot.core.persona import PersonaError
from bot.core.store import Store
from tests.conftest import PERSONA_DATA
from tests.store.conftest import Clock


def test_personas_saved_disabled_and_listed(store: Store, clock: Clock) -> None:
    text = yaml.safe_dump(PERSONA_DATA)
    store.save_persona("towed_car", text, "discord:trainer")
    clock.now += 1
    store.save_persona("towed_car", text, "discord:trainer")  # replacing is an update
    store.set_persona_enabled("towed_car", False, "discord:trainer")
    store.set_persona_enabled("hospital_emergency_son", False, "discord:trainer")  # shipped
    assert store.stored_personas() == [
        ("towed_car", text, False),
        ("hospital_emergency_son", "", False),
    ]
    assert store.disabled_personas() == {"towed_car", "hospital_emergency_son"}
    store.set_persona_enabled("towed_car", True, "discord:trainer")
    assert store.stored_personas()[0] == ("towed_car", text, True)
    actions = [e.action for e in reversed(store.audit_log())]
    assert actions == [
        "persona_add", "persona_update", "persona_disable", "persona_disable", "persona_enable",
    ]  # fmt: skip


def test_invalid_persona_is_refused(store: Store) -> None:
    with pytest.raises(PersonaError, match="difficulty"):
        store.save_persona("bad", yaml.safe_dump({**PERSONA_DATA, "difficulty": 9}), "t")
    assert store.stored_personas() == [] and store.audit_log() == []


def test_settings_per_scope(store: Store) -> None:
    assert store.get_setting("guild:1", "mode", "live") == "live"
    store.set_setting("guild:1", "mode", "assessment", "discord:trainer")
    store.set_setting("guild:1", "limits", {"per_minute": 5}, "discord:trainer")
    assert store.get_setting("guild:1", "mode", "live") == "assessment"
    assert store.get_setting("guild:2", "mode") is None
    assert store.get_setting("guild:1", "limits") == {"per_minute": 5}
    assert store.audit_log(1)[0].detail == 'guild:1: limits = {"per_minute": 5}'


def test_audit_log_newest_first_with_limit(store: Store, clock: Clock) -> None:
    for i in range(5):
        clock.now += 1
        store.audit("cli:t", "note", f"n{i}")
    assert [e.detail for e in store.audit_log(3)] == ["n4", "n3", "n2"]
