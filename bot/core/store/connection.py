"""The store's connections: one writer thread, a small pool of readers, errors made readable."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

from bot.core.store.errors import StoreClosed, StoreError, is_file_problem, unusable
from bot.core.store.schema import upgrade
from bot.core.store.writer import Writer

log = logging.getLogger(__name__)
T = TypeVar("T")
MEMORY = ":memory:"
MAX_IDLE_READERS = 4
# Opening races another process that is creating or migrating the same file: what it may see.
_CONTENDED = ("locked", "busy", "already exists")


class Connections:
    """Runs functions of a sqlite-utils Database: writes on the writer thread, reads anywhere.

    The file is created and migrated on construction, switched to WAL (readers never wait for the
    writer) and opened with a busy timeout, after which a lock held by another program becomes a
    StoreError naming the file. In memory there is one connection, so reads use the writer too.
    """

    def __init__(self, path: str | Path, timeout: float) -> None:
        self.path = str(path)
        self.in_memory = self.path == MEMORY
        self._timeout = timeout
        self._idle: list[Database] = []
        self._lock = threading.Lock()
        self._closed = False
        if not self.in_memory:
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"Cannot create the folder for the database {self.path}: {exc}"
                ) from None
        try:
            self._writer = Writer(self._open_writer)
        except sqlite3.Error as exc:
            if is_file_problem(exc):
                raise unusable(self.path, exc) from None
            raise

    def _connect(self) -> sqlite3.Connection:
        # check_same_thread=False because pooled read connections move between threads; each
        # is still used by one thread at a time.
        return sqlite3.connect(self.path, timeout=self._timeout, check_same_thread=False)

    def _open_writer(self) -> Database:
        """The write connection, migrated and in WAL mode; retried while another process opens
        the same file, for up to the busy timeout."""
        deadline = time.monotonic() + self._timeout
        delay = 0.02
        while True:
            try:
                return self._prepare_writer()
            except sqlite3.OperationalError as exc:
                text = str(exc).lower()
                if not any(w in text for w in _CONTENDED) or time.monotonic() >= deadline:
                    raise
                log.debug("database %s busy while opening (%s); retrying", self.path, exc)
                time.sleep(delay)
                delay = min(delay * 2, 0.25)

    def _prepare_writer(self) -> Database:
        db = Database(self._connect())
        try:
            db.execute("PRAGMA foreign_keys = ON")
            upgrade(db)  # first: a new file's page size can only be set before WAL is on
            if not self.in_memory:
                db.enable_wal()
                # WAL + NORMAL: a commit survives a crash of the bot (not of the machine's power)
                # without an fsync per turn.
                db.execute("PRAGMA synchronous = NORMAL")
            # forget_officer must really erase: deleted rows are overwritten, not just unlinked.
            db.execute("PRAGMA secure_delete = ON")
        except BaseException:
            db.close()
            raise
        return db

    def _acquire_reader(self) -> Database:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        db = Database(self._connect())
        db.execute("PRAGMA query_only = 1")
        return db

    def _release_reader(self, db: Database) -> None:
        with self._lock:
            # Keep a few warm connections; extra ones from a burst of readers are closed.
            if not self._closed and len(self._idle) < MAX_IDLE_READERS:
                self._idle.append(db)
                return
        db.close()

    def write(self, fn: Callable[..., T], *args: Any, transactional: bool = True) -> T:
        """Run `fn(db, *args)` on the writer thread, in one transaction, and wait for it."""
        try:
            return self._writer.call(fn, *args, transactional=transactional)
        except sqlite3.Error as exc:
            if is_file_problem(exc):
                raise unusable(self.path, exc) from None
            raise

    def read(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(db, *args)` on a read connection, in one read transaction (one snapshot)."""
        if self._closed:
            raise StoreClosed("The store is closed.")
        if self.in_memory:
            return self.write(fn, *args)
        db = self._acquire_reader()
        try:
            with db.atomic():
                return fn(db, *args)
        except sqlite3.Error as exc:
            if is_file_problem(exc):
                raise unusable(self.path, exc) from None
            raise
        finally:
            self._release_reader(db)

    def truncate_wal(self) -> None:
        """Checkpoint the write-ahead log and cut it to zero bytes (after an erasure)."""
        if not self.in_memory:
            self.write(_truncate_wal, transactional=False)

    def close(self) -> None:
        """Finish queued writes and close every connection; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._writer.close()
        with self._lock:
            for db in self._idle:
                db.close()
            self._idle.clear()


def _truncate_wal(db: Database) -> None:
    busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    if busy:
        log.info("WAL checkpoint after an erasure was partial: readers were active")
