"""Per-officer message pacing: a sliding one-minute window, with one polite notice per burst."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from enum import Enum


class Pace(Enum):
    """What to do with an officer's message."""

    ACCEPT = "accept"
    NOTICE = "notice"  # over the limit: tell them once
    DROP = "drop"  # over the limit and already told


class OfficerRateLimit:
    """At most `per_minute` messages per officer in any 60 seconds."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute, self.clock = per_minute, clock
        self._seen: dict[str, deque[float]] = {}
        self._told: set[str] = set()
        self._dropped: dict[str, int] = {}

    def check(self, officer: str) -> Pace:
        """Count a message from this officer and say whether it may be played as a turn."""
        now = self.clock()
        window = self._seen.setdefault(officer, deque())
        while window and now - window[0] >= 60.0:
            window.popleft()
        if len(window) < self.per_minute:
            window.append(now)
            self._told.discard(officer)
            self._dropped.pop(officer, None)
            return Pace.ACCEPT
        if officer in self._told:
            self._dropped[officer] = self._dropped.get(officer, 0) + 1
            return Pace.DROP
        self._told.add(officer)
        return Pace.NOTICE

    def dropped(self, officer: str) -> int:
        """Messages dropped since this officer was told to slow down."""
        return self._dropped.get(officer, 0)

    def retry_after(self, officer: str) -> float:
        """Seconds until this officer's next message would be accepted."""
        window = self._seen.get(officer)
        if not window or len(window) < self.per_minute:
            return 0.0
        return max(0.0, 60.0 - (self.clock() - window[0]))
