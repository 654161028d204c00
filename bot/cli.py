"""The `cooldown` command: practice, demo, score, personas, stats, leaderboard, export, run."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.core.persona import PersonaError, PersonaLibrary, UnknownPersona, load_persona
from bot.core.practice import NoPersonaAvailable, PracticeRoom
from bot.settings import Settings, get_settings

log = logging.getLogger(__name__)


def _room(settings: Settings, scripted: bool, record: bool) -> PracticeRoom:
    from bot import runtime

    store = runtime.open_store(settings) if record else None
    library = runtime.load_library(settings, store)
    for error in library.errors:
        print(f"warning: {error}", file=sys.stderr)
    encoder = runtime.build_encoder(settings)
    visitor = runtime.build_visitor(settings, scripted=scripted, encoder=encoder)
    return PracticeRoom(library, visitor, runtime.build_rubric(settings, encoder), store)


def cmd_practice(args: argparse.Namespace, settings: Settings) -> int:
    """Interactive practice in the terminal, recorded in the database."""
    from bot.cli_practice import run_practice

    room = _room(settings, args.scripted, record=True)
    try:
        return run_practice(args, room)
    finally:
        if room.store is not None:
            room.store.close()  # type: ignore[attr-defined]


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """A scripted good and poor officer against one persona, printed in full."""
    from bot.cli_practice import run_demo

    room = _room(settings, args.scripted, record=False)
    persona = room.library.get(args.persona)
    if not (persona.good_examples and persona.poor_examples):
        print(f"Persona '{persona.id}' has no officer_examples to play the demo with.")
        return 2
    run_demo(room, persona, sys.stdout)
    return 0


def cmd_personas(args: argparse.Namespace, settings: Settings) -> int:
    """List, show or validate persona files."""
    if args.action == "validate":
        failed = 0
        for path in args.paths:
            try:
                persona = load_persona(path)
            except PersonaError as exc:
                failed += 1
                print(f"FAIL {exc}")
            else:
                print(f"ok   {path}: {persona.name} (difficulty {persona.difficulty})")
        return 1 if failed else 0
    library = PersonaLibrary.from_directory(settings.path(settings.personas_dir))
    if args.action == "list":
        print(f"{'id':<28} {'diff':>4} {'start':>5}  name / setting")
        for pid in library.ids():
            p = library.personas[pid]
            print(f"{pid:<28} {p.difficulty:>4} {p.start_agitation:>5}  {p.name} - {p.setting}")
        for error in library.errors:
            print(f"skipped: {error}")
        return 0
    persona = library.get(args.id)
    print(f"# {persona.id} ({persona.source})\n{persona.to_yaml()}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="cooldown", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("practice", help="practise against a visitor in the terminal")
    p.add_argument("--persona", help="persona id (default: random)")
    p.add_argument("--difficulty", type=int, choices=range(1, 6), help="random persona at 1-5")
    p.add_argument("--officer", default="trainee", help="your name (results are kept per name)")
    p.add_argument("--assessment", action="store_true", help="coaching only in the debrief")
    p.add_argument("--scripted", action="store_true", help="scripted visitor instead of a model")
    p.set_defaults(func=cmd_practice)

    p = sub.add_parser("demo", help="watch a good and a poor officer handle the same visitor")
    p.add_argument("--persona", default="hospital_emergency_son", help="persona id")
    p.add_argument("--scripted", action="store_true", help="scripted visitor instead of a model")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("personas", help="list, show or validate personas")
    psub = p.add_subparsers(dest="action", required=True)
    psub.add_parser("list", help="shipped personas")
    show = psub.add_parser("show", help="one persona as YAML")
    show.add_argument("id")
    val = psub.add_parser("validate", help="check persona files")
    val.add_argument("paths", nargs="+")
    p.set_defaults(func=cmd_personas)

    _add_optional_commands(sub)
    return parser


def _add_optional_commands(sub: argparse._SubParsersAction) -> None:
    """Subcommands that live in their own modules (score, stats/leaderboard/export, run)."""
    from bot.cli_score import add_score_parser
    from bot.cli_stats import add_stats_parsers

    add_score_parser(sub)
    add_stats_parsers(sub)
    from bot.discord.cli import add_run_parser

    add_run_parser(sub)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `cooldown` console script and `python -m bot`."""
    args = build_parser().parse_args(argv)
    settings = get_settings()
    # The bot logs at LOG_LEVEL; terminal commands only show warnings unless -v is given.
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    if args.command != "run":
        level = max(level, logging.WARNING)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else level,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return int(args.func(args, settings) or 0)
    except (UnknownPersona, NoPersonaAvailable) as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
