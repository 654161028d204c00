"""Terminal practice and demo: the visitor's lines, per-reply coaching and the debrief."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

from bot.core.debrief import Debrief
from bot.core.persona import Persona
from bot.core.practice import PracticeRoom
from bot.core.session import Mode, PracticeSession, ReplyRejected
from bot.core.visitor import visitor_problem
from bot.terminal import render
from bot.terminal.screen import Screen

if TYPE_CHECKING:
    from bot.runtime import App


def play(
    room: PracticeRoom,
    session: PracticeSession,
    replies: Iterable[str],
    out: TextIO | Screen,
) -> Debrief:
    """Feed replies to a session until it ends or they run out; print as it goes.

    The scene shows at once, even while the visitor's model still loads in the background; a
    reply that has to wait for it (or for the visitor's answer) shows a waiting line that is
    cleared before the turn prints.
    """
    screen = out if isinstance(out, Screen) else Screen(out)
    persona = session.persona
    screen.show(render.scene(persona, session))
    coaching = session.mode is Mode.LIVE
    shown_problem = ""
    try:
        for text in replies:
            if text.strip() in ("/end", "/quit"):
                break
            try:
                with screen.waiting(lambda: render.waiting(room.visitor, persona, screen.ellipsis)):
                    turn = room.reply(session.officer_id, text)
            except ReplyRejected as exc:
                screen.show(render.refused(str(exc)))
                continue
            problem = visitor_problem(room.visitor)
            if problem and problem != shown_problem:
                screen.show(render.problem(problem))
            shown_problem = problem
            screen.show(render.turn(persona, turn, coaching, screen.arrow))
            if session.finished:
                break
    except KeyboardInterrupt:
        screen.show("\n(practice stopped)")
    if not session.finished:
        room.end(session.officer_id)
    debrief = room.debrief(session)
    screen.show("", render.debrief(debrief, screen.arrow))
    return debrief


def prompt_lines(prompt: str, screen: Screen | None = None) -> Iterable[str]:
    """Lines typed at a prompt until end of input; log lines wait while the officer types."""
    screen = screen or Screen()
    while True:
        try:
            yield screen.ask(prompt)
        except EOFError:
            return


def run_practice(args: argparse.Namespace, app: App) -> int:
    """`cooldown practice`: an interactive session in the terminal."""
    officer = args.officer if ":" in args.officer else f"cli:{args.officer}"
    app.store.ensure_officer(officer, args.officer)
    mode = Mode.ASSESSMENT if args.assessment else Mode.LIVE
    session = app.room.start(officer, args.persona, args.difficulty, mode=mode)
    screen = Screen()
    play(app.room, session, prompt_lines("You: ", screen), screen)
    return 0


def run_demo(room: PracticeRoom, persona: Persona, out: TextIO | Screen) -> list[Debrief]:
    """`cooldown demo`: a scripted officer plays one good and one poor session."""
    screen = out if isinstance(out, Screen) else Screen(out)
    results = []
    for label, replies in (("GOOD", persona.good_examples), ("POOR", persona.poor_examples)):
        screen.show("", render.banner(f"######## {label} officer vs {persona.id} ########"))
        session = room.start(f"cli:demo-{label.lower()}", persona.id)
        results.append(play(room, session, replies, screen))
    screen.show("", render.banner("Summary:"))
    for label, debrief in zip(("good", "poor"), results, strict=True):
        screen.show(render.demo_result(label, debrief, screen.arrow))
    return results
