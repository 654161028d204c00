"""Officer turns being played right now, so a stopping bot answers them before it disconnects."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

SEEN_MESSAGES = 4096  # message ids remembered to play each officer message once


class TurnsInFlight:
    """Counts turns being played; once closed, no new turn starts and `drain` waits for the rest.

    Also remembers the messages already taken up: Discord replays events after a resumed
    connection, and a message delivered twice must still be one turn. The newest message seen
    per practice is where catching up starts after a connection Discord could not resume.
    """

    def __init__(self) -> None:
        self._count = 0
        self._tasks: set[asyncio.Task[object]] = set()
        self._idle: asyncio.Event | None = None
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._last: dict[str, int] = {}
        self.closed = False

    @property
    def count(self) -> int:
        """Turns being played now."""
        return self._count

    def first_time(self, message_id: int, session_id: str) -> bool:
        """True the first time a message id is seen, False for a replay of it."""
        if message_id in self._seen:
            return False
        self._seen[message_id] = None
        if len(self._seen) > SEEN_MESSAGES:
            self._seen.popitem(last=False)
        self.saw(session_id, message_id)
        return True

    def saw(self, session_id: str, message_id: int) -> None:
        """A message of this practice's thread the bot has had (its own posts included)."""
        self._last[session_id] = max(message_id, self._last.get(session_id, 0))

    def last_seen(self, session_id: str) -> int | None:
        """The newest message of the practice's thread the bot is known to have had."""
        return self._last.get(session_id)

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[bool]:
        """Inside: one turn in flight. Yields False (play nothing) once the bot is stopping."""
        if self.closed:
            yield False
            return
        self._count += 1
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        if self._idle is not None:
            self._idle.clear()
        try:
            yield True
        finally:
            self._count -= 1
            self._tasks.discard(task)  # type: ignore[arg-type]
            if self._count == 0 and self._idle is not None:
                self._idle.set()

    async def drain(self, timeout: float) -> int:
        """Take no new turns and wait up to `timeout` s for those in flight; how many were left.

        Turns still running then are cancelled: their answer would go out on a closed
        connection. A reply the model was making is still recorded (its thread carries on), and
        the "Cooldown restarted" note shows the visitor's last line after the restart.
        """
        self.closed = True
        if self._count == 0:
            return 0
        self._idle = asyncio.Event()
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            pass
        left = list(self._tasks)
        for task in left:
            task.cancel()
        if left:
            await asyncio.wait(left, timeout=1.0)
        return len(left)
