"""`cooldown stats|leaderboard|export|forget|team`: results and trainer tools in a terminal."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import logging
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.core.session import SessionKind

if TYPE_CHECKING:
    from bot.core.store import SessionSummary, Store
    from bot.settings import Settings

log = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace, "Store"], int]
PERIODS = ("week", "month", "all")
_NUMBER = re.compile(r"^(-|\d+(\.\d+)?%?|\d+/\d+)$")  # right-aligned in tables
PERIOD_WORDS = {"week": "last 7 days", "month": "last 30 days", "all": "all time"}


def officer_id(name: str) -> str:
    """A CLI officer name as an officer id ("alice" -> "cli:alice"; "discord:1" stays)."""
    name = name.strip()
    return name if ":" in name else f"cli:{name}"


def terminal_actor() -> str:
    """Who ran a trainer command in this terminal, as the audit log records it."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in some containers
        return "cli:unknown"


def _when(ts: float | None) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M") if ts else "-"


def _num(value: float | None) -> float | str:
    return "-" if value is None else round(value, 1)


def _kind(summary: SessionSummary) -> str:
    if summary.kind is SessionKind.REWIND:
        return f"what-if@{summary.branch_turn}"
    if summary.kind is SessionKind.DRILL:
        return f"drill:{summary.focus}"
    return "practice"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Rows as an aligned plain-text table (numbers right-aligned)."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    numeric = [
        bool(rows) and all(isinstance(r[i], int | float) or _NUMBER.match(str(r[i])) for r in rows)
        for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)


def write_chart(path: Path, png: bytes) -> None:
    """Save a PNG chart and say where."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)
    print(f"chart written to {path}")


def cmd_stats(args: argparse.Namespace, store: Store) -> int:
    """An officer's progress, streaks, best per persona and recent sessions (or a team's weeks)."""
    from bot.cli_progress import print_learning, print_team_weeks

    if args.team:
        return print_team_weeks(store, args.team, args.weeks, args.chart)
    if not args.officer:
        print("Name an officer (cooldown stats NAME) or a team (cooldown stats --team NAME).")
        return 2
    oid = officer_id(args.officer)
    progress = store.officer_progress(oid)
    recent = store.officer_history(oid, args.limit)
    if not recent:
        print(f"No practice recorded for {oid} yet.")
        return 1
    teams = store.teams_of(oid)
    print(f"{progress.display_name} ({oid})" + (f" - teams: {', '.join(teams)}" if teams else ""))
    print(
        f"Scored sessions: {progress.sessions}   resolved: {progress.resolved} "
        f"({progress.resolution_rate:.0%})   resolved in a row: {progress.resolved_streak}   "
        f"days in a row: {progress.day_streak}"
    )
    if progress.points:
        last5 = progress.points[-5:]
        rows = [
            (
                dim.capitalize(),
                progress.points[-1].scores[dim],
                round(sum(p.scores[dim] for p in last5) / len(last5), 1),
                max(p.scores[dim] for p in progress.points),
            )
            for dim in ("empathy", "calmness", "resolution", "overall")
        ]
        print()
        print(table(("Dimension", "Last", "Mean of last 5", "Best"), rows))
        print()
        print(table(("Persona", "Best overall"), list(progress.best_by_persona.items())))
        print_learning(progress, args.criteria_chart)
    print_drills(store, oid)
    notes = store.officer_notes(oid, limit=5)
    if notes:
        print("\nTrainer notes (latest first)")
        for note in notes:
            print(f"  {_when(note.at)}  {note.persona_name.split(',')[0]}, {note.describe()}")
    print()
    print(
        table(
            ("Started", "Persona", "Kind", "Mode", "Outcome", "Turns", "Overall", "Session"),
            [
                (_when(s.started_at), s.persona_id, _kind(s), str(s.mode), str(s.outcome),
                 s.turns, _num(s.overall), s.id)
                for s in recent
            ],
        )  # fmt: skip
    )
    if args.chart:
        from bot.core.charts import progress_chart

        title = f"{progress.display_name} - progress over {progress.sessions} sessions"
        write_chart(args.chart, progress_chart(progress, title))
    return 0


def print_drills(store: Store, oid: str) -> None:
    """The officer's drill schedule: each drilled skill, when it is due, its scores so far."""
    from bot.core.drills import due_drills

    now = store.now()
    due = due_drills(store, oid, now)
    if not due:
        return
    print()
    print("Drills (cooldown drill; each passed drill puts the next one on that skill further off)")
    print(table(("Skill", "Next", "Drill scores"),
                [(d.label, d.when(now), " -> ".join(f"{x:.0f}" for x in d.scores) or "-")
                 for d in due]))  # fmt: skip


