"""`cooldown report` and `cooldown review`: writing up sessions and reviewing them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from bot.core.scores import CRITERIA

if TYPE_CHECKING:
    from bot.core.store import TrainerNote, Transcript
    from bot.settings import Settings

REPORT_GUIDE = (
    "Write the report you would file: what happened, when, where, who was involved, what you "
    "did, and how it ended. Finish with an empty line."
)


def read_report(read_line: Callable[[str], str] = input) -> str:
    """The report text: piped in whole, or typed line by line until an empty line."""
    if not sys.stdin.isatty():
        return sys.stdin.read()
    print(REPORT_GUIDE)
    lines = []
    while True:
        try:
            line = read_line("> ")
        except EOFError:
            break
        if not line.strip():
            break
        lines.append(line)
    return "\n".join(lines)


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    """Write the incident report for a finished session; it is checked against the transcript."""
    from bot import runtime
    from bot.core.report import file_report

    text = args.text if args.text is not None else read_report()
    with runtime.open_store(settings) as store:
        catalogue = runtime.open_catalogue(settings, store)
        check = file_report(store, catalogue, args.session, text)
    print(check.as_text())
    print(f"\nSaved with session {args.session}; it is included in cooldown export.")
    return 0


def render_transcript(transcript: Transcript, notes: Sequence[TrainerNote]) -> str:
    """A session for a trainer: every reply numbered, with its scores and the notes on it."""
    s = transcript.summary
    visitor = s.persona_name.split(",")[0]
    score = "-" if s.overall is None else f"{s.overall:.0f}"
    lines = [f"== {s.id}  {s.persona_name} - {s.outcome.label} ({s.kind.label}), overall {score}",
             f'   {visitor}: "{transcript.opening_line}"']  # fmt: skip
    for turn in transcript.turns:
        inherited = " (before the what-if)" if turn.number <= transcript.inherited else ""
        crit = " ".join(f"{c.split('_')[0][:6]}={turn.score.criterion(c)}" for c in CRITERIA)
        lines += [
            f'{turn.number:>2}. Officer ({turn.score.overall}{inherited}): "{turn.officer_text}"',
            f"    {crit}  [{turn.strategy or '-'}]",
            f'    {visitor} ({turn.agitation_before}->{turn.agitation_after}): '
            f'"{turn.visitor_reply}"',
        ]
        lines += [f"    note: {n.describe()}" for n in notes if n.turn == turn.number]
    return "\n".join(lines)


def cmd_review(args: argparse.Namespace, settings: Settings) -> int:
    """Read an officer's transcripts, comment on a reply, or override a criterion score."""
    from bot import runtime
    from bot.cli_stats import officer_id, terminal_actor

    with runtime.open_store(settings) as store:
        if args.action == "show":
            who = officer_id(args.officer)
            sessions = store.recent_sessions(who, args.count)
            if not sessions:
                print(f"No practice recorded for {who} yet.")
                return 1
            for summary in sessions:
                transcript = store.session_transcript(summary.id)
                print(render_transcript(transcript, store.session_notes(summary.id)))
                print()
            store.audit(terminal_actor(), "review", f"{who}: {len(sessions)} session(s)")
        elif args.action == "comment":
            note = store.add_note(args.session, args.turn, terminal_actor(), " ".join(args.text))
            print(f"note saved: {note.describe()}")
        else:
            note = store.override_score(args.session, args.turn, args.criterion, args.score,
                                        args.reason, terminal_actor())  # fmt: skip
            print(f"score changed (audited): {note.describe()}")
    return 0


def add_review_parsers(sub: argparse._SubParsersAction) -> None:
    """Register `report` and `review` on the `cooldown` command."""
    p = sub.add_parser("report", help="write the incident report for a session, checked")
    p.add_argument("session", help="the session id (cooldown stats NAME lists them)")
    p.add_argument("--text", help="the report (default: typed in, or piped on stdin)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("review", help="trainers: read transcripts, comment, override scores")
    actions = p.add_subparsers(dest="action", required=True)
    show = actions.add_parser("show", help="an officer's latest transcripts, replies numbered")
    show.add_argument("officer", help="officer name (cli:NAME) or id such as discord:123")
    show.add_argument("--count", type=int, default=5, help="how many sessions")
    comment = actions.add_parser("comment", help="a note on one reply, for the officer")
    comment.add_argument("session")
    comment.add_argument("turn", type=int, help="the reply number")
    comment.add_argument("text", nargs="+")
    override = actions.add_parser("override", help="replace a criterion score, with a reason")
    override.add_argument("session")
    override.add_argument("turn", type=int, help="the reply number")
    override.add_argument("criterion", help="e.g. explains_reason")
    override.add_argument("score", type=int, help="0-100")
    override.add_argument("--reason", required=True, help="why (kept in the audit log)")
    p.set_defaults(func=cmd_review)
