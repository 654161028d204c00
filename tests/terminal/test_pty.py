"""`cooldown practice` in a real pseudo-terminal, read as the officer sees the screen: the scene
header, the opening line and the `You:` prompt intact and in that order, and no progress-bar
debris, also while the sentence encoder and the visitor model load."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.terminal.vt import Terminal

pexpect = pytest.importorskip("pexpect")

PROJECT = Path(__file__).resolve().parents[2]
COLUMNS = 80
PERSONA = "hospital_emergency_son"
HEADER = (
    "== Marcus, son looking for his mother (difficulty 3/5) ==",
    "Hospital emergency entrance, 2 a.m.",
    "Agitation 7/10. Type your reply; /end or Ctrl-C ends with a debrief.",
)
REPLY = "I can see you're scared. What's her name? I'll ring the ward now."
DEBRIS = ("Loading weights", "it/s]", "%|", "LOAD REPORT", "Loading visitor model")


class Session:
    """One `python -m bot practice` (the console script's own entry point) in a pty."""

    def __init__(self, tmp_path: Path, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
        for name in ("TQDM_DISABLE", "HF_HUB_DISABLE_PROGRESS_BARS", "TRANSFORMERS_VERBOSITY"):
            env.pop(name, None)  # the product must quieten the libraries itself
        env.update(TERM="xterm-256color", DATABASE_PATH=str(tmp_path / "cooldown.db"))
        self.written: list[str] = []
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "bot", "practice", "--persona", PERSONA, "--officer", "pty", *args],
            cwd=str(PROJECT), env=env, dimensions=(40, COLUMNS), encoding="utf-8", timeout=300,
        )  # fmt: skip
        self.child.logfile_read = self

    def write(self, data: str) -> None:
        """pexpect's log: everything the program wrote to the terminal."""
        self.written.append(data)

    def flush(self) -> None:
        """Part of the file protocol pexpect logs through."""

    @property
    def raw(self) -> str:
        return "".join(self.written)

    def screen(self) -> list[str]:
        """Every line the officer has seen, as the terminal shows it now."""
        terminal = Terminal(COLUMNS)
        terminal.feed(self.raw)
        return terminal.text()


def assert_first_screen(lines: list[str], raw: str) -> None:
    """Header, opening line and prompt intact, in order, with nothing else among them."""
    shown = [line for line in lines if line]
    at = shown.index(HEADER[0])
    assert shown[at : at + 3] == list(HEADER)
    assert shown[at + 3].startswith('Marcus: "')
    opening_end = next(i for i in range(at + 3, len(shown)) if shown[i].endswith('"'))
    assert shown[opening_end + 1 :] == ["You:"]  # the prompt, last and alone, where to type
    for junk in DEBRIS:
        assert junk not in raw, f"{junk!r} was written to the terminal"
    assert not any("Getting the visitor ready" in line for line in lines)  # start-up line gone


def play_one_reply(session: Session) -> list[str]:
    """Answer once, end, and return the screen at the end."""
    session.child.sendline(REPLY)
    session.child.expect("You: ")
    session.child.sendline("/end")
    session.child.expect(pexpect.EOF)
    session.child.close()
    assert session.child.exitstatus == 0
    return session.screen()


def assert_turn_and_debrief(lines: list[str], raw: str) -> None:
    typed = lines.index(f"You: {REPLY}")
    turn = lines[typed + 1 :]
    assert turn[0].startswith("  score ") and " overall " in turn[0]
    assert turn[1].startswith("  agitation ")
    answer = next(i for i, line in enumerate(turn) if line.startswith('Marcus: "'))
    assert all(line.startswith("  ") for line in turn[:answer])  # scores and tips, aligned
    assert any(line.startswith("Debrief - Marcus") for line in lines)
    for junk in DEBRIS:
        assert junk not in raw, f"{junk!r} was written to the terminal"
    assert not any("Getting the visitor ready" in line for line in lines)


def test_practice_in_a_terminal_scripted_visitor(tmp_path: Path) -> None:
    """The rubric's sentence encoder loads at start-up (its bar used to break the header)."""
    session = Session(tmp_path, "--scripted")
    session.child.expect("You: ")
    assert_first_screen(session.screen(), session.raw)
    assert "Getting the visitor ready" in session.raw  # the start-up line was shown...
    assert "\x1b[1m== Marcus" in session.raw  # ...and the terminal gets styles
    assert_turn_and_debrief(play_one_reply(session), session.raw)


@pytest.mark.slow
def test_practice_in_a_terminal_while_the_model_loads(tmp_path: Path) -> None:
    """The visitor model loads in the background: the officer types at once, the reply waits."""
    session = Session(tmp_path)
    session.child.expect("You: ")
    assert_first_screen(session.screen(), session.raw)
    lines = play_one_reply(session)
    assert_turn_and_debrief(lines, session.raw)
    assert not any(line.startswith("!!") for line in lines), "the visitor model did not load"