def cmd_leaderboard(args: argparse.Namespace, store: Store) -> int:
    """Individual (or, with --teams, team; with --improved, most improved) leaderboard."""
    when = PERIOD_WORDS[args.period]
    if args.improved:
        from bot.cli_progress import print_improved

        print_improved(store.most_improved(args.period, args.team, args.limit), when)
        return 0
    if args.teams:
        board = store.team_leaderboard(args.period, args.limit)
        title = f"Team leaderboard - {when}"
        rows = [
            (r.rank, r.team, r.score, f"{r.qualifying_members}/{r.members}", r.sessions,
             f"{r.resolution_rate:.0%}", r.top_officer)
            for r in board.rows
        ]  # fmt: skip
        headers = ("#", "Team", "Score", "Qualifying", "Sessions", "Resolved", "Top officer")
        empty = "No team has 2 officers with 3+ finished sessions in this period yet."
    else:
        board = store.individual_leaderboard(args.period, args.team, args.limit)
        title = f"Leaderboard - {when}" + (f" - team {args.team}" if args.team else "")
        rows = [
            (r.rank, r.display_name, r.score, r.sessions, f"{r.resolution_rate:.0%}",
             r.resolved_streak, r.day_streak)
            for r in board.rows
        ]  # fmt: skip
        headers = ("#", "Officer", "Score", "Sessions", "Resolved", "Streak", "Days")
        empty = "Nobody has 3 finished sessions in this period yet."
    print(title)
    print(table(headers, rows) if rows else empty)
    print("\nOfficer score: mean overall of their best 5 sessions (3+ sessions to qualify)."
          + ("\nTeam score: mean of its qualifying officers' scores (2+ needed)."
             if args.teams else "")
          + "\nSee docs/leaderboard.md.")  # fmt: skip
    if args.chart:
        from bot.core.charts import team_chart

        write_chart(args.chart, team_chart(board.rows, title))
    return 0


def cmd_export(args: argparse.Namespace, store: Store) -> int:
    """Results as CSV for a spreadsheet, or one officer's data as JSON (--officer)."""
    if args.officer:
        data = store.export_officer(officer_id(args.officer), actor=terminal_actor())
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"wrote {len(data['sessions'])} sessions of {officer_id(args.officer)} to {args.out}")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    rows = store.export_csv(args.out, team=args.team, period=args.period, actor=terminal_actor())
    print(f"wrote {rows} rows (one per turn) to {args.out}")
    return 0


def cmd_forget(args: argparse.Namespace, store: Store) -> int:
    """Delete everything stored about an officer (needs --yes)."""
    oid = officer_id(args.officer)
    if not args.yes:
        sessions = len(store.officer_history(oid, 100_000))
        print(
            f"This deletes {oid}, their team memberships and {sessions} session(s) with every "
            "turn, for good. Run again with --yes to do it.",
            file=sys.stderr,
        )
        return 2
    counts = store.forget_officer(oid, actor=terminal_actor())
    print(
        f"forgot {oid}: {counts['sessions']} session(s), {counts['turns']} turn(s), "
        f"{counts['memberships']} team membership(s)"
    )
    return 0


