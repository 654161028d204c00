"""Trainer personas, disabled ids, per-guild settings and the audit log."""

from __future__ import annotations

import yaml

from bot.core.persona import parse_persona
from bot.core.store import Store
from tests.conftest import PERSONA_DATA
from tests.store.conftest import Clock


def test_personas_saved_disabled_and_listed(store: Store, clock: Clock) -> None:
    text = yaml.safe_dump(PERSONA_DATA)
    persona = parse_persona(text, "towed_car")
    assert store.save_persona(persona, text, "discord:trainer") is False
    clock.now += 1
    assert store.save_persona(persona, text, "discord:trainer") is True  # an update
    store.set_persona_enabled("towed_car", False, "discord:trainer")
    store.set_persona_enabled("hospital_emergency_son", False, "discord:trainer")  # shipped
    [saved] = store.trainer_personas()
    assert (saved.id, saved.yaml, saved.added_by) == ("towed_car", text, "discord:trainer")
    assert saved.updated_at == saved.added_at + 1
    assert store.disabled_personas() == {"towed_car", "hospital_emergency_son"}
    store.set_persona_enabled("towed_car", True, "discord:trainer")
    assert store.disabled_personas() == {"hospital_emergency_son"}
    actions = [e.action for e in reversed(store.audit_log())]
    assert actions == [
        "persona_add", "persona_update", "persona_disable", "persona_disable", "persona_enable",
    ]  # fmt: skip


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
