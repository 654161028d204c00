"""Terminal practice and demo: the visitor's lines, per-reply coaching and the debrief."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from typing import TextIO

from bot.core.debrief import Debrief
from bot.core.persona import Persona
from bot.core.practice import PracticeRoom
from bot.core.scores import shown
from bot.core.session import Mode, PracticeSession, ReplyRejected, Turn
from bot.core.visitor import visitor_problem


def _trend(turn: Turn) -> str:
    if turn.agitation_after < turn.agitation_before:
        return "calmer"
    if turn.agitation_after > turn.agitation_before:
        return "more agitated"
    return "no change"


def render_scene(persona: Persona, session: PracticeSession) -> str:
    """The scene header and the visitor's opening line."""
    return (
        f"== {persona.name} (difficulty {persona.difficulty}/5) ==\n"
        f"{persona.setting}\n"
        f"Agitation {session.agitation}/10. "
        "Type your reply; /end or Ctrl-C ends with a debrief.\n\n"
        f'{persona.short_name}: "{session.opening_line}"'
    )


def render_turn(persona: Persona, turn: Turn, coaching: bool = True) -> str:
    """One turn as the officer sees it: scores and coaching (live mode), then the visitor."""
    lines = []
    if coaching:
        d = {k: shown(v) for k, v in turn.score.dimensions.items()}
        strategy = turn.score.strategy.label if turn.score.strategy else ""
        lines.append(
            f"  [score {d['overall']}: empathy {d['empathy']}, calmness {d['calmness']}, "
            f"resolution {d['resolution']}{', ' + strategy if strategy else ''} | agitation "
            f"{turn.agitation_before} -> {turn.agitation_after}, {_trend(turn)}]"
        )
        lines += [f"  tip: {tip}" for tip in turn.score.coaching[:2]]
    lines.append(f'{persona.short_name}: "{turn.visitor_reply}"')
    return "\n".join(lines)


def render_problem(problem: str) -> str:
    """A visitor that lost its model, said so the officer cannot miss it."""
    return (
        f"!! {problem[0].upper()}{problem[1:]}.\n"
        "!! The visitor now speaks the persona's scripted lines, not the model's. "
        "Run with -v for details."
    )


def play(
    room: PracticeRoom,
    session: PracticeSession,
    replies: Iterable[str],
    out: TextIO,
    show: Callable[[str], None] | None = None,
) -> Debrief:
    """Feed replies to a session until it ends or they run out; print as it goes."""
    emit = show or (lambda text: print(text, file=out, flush=True))
    emit(render_scene(session.persona, session))
    coaching = session.mode is Mode.LIVE
    shown_problem = ""
    try:
        for text in replies:
            if text.strip() in ("/end", "/quit"):
                break
            try:
                turn = room.reply(session.officer_id, text)
            except ReplyRejected as exc:
                emit(f"  ! {exc}")
                continue
            problem = visitor_problem(room.visitor)
            if problem and problem != shown_problem:
                emit(render_problem(problem))
            shown_problem = problem
            emit(render_turn(session.persona, turn, coaching))
            if session.finished:
                break
    except KeyboardInterrupt:
        emit("\n(practice stopped)")
    if not session.finished:
        room.end(session.officer_id)
    debrief = room.debrief(session)
    emit("")
    emit(debrief.as_text())
    return debrief


def _prompt_lines(prompt: str) -> Iterable[str]:
    while True:
        try:
            yield input(prompt)
        except EOFError:
            return


def run_practice(args: argparse.Namespace, room: PracticeRoom) -> int:
    """`cooldown practice`: an interactive session in the terminal."""
    officer = args.officer if ":" in args.officer else f"cli:{args.officer}"
    if room.store is not None:
        room.store.ensure_officer(officer, args.officer)  # type: ignore[attr-defined]
    mode = Mode.ASSESSMENT if args.assessment else Mode.LIVE
    session = room.start(officer, args.persona, args.difficulty, mode=mode)
    play(room, session, _prompt_lines("You: "), sys.stdout)
    return 0


def run_demo(room: PracticeRoom, persona: Persona, out: TextIO) -> list[Debrief]:
    """`cooldown demo`: a scripted officer plays one good and one poor session."""
    results = []
    for label, replies in (("GOOD", persona.good_examples), ("POOR", persona.poor_examples)):
        print(f"\n######## {label} officer vs {persona.id} ########", file=out)
        session = room.start(f"cli:demo-{label.lower()}", persona.id)
        results.append(play(room, session, replies, out))
    print("\nSummary:", file=out)
    for label, debrief in zip(("good", "poor"), results, strict=True):
        print(
            f"  {label} officer: {debrief.outcome.label}, overall {debrief.dimensions['overall']}, "
            f"agitation {debrief.start_agitation} -> {debrief.final_agitation}",
            file=out,
        )
    return results