def cmd_team(args: argparse.Namespace, store: Store) -> int:
    """Create, delete, list teams and add or remove members."""
    actor = terminal_actor()
    if args.action == "create":
        team = store.create_team(args.name, actor)
        print(f"created team '{team.name}'")
    elif args.action == "delete":
        removed = store.delete_team(args.name, actor)
        print(f"deleted team '{args.name}' ({removed} member(s) removed; their results stay)")
    elif args.action in ("add", "remove"):
        for name in args.officers:
            oid = officer_id(name)
            if args.action == "add":
                store.add_member(args.name, oid, actor)
                print(f"added {oid} to '{args.name}'")
            else:
                store.remove_member(args.name, oid, actor)
                print(f"removed {oid} from '{args.name}'")
    elif args.name:
        members = store.team_members(args.name)
        print(table(("Officer", "Id"), [(o.display_name, o.id) for o in members])
              if members else f"Team '{args.name}' has no members yet.")  # fmt: skip
    else:
        teams = store.teams()
        print(table(("Team", "Members", "Created"), [(t.name, t.members, _when(t.created_at))
                                                     for t in teams])
              if teams else "No teams yet. Create one: cooldown team create NAME")  # fmt: skip
    return 0


def _with_store(handler: Handler) -> Callable[[argparse.Namespace, Settings], int]:
    """Adapt a (args, store) handler to the CLI's (args, settings) calling convention."""

    def run(args: argparse.Namespace, settings: Settings) -> int:
        from bot import runtime
        from bot.core.store import StoreError

        try:
            store = runtime.open_store(settings)
        except StoreError as exc:
            print(exc, file=sys.stderr)
            return 1
        try:
            return handler(args, store)
        except StoreError as exc:
            print(exc, file=sys.stderr)
            return 1
        finally:
            store.close()

    run.__doc__ = handler.__doc__
    return run


def add_stats_parsers(subparsers: argparse._SubParsersAction) -> None:
    """Add stats, leaderboard, export, forget and team to the `cooldown` parser."""

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        parser = subparsers.add_parser(name, help=help_text, description=handler.__doc__)
        parser.set_defaults(func=_with_store(handler), store_func=handler)
        return parser

    p = add("stats", cmd_stats, "an officer's progress and recent sessions")
    p.add_argument("officer", nargs="?", help="officer name (cli:NAME) or id like discord:123")
    p.add_argument("--limit", type=int, default=10, help="recent sessions to list")
    p.add_argument("--chart", type=Path, help="also write a progress chart PNG here")
    p.add_argument("--criteria-chart", type=Path, help="also write criteria and strategy PNG")
    p.add_argument("--team", help="a team's criteria and strategy by week instead")
    p.add_argument("--weeks", type=int, default=8, help="with --team: how many weeks")

    p = add("leaderboard", cmd_leaderboard, "individual or team leaderboard")
    p.add_argument("--period", choices=PERIODS, default="week")
    p.add_argument("--team", help="only this team's officers")
    p.add_argument("--teams", action="store_true", help="rank teams instead of officers")
    p.add_argument("--improved", action="store_true", help="the most-improved board instead")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--chart", type=Path, help="also write a bar chart PNG here")

    from bot.cli_progress import add_digest_parser

    add_digest_parser(add)

    p = add("export", cmd_export, "results as CSV, or one officer's data as JSON")
    p.add_argument("--out", type=Path, required=True, help="file to write (.csv, or .json)")
    p.add_argument("--team", help="only this team's officers")
    p.add_argument("--period", choices=PERIODS, help="only sessions started in this period")
    p.add_argument("--officer", help="privacy export: everything about this officer, as JSON")

    p = add("forget", cmd_forget, "delete everything stored about an officer")
    p.add_argument("officer")
    p.add_argument("--yes", action="store_true", help="really delete")

    p = add("team", cmd_team, "manage teams")
    actions = p.add_subparsers(dest="action", required=True)
    actions.add_parser("create", help="create a team").add_argument("name")
    actions.add_parser("delete", help="delete a team (results stay)").add_argument("name")
    for action in ("add", "remove"):
        sub = actions.add_parser(action, help=f"{action} officers")
        sub.add_argument("name", help="team name")
        sub.add_argument("officers", nargs="+", help="officer names or ids")
    actions.add_parser("list", help="teams, or one team's members").add_argument(
        "name", nargs="?"
    )
