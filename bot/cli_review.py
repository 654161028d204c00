"""`cooldown report`, `cooldown review` and `cooldown digest`: writing up and reviewing sessions."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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


def add_review_parsers(sub: argparse._SubParsersAction) -> None:
    """Register `report` on the `cooldown` command."""
    p = sub.add_parser("report", help="write the incident report for a session, checked")
    p.add_argument("session", help="the session id (cooldown stats NAME lists them)")
    p.add_argument("--text", help="the report (default: typed in, or piped on stdin)")
    p.set_defaults(func=cmd_report)
