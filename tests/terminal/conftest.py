"""A terminal for in-process tests: rich sees a colour TTY of a known width."""

from __future__ import annotations

import io

import pytest


class FakeTerminal(io.StringIO):
    """What rich sees as a terminal: isatty() is true."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> FakeTerminal:
    """A 60-column colour terminal."""
    monkeypatch.setenv("COLUMNS", "60")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return FakeTerminal()
