"""Where the terminal adapter writes: a terminal gets colour, word wrapping and transient waiting
lines; a pipe (or NO_COLOR) gets plain text, unwrapped, with nothing that moves.

One object decides this for everything the officer sees, so the scene, the turns and the debrief
can never disagree about it. rich does the terminal work (widths, wrapping at word boundaries,
colours the terminal supports, clearing a line that is done).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.live import Live
from rich.spinner import Spinner
from rich.text import Text

from bot.terminal.logs import held_logs

# A pipe is read by a program or a pager: no wrapping of our own (they wrap, or must not).
UNWRAPPED_WIDTH = 10_000
SHOW_SECONDS_AFTER = 3.0  # a wait shorter than this needs no clock


class Screen:
    """The officer's terminal, or the pipe standing in for it."""

    def __init__(self, out: TextIO | None = None) -> None:
        out = out if out is not None else sys.stdout
        probe = Console(file=out)
        self.terminal = probe.is_terminal and not probe.is_dumb_terminal
        plain = not self.terminal or bool(os.environ.get("NO_COLOR"))  # no-color.org: non-empty
        self.console = Console(
            file=out,
            color_system=None if plain else "auto",
            width=None if self.terminal else UNWRAPPED_WIDTH,
            soft_wrap=not self.terminal,
            highlight=False,
            markup=False,  # officer and visitor text is shown as typed, never as markup
            emoji=False,
        )
        self.unicode = (self.console.encoding or "").lower().startswith("utf")

    @property
    def arrow(self) -> str:
        """An arrow for 'went from ... to ...', in what the terminal can print."""
        return "→" if self.unicode else "->"

    @property
    def ellipsis(self) -> str:
        """'…' where the terminal can print it."""
        return "…" if self.unicode else "..."

    def show(self, *items: RenderableType) -> None:
        """Print text or rich renderables, one after the other."""
        for item in items:
            self.console.print(item)

    @contextmanager
    def waiting(self, say: Callable[[], str]) -> Iterator[None]:
        """A line saying what the officer is waiting for while the block runs; gone afterwards.

        `say` is asked again at every refresh, so the line follows what a background load is
        doing. Nothing at all is written to a pipe.
        """
        if not self.terminal:
            yield
            return
        line = _WaitingLine(say, self.unicode)
        with Live(line, console=self.console, transient=True, refresh_per_second=8):
            yield

    def ask(self, prompt: str) -> str:
        """Read one line after `prompt`; log lines wait until it is sent."""
        self.console.file.flush()
        with held_logs():
            return input(prompt)


class _WaitingLine:
    """A spinner, what is happening and, for a longer wait, the seconds so far."""

    def __init__(self, say: Callable[[], str], unicode: bool) -> None:
        self._say = say
        self._spinner = Spinner("dots" if unicode else "line", style="cyan")
        self._started = time.monotonic()

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        try:
            text = Text(self._say(), style="bold")
        except Exception:  # noqa: BLE001 - a status line must never break the wait it shows
            text = Text("")
        elapsed = time.monotonic() - self._started
        if elapsed >= SHOW_SECONDS_AFTER:
            text.append(f"  {elapsed:.0f} s", style="dim")
        line = Text.assemble(self._spinner.render(console.get_time()), " ", text)
        line.no_wrap, line.overflow = True, "ellipsis"  # one line, however narrow the terminal
        yield line
