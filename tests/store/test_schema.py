"""Migrations: a new file gets the whole schema; reopening applies nothing twice."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from bot.core.store import Store
from bot.core.store.schema import PAGE_SIZE, migrations, upgrade

TABLES = {
    "officers", "teams", "memberships", "sessions", "turns", "personas", "disabled_personas",
    "settings", "audit",
}  # fmt: skip


def _applied(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]


def test_new_file_gets_schema_wal_and_page_size(db_path: Path) -> None:
    Store(db_path).close()
    db = Database(db_path)
    assert TABLES <= set(db.table_names())
    assert db.journal_mode == "wal"
    assert db.execute("PRAGMA page_size").fetchone()[0] == PAGE_SIZE
    assert "idx_sessions_scored_by_officer" in {i.name for i in db["sessions"].indexes}
    assert _applied(db_path) == [m.name for m in migrations._migrations]
    db.close()


def test_reopening_is_idempotent_and_keeps_data(db_path: Path) -> None:
    store = Store(db_path)
    store.create_team("Night Shift", "trainer")
    store.close()
    before = _applied(db_path)
    for _ in range(2):
        store = Store(db_path)
        assert [t.name for t in store.teams()] == ["Night Shift"]
        store.close()
    assert _applied(db_path) == before


def test_upgrade_twice_on_one_connection() -> None:
    db = Database(memory=True)
    upgrade(db)
    upgrade(db)
    assert migrations.pending(db) == []
    assert TABLES <= set(db.table_names())


def test_memory_store_has_schema() -> None:
    with Store.memory() as store:
        assert store.teams() == [] and store.active_sessions() == []
