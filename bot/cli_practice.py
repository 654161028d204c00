"""Terminal practice and demo: the visitor's lines, per-reply coaching and the debrief."""

from __future__ import annotations

import argparse
import errno
import os
import socket
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, TextIO

from bot.core.debrief import Debrief
from bot.core.persona import Persona
from bot.core.practice import PracticeRoom, StoredSessionLike
from bot.core.session import Mode, PracticeSession, ReplyRejected, Turn
from bot.core.store.errors import StoreError
from bot.core.typed_text import for_terminal
from bot.core.visitor import visitor_problem
from bot.lifecycle import Stopped

if TYPE_CHECKING:
    from bot.runtime import App

ADAPTER = "terminal"  # the `adapter` a terminal practice's meta carries (see close_abandoned)


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


def render_resumed(persona: Persona, session: PracticeSession) -> str:
    """The scene header of a practice carried on after the program was stopped mid-way."""
    done = len(session.turns)
    return (
        f"== {persona.name} (difficulty {persona.difficulty}/5) ==\n"
        f"{persona.setting}\n"
        f"Carrying on your practice: {done} repl{'y' if done == 1 else 'ies'} so far, "
        f"agitation {session.agitation}/10. /end or Ctrl-C ends with a debrief.\n\n"
        f'{persona.short_name}: "{session.last_visitor_line}"'
    )


def render_turn(persona: Persona, turn: Turn, coaching: bool = True) -> str:
    """One turn as the officer sees it: scores and coaching (live mode), then the visitor."""
    lines = []
    if coaching:
        d = turn.score.dimensions
        lines.append(
            f"  [score {d['overall']}: empathy {d['empathy']}, calmness {d['calmness']}, "
            f"resolution {d['resolution']} | agitation {turn.agitation_before} -> "
            f"{turn.agitation_after}, {_trend(turn)}]"
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


def render_store_problem(error: StoreError, turns: int) -> str:
    """The store stopped taking results: what happened, and what the officer still gets."""
    saved = f"the first {turns} repl{'y' if turns == 1 else 'ies'}" if turns else "nothing"
    return (
        f"!! Your results could not be saved: {error}\n"
        f"!! The practice stops here. The record keeps {saved}, nothing half-written; "
        "your debrief follows."
    )


def play(
    room: PracticeRoom,
    session: PracticeSession,
    replies: Iterable[str],
    out: TextIO,
    show: Callable[[str], None] | None = None,
    *,
    resumed: bool = False,
) -> Debrief:
    """Feed replies to a session until it ends or they run out; print as it goes.

    Everything printed goes through for_terminal: officer text and model lines are quoted back,
    and an escape sequence in them must not clear the screen or retitle the window.
    Ctrl-C ends the practice with its debrief; SIGTERM/SIGHUP (lifecycle.Stopped) leave it
    saved as it is, for `cooldown practice` to carry on.
    """
    write = show or (lambda text: print(text, file=out, flush=True))

    def emit(text: str) -> None:
        write(for_terminal(text))

    emit((render_resumed if resumed else render_scene)(session.persona, session))
    coaching = session.mode is Mode.LIVE
    shown_problem = ""
    store_failed = False
    try:
        for text in replies:
            if text.strip() in ("/end", "/quit"):
                break
            try:
                turn = room.reply(session.officer_id, text)
            except ReplyRejected as exc:
                emit(f"  ! {exc}")
                continue
            except StoreError as exc:
                emit(render_store_problem(exc, len(session.turns)))
                store_failed = True
                break
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
        try:
            room.end(session.officer_id)
        except StoreError as exc:
            if not store_failed:
                emit(render_store_problem(exc, len(session.turns)))
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
    try:
        play(app.room, session, _prompt_lines("You: "), sys.stdout, resumed=resumed)
    except Stopped:
        again = f"cooldown practice --officer {args.officer}"
        print(f"\n(practice saved: `{again}` carries on from here)", flush=True)
        raise
    return 0


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
