"""A damaged or locked database gives a StoreError that names the file and what to do."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.core.store import DatabaseUnusable, Store, StoreError


def test_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "cooldown.db"
    path.write_bytes(b"this is not a database, it is a shopping list\n" * 200)
    with pytest.raises(StoreError) as info:
        Store(path)
    message = str(info.value)
    assert str(path) in message and "damaged" in message and "move the file aside" in message
    assert isinstance(info.value, DatabaseUnusable)
    assert info.value.__cause__ is None  # a message for a person, not a chained traceback


def test_locked_while_opening(tmp_path: Path) -> None:
    path = tmp_path / "legacy.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE other (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked by another program") as info:
            Store(path, timeout=0.05)
        assert str(path) in str(info.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_locked_while_writing(db_path: Path) -> None:
    store = Store(db_path, timeout=0.05)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        with pytest.raises(StoreError, match="locked") as info:
            store.create_team("Blocked", "t")
        assert str(db_path) in str(info.value)
        assert store.teams() == []  # reads still work in WAL mode
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    store.create_team("Blocked", "t")  # and the store recovers once the lock is gone
    assert [t.name for t in store.teams()] == ["Blocked"]
    store.close()


def test_folder_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="folder"):
        Store(blocker / "sub" / "cooldown.db")
