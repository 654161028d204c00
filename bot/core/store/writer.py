"""One thread owns the write connection; callers hand it functions and wait for the result."""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from sqlite_utils import Database

from bot.core.store.errors import StoreClosed

log = logging.getLogger(__name__)

T = TypeVar("T")
WriteFn = Callable[..., Any]
_STOP = object()


class Writer:
    """Serialises every write through one thread and one connection, each call in a transaction.

    SQLite allows one writer at a time; funnelling writes through a single thread (as datasette
    does) means callers on many threads never see "database is locked" from each other, and
    every call is one `db.atomic()` transaction, so it is stored whole or not at all.
    """

    def __init__(self, connect: Callable[[], Database], name: str = "cooldown-store-writer"):
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._ready: Future[None] = Future()
        self._closed = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, args=(connect,), name=name, daemon=True)
        self._thread.start()
        # Opening and migrating happen on the writer thread; their errors surface here.
        self._ready.result()

    def _run(self, connect: Callable[[], Database]) -> None:
        try:
            db = connect()
        except BaseException as exc:  # noqa: BLE001 - handed to the constructor's caller
            self._ready.set_exception(exc)
            return
        self._ready.set_result(None)
        try:
            while True:
                item = self._queue.get()
                if item is _STOP:
                    break
                fn, args, future, transactional = item
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    if transactional:
                        with db.atomic():
                            result = fn(db, *args)
                    else:
                        result = fn(db, *args)
                except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
                    future.set_exception(exc)
                else:
                    future.set_result(result)
        finally:
            try:
                db.close()
            except sqlite3.Error:
                log.exception("closing the write connection failed")

    def submit(
        self, fn: Callable[..., T], *args: Any, transactional: bool = True
    ) -> Future[T]:
        """Queue `fn(db, *args)` for the writer thread; the future has its result."""
        future: Future[T] = Future()
        with self._lock:
            if self._closed:
                raise StoreClosed("The store is closed; open it again to record results.")
            self._queue.put((fn, args, future, transactional))
        return future

    def call(self, fn: Callable[..., T], *args: Any, transactional: bool = True) -> T:
        """Run `fn(db, *args)` on the writer thread (in one transaction unless told otherwise)."""
        if threading.current_thread() is self._thread:
            raise RuntimeError("write functions must not call the writer again (deadlock)")
        return self.submit(fn, *args, transactional=transactional).result()

    def close(self) -> None:
        """Finish the queued writes, then close the connection and stop the thread."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._queue.put(_STOP)
        self._thread.join()
