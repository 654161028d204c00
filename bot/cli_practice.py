"""Terminal practice and demo: the visitor's lines, per-reply coaching and the debrief."""

from __future__ import annotations

import argparse
import errno
import os
import socket
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, TextIO

from bot.core.debrief import Debrief
from bot.core.persona import Persona
from bot.core.practice import PracticeRoom, StoredSessionLike
from bot.core.session import Mode, PracticeSession, ReplyRejected
from bot.core.store.errors import StoreError
from bot.core.visitor import visitor_problem
from bot.lifecycle import Stopped
from bot.terminal import render
from bot.terminal.screen import Screen

if TYPE_CHECKING:
    from rich.console import RenderableType

    from bot.core.store import Store, TrainerNote
    from bot.runtime import App

ADAPTER = "terminal"  # the `adapter` a terminal practice's meta carries (see close_abandoned)


def play(
    room: PracticeRoom,
    session: PracticeSession,
    replies: Iterable[str],
    out: TextIO | Screen,
    *,
    resumed: bool = False,
    opening: RenderableType | None = None,
) -> Debrief:
    """Feed replies to a session until it ends or they run out; print as it goes.

    The scene shows at once, even while the visitor's model still loads in the background; a
    reply that has to wait for it (or for the visitor's answer) shows a waiting line that is
    cleared before the turn prints. Officer and model text is shown as typed, never able to
    drive the terminal (render quotes it through for_terminal). Ctrl-C ends the practice with
    its debrief; SIGTERM/SIGHUP (lifecycle.Stopped) leave it saved as it is, for
    `cooldown practice` to carry on. `opening` replaces the scene header (a rewind or a drill
    says what it is first).
    """
    screen = out if isinstance(out, Screen) else Screen(out)
    persona = session.persona
    if opening is None:
        opening = (render.resumed if resumed else render.scene)(persona, session)
    screen.show(opening)
    coaching = session.mode is Mode.LIVE
    shown_problem = ""
    store_failed = False
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
            except StoreError as exc:
                screen.show(render.store_problem(exc, len(session.turns)))
                store_failed = True
                break
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
        try:
            room.end(session.officer_id)
        except StoreError as exc:
            if not store_failed:
                screen.show(render.store_problem(exc, len(session.turns)))
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


def process_alive(pid: int, host: str) -> bool:
    """Whether a terminal practice's process may still be running (unsure counts as running)."""
    if host != socket.gethostname():
        return True  # another machine's process: not ours to judge
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.EPERM  # it exists, as another user's process
    return True


def abandoned_here(stored: StoredSessionLike) -> bool:
    """A terminal practice whose process is gone (`kill -9`, a closed window, a crash)."""
    meta = stored.meta
    if meta.get("adapter") != ADAPTER:
        # Older terminal sessions carry no meta; Discord's always have a thread.
        return stored.officer_id.startswith("cli:") and not meta.get("thread_id")
    pid = meta.get("pid", "")
    return not (pid.isdigit() and process_alive(int(pid), meta.get("host", "")))


def _plain_streams() -> None:
    """Bytes that are not UTF-8 reach the engine as U+FFFD, and printing never raises."""
    for stream, errors in ((sys.stdin, "surrogateescape"), (sys.stdout, "replace")):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors=errors)


def run_practice(args: argparse.Namespace, app: App) -> int:
    """`cooldown practice`: an interactive session in the terminal (an interrupted one goes on)."""
    _plain_streams()
    officer = args.officer if ":" in args.officer else f"cli:{args.officer}"
    meta = {"adapter": ADAPTER, "pid": str(os.getpid()), "host": socket.gethostname()}
    try:
        app.store.ensure_officer(officer, args.officer)
        session = _interrupted(app.room, officer, args.persona)
        resumed = session is not None
        if session is not None:  # this process plays it now: not abandoned while it runs
            app.store.set_session_meta(session.id, {**session.meta, **meta})
        app.room.close_abandoned(abandoned_here)
        if session is None:
            mode = Mode.ASSESSMENT if args.assessment else Mode.LIVE
            session = app.room.start(officer, args.persona, args.difficulty, mode=mode, meta=meta)
    except StoreError as exc:
        print(f"Cannot start the practice: {exc}", file=sys.stderr)
        return 1
    screen = Screen()
    try:
        debrief = play(app.room, session, prompt_lines("You: ", screen), screen, resumed=resumed)
    except Stopped:
        again = f"cooldown practice --officer {args.officer}"
        screen.show(f"\n(practice saved: `{again}` carries on from here)")
        raise
    show_trainer_notes(app.store, officer, screen)
    if debrief.turns:
        screen.show(render_next_steps(debrief))
    return 0


def render_notes(notes: Sequence[TrainerNote]) -> str:
    """Trainer notes as the officer reads them, under their debrief."""
    lines = ["Trainer notes since your last debrief:"]
    lines += [f"  * {n.persona_name.split(',')[0]}, {n.describe()}" for n in notes]
    return "\n".join(lines)


def show_trainer_notes(store: Store, officer: str, screen: Screen | None = None) -> None:
    """Print the trainer notes the officer has not seen yet (then they count as seen)."""
    notes = store.take_unseen_notes(officer)
    if notes:
        (screen or Screen()).show("", render_notes(notes))


def render_next_steps(debrief: Debrief) -> str:
    """What the officer can do with a finished session: rewind it, report it."""
    turn = debrief.worst.number if debrief.worst else 1
    return (
        f"\nWhat if? Try another reply: cooldown rewind {debrief.session_id} --turn {turn}\n"
        f"Write the incident report you would file: cooldown report {debrief.session_id}"
    )


def _interrupted(
    room: PracticeRoom, officer: str, persona_id: str | None
) -> PracticeSession | None:
    """The officer's practice that a stopped program left in progress, to carry on.

    Asking for another persona ends it instead (it stays in the officer's history).
    """
    sessions = room.resume(officer_id=officer)
    for older in sessions[:-1]:  # only the latest is carried on; the rest count as ended
        older.end()
    session = sessions[-1] if sessions else None
    if session is not None and persona_id and persona_id != session.persona.id:
        room.end(officer)
        return None
    return session


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
