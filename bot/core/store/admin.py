"""Trainer-side records: uploaded personas, disabled persona ids, settings and the audit log."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from bot.core.store.records import AuditEntry, TrainerPersona


def record_audit(db: Database, actor: str, action: str, detail: str, now: float) -> None:
    """Append one trainer action to the audit log (in the caller's transaction)."""
    db.execute(
        "INSERT INTO audit (at, actor, action, detail) VALUES (?, ?, ?, ?)",
        [now, actor, action, detail],
    )


def audit_log(db: Database, limit: int) -> list[AuditEntry]:
    """The latest trainer actions, newest first."""
    return [
        AuditEntry(r["id"], r["at"], r["actor"], r["action"], r["detail"] or "")
        for r in db.query("SELECT * FROM audit ORDER BY at DESC, id DESC LIMIT ?", [limit])
    ]


def save_persona(
    db: Database, persona_id: str, name: str, yaml_text: str, actor: str, now: float
) -> bool:
    """Store a trainer's validated persona (replacing one with the same id); True if replaced."""
    existing = db.execute("SELECT added_at FROM personas WHERE id = ?", [persona_id]).fetchone()
    db.execute(
        "INSERT INTO personas (id, yaml, added_by, added_at, updated_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET yaml = excluded.yaml, added_by = excluded.added_by, "
        "updated_at = excluded.updated_at",
        [persona_id, yaml_text, actor, now, now],
    )
    action = "persona_update" if existing else "persona_add"
    record_audit(db, actor, action, f"{persona_id} ({name})", now)
    return existing is not None


def trainer_personas(db: Database) -> list[TrainerPersona]:
    """Every persona a trainer saved, by id (enabled or not: see disabled_personas)."""
    return [
        TrainerPersona(r["id"], r["yaml"], r["added_by"] or "", r["added_at"], r["updated_at"])
        for r in db.query("SELECT * FROM personas ORDER BY id")
    ]


def disabled_personas(db: Database) -> set[str]:
    """Ids of every disabled persona, shipped or uploaded."""
    return {r["persona_id"] for r in db.query("SELECT persona_id FROM disabled_personas")}


def set_persona_enabled(
    db: Database, persona_id: str, enabled: bool, actor: str, now: float
) -> None:
    """Enable or disable a persona by id (shipped or uploaded)."""
    if enabled:
        db.execute("DELETE FROM disabled_personas WHERE persona_id = ?", [persona_id])
    else:
        db.execute(
            "INSERT OR REPLACE INTO disabled_personas (persona_id, disabled_by, disabled_at) "
            "VALUES (?, ?, ?)",
            [persona_id, actor, now],
        )
    record_audit(db, actor, "persona_enable" if enabled else "persona_disable", persona_id, now)


def get_setting(db: Database, scope: str, key: str, default: Any) -> Any:
    """A stored setting (JSON value), or the default when unset."""
    row = db.execute(
        "SELECT value FROM settings WHERE scope = ? AND key = ?", [scope, key]
    ).fetchone()
    return default if row is None else json.loads(row[0])


def set_setting(db: Database, scope: str, key: str, value: Any, actor: str, now: float) -> None:
    """Store a setting for a scope (e.g. a Discord server id) and audit the change."""
    encoded = json.dumps(value)
    db.execute(
        "INSERT INTO settings (scope, key, value, updated_by, updated_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT(scope, key) DO UPDATE SET value = excluded.value, "
        "updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        [scope, key, encoded, actor, now],
    )
    record_audit(db, actor, "setting", f"{scope}: {key} = {encoded}", now)
