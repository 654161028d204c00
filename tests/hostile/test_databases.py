"""Broken and contended databases: concurrent first opens, locks, a full disk, stale sessions."""

from __future__ import annotations

import multiprocessing
import sqlite3
import traceback
from pathlib import Path

import pytest

from bot.core.store import Store
from bot.core.store.schema import migrations

ROUNDS = 20
PROCESSES = 3


def _open(
    path: str, barrier: multiprocessing.synchronize.Barrier, errors: multiprocessing.Queue
) -> None:
    try:
        barrier.wait(10)
        store = Store(path)
        store.ensure_officer("cli:x", "x")  # and it can be written
        store.close()
    except BaseException:  # noqa: BLE001 - reported to the test
        errors.put(traceback.format_exc(limit=2))


def test_processes_opening_a_new_database_at_once_all_succeed(tmp_path: Path) -> None:
    # forkserver: children forked from a clean single-threaded server, never from this process
    # (whose other threads may hold locks at fork time)
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([__name__])  # imported once in the server, not per child
    errors: multiprocessing.Queue = ctx.Queue()
    for i in range(ROUNDS):
        path = str(tmp_path / f"new{i}.db")
        barrier = ctx.Barrier(PROCESSES)
        procs = [ctx.Process(target=_open, args=(path, barrier, errors)) for _ in range(PROCESSES)]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(30)
            assert proc.exitcode == 0
    failures = []
    while not errors.empty():
        failures.append(errors.get())
    assert failures == [], f"{len(failures)} of {ROUNDS * PROCESSES} opens failed: {failures[0]}"
    with sqlite3.connect(tmp_path / "new0.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        applied = db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
    assert applied == len(migrations._migrations)  # every migration applied once, none twice


@pytest.mark.parametrize("holder_seconds", [0.3])
def test_opening_waits_for_a_short_lock(tmp_path: Path, holder_seconds: float) -> None:
    import threading
    import time

    path = tmp_path / "held.db"
    Store(path).close()
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    threading.Timer(holder_seconds, lambda: holder.execute("ROLLBACK")).start()
    started = time.monotonic()
    store = Store(path, timeout=5)
    store.ensure_officer("cli:y", "y")
    assert time.monotonic() - started >= holder_seconds * 0.8
    store.close()
    holder.close()
