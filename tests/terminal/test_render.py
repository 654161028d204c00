"""What the officer reads: colour and aligned columns in a terminal, plain text in a pipe or with
NO_COLOR, long lines wrapped at word boundaries under their own column."""

from __future__ import annotations

import io
import re

import pytest

from bot.core.persona import Persona
from bot.core.scores import CRITERIA, CriterionScore, RubricScore, dimensions_from
from bot.core.session import Turn
from bot.terminal import render
from bot.terminal.screen import Screen
from tests.terminal.conftest import FakeTerminal

ESC = "\x1b["
LONG_TIP = (
    "If a rule applies, say why it applies to everyone here tonight, for example because the "
    "corridor has to stay clear for the stretchers coming in from the ambulance bay."
)
LONG_REPLY = (
    "I can hear how frightened you are, and forty minutes without a word would frighten anyone; "
    "give me her name and I will ring the ward from this desk right now."
)


def a_turn(overall_low: bool = False, tip: str = LONG_TIP) -> Turn:
    values = {c: (30 if overall_low else 80) for c in CRITERIA}
    criteria = {c: CriterionScore(c, v) for c, v in values.items()}
    score = RubricScore(criteria, dimensions_from(values), coaching=(tip,))
    return Turn(
        number=1,
        visitor_line="Where is she?",
        officer_text=LONG_REPLY,
        score=score,
        agitation_before=7,
        agitation_after=9 if overall_low else 5,
        reasons=(),
        visitor_reply="Fine. Her name is Joan Bell.",
        at=0.0,
    )


def plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def test_a_pipe_gets_plain_unwrapped_text(persona: Persona) -> None:
    out = io.StringIO()
    screen = Screen(out)
    screen.show(render.turn(persona, a_turn(), arrow=screen.arrow))
    text = out.getvalue()
    assert ESC not in text
    tip_line = next(line for line in text.splitlines() if "tip" in line)
    assert LONG_TIP in tip_line  # one line: a pager or a program does its own wrapping
    assert all(line == line.rstrip() for line in text.splitlines())


def test_a_terminal_gets_colour_that_says_good_or_bad(
    persona: Persona, terminal: FakeTerminal
) -> None:
    screen = Screen(terminal)
    screen.show(render.turn(persona, a_turn(overall_low=False)))
    screen.show(render.turn(persona, a_turn(overall_low=True)))
    text = terminal.getvalue()
    good, bad = text.split("Fine. Her name", 1)
    assert re.search(r"\x1b\[[0-9;]*32m80", good)  # green overall score
    assert re.search(r"\x1b\[[0-9;]*31m30", bad)  # red overall score
    assert re.search(r"\x1b\[[0-9;]*32mcalmer", good)
    assert re.search(r"\x1b\[[0-9;]*31mmore agitated", bad)


def test_no_color_means_no_colour_codes_but_still_wrapped(
    persona: Persona, terminal: FakeTerminal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    screen = Screen(terminal)
    screen.show(render.turn(persona, a_turn()))
    text = terminal.getvalue()
    assert not re.search(r"\x1b\[[0-9;]*m", text)
    assert max(len(line) for line in text.splitlines()) <= 60


def test_long_tips_wrap_at_word_boundaries_under_their_column(
    persona: Persona, terminal: FakeTerminal
) -> None:
    screen = Screen(terminal)
    screen.show(render.turn(persona, a_turn()))
    lines = plain(terminal.getvalue()).splitlines()
    assert max(len(line) for line in lines) <= 60
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("tip"))
    column = lines[start].index("If a rule")
    tip_lines = [lines[start][column:]]
    for line in lines[start + 1 :]:
        if not line.startswith(" " * column):
            break
        tip_lines.append(line[column:])
    assert len(tip_lines) > 1
    assert " ".join(tip_lines) == LONG_TIP  # every word whole, nothing lost, in order


def test_the_debrief_wraps_replies_under_their_label(
    persona: Persona, terminal: FakeTerminal, fake_rubric: object
) -> None:
    from bot.core.debrief import build_debrief
    from bot.core.session import PracticeSession
    from bot.model.scripted import ScriptedVisitor

    session = PracticeSession(persona, "cli:t", ScriptedVisitor(), fake_rubric)  # type: ignore[arg-type]
    session.respond(LONG_REPLY)
    screen = Screen(terminal)
    screen.show(render.debrief(build_debrief(session, fake_rubric), screen.arrow))  # type: ignore[arg-type]
    lines = plain(terminal.getvalue()).splitlines()
    assert max(len(line) for line in lines) <= 60
    best = next(i for i, line in enumerate(lines) if line.startswith("Best reply"))
    column = lines[best].index('"')
    quoted = [lines[best][column:]]
    quoted += [line[column:] for line in lines[best + 1 :] if line.startswith(" " * column)]
    assert " ".join(quoted).startswith(f'"{LONG_REPLY}"')
    # criteria scores line up in one column
    score_columns = {
        len(line) for line in lines if re.fullmatch(r"  [A-Z][a-z -]+ +\d+", line)
    }
    assert len(score_columns) == 1
