"""The `cooldown` command: practice, demo, rewind, drill, report, review, personas, score, stats,
leaderboard, digest, export, run."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from bot import lifecycle
from bot.cli_stats import terminal_actor
from bot.core.catalogue import Origin, PersonaCatalogue
from bot.core.drills import NoDrillYet
from bot.core.persona import PersonaError, UnknownPersona, load_persona
from bot.core.practice import NoPersonaAvailable
from bot.core.report import ReportRefused
from bot.core.rewind import CannotRewind
from bot.core.store import StoreError
from bot.lifecycle import ExitCode
from bot.settings import Settings, get_settings

if TYPE_CHECKING:
    from bot.runtime import App

log = logging.getLogger(__name__)


def _app(settings: Settings, scripted: bool, record: bool) -> App:
    from bot import runtime
    from bot.terminal import render
    from bot.terminal.screen import Screen

    # one line says what the wait is for, and is gone before the scene prints
    screen = Screen(sys.stderr)
    with screen.waiting(lambda: render.starting(screen.ellipsis)):
        app = runtime.build_app(settings, scripted=scripted, record=record)
        for error in app.catalogue.errors:
            print(f"warning: {error}", file=sys.stderr)
    return app


def cmd_practice(args: argparse.Namespace, settings: Settings) -> int:
    """Interactive practice in the terminal, recorded in the database."""
    from bot.cli_practice import run_practice

    with _app(settings, args.scripted, record=True) as app:
        return run_practice(args, app)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """A scripted good and poor officer against one persona, printed in full."""
    from bot.cli_practice import run_demo

    with _app(settings, args.scripted, record=False) as app:
        persona = app.catalogue.get(args.persona)
        if not (persona.good_examples and persona.poor_examples):
            print(f"Persona '{persona.id}' has no officer_examples to play the demo with.")
            return 2
        run_demo(app.room, persona, sys.stdout)
    return 0


def cmd_personas(args: argparse.Namespace, settings: Settings) -> int:
    """List, show, validate, add, disable or enable personas."""
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
    from bot import runtime

    with runtime.open_store(settings) as store:
        catalogue = runtime.open_catalogue(settings, store)
        return _persona_action(args, catalogue)


def _persona_action(args: argparse.Namespace, catalogue: PersonaCatalogue) -> int:
    if args.action == "list":
        print(f"{'id':<28} {'diff':>4} {'start':>5}  name / setting")
        for entry in catalogue.entries():
            p = entry.persona
            marks = "".join(
                [" [trainer]" if entry.origin is Origin.TRAINER else "",
                 "" if entry.enabled else " [disabled]"]
            )  # fmt: skip
            print(
                f"{p.id:<28} {p.difficulty:>4} {p.start_agitation:>5}  "
                f"{p.name} - {p.setting}{marks}"
            )
        for error in catalogue.errors:
            print(f"skipped: {error}")
        return 0
    if args.action == "show":
        persona = catalogue.known(args.id)
        state = "" if catalogue.is_enabled(persona.id) else ", disabled"
        print(f"# {persona.id} ({persona.source}{state})\n{persona.to_yaml()}")
        return 0
    if args.action == "add":
        path = Path(args.path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            print(f"{path}: cannot read it ({exc.strerror or exc})", file=sys.stderr)
            return 1
        except UnicodeDecodeError:
            print(f"{path}: field '(file)': is not UTF-8 text. Fix: save it as UTF-8")
            return 1
        try:
            saved = catalogue.add(args.id or path.stem, text, terminal_actor(), source=str(path))
        except PersonaError as exc:
            print(f"FAIL {exc}")
            return 1
        note = " (it replaces the persona that had this id)" if saved.replaced else ""
        print(f"saved persona '{saved.persona.id}': {saved.persona.name}{note}")
        return 0
    if args.action == "disable":
        persona = catalogue.disable(args.id, terminal_actor())
        print(f"persona '{persona.id}' is disabled; running practices with it finish normally")
        return 0
    persona = catalogue.enable(args.id, terminal_actor())
    print(f"persona '{persona.id}' is enabled")
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

    p = sub.add_parser("personas", help="list, show, validate, add, disable or enable personas")
    psub = p.add_subparsers(dest="action", required=True)
    psub.add_parser("list", help="every persona, trainer-added and disabled ones marked")
    show = psub.add_parser("show", help="one persona as YAML")
    show.add_argument("id")
    val = psub.add_parser("validate", help="check persona files")
    val.add_argument("paths", nargs="+")
    add = psub.add_parser("add", help="add a persona file for everyone (terminal and Discord)")
    add.add_argument("path", help="a persona .yaml file")
    add.add_argument("--id", help="persona id (default: the file name)")
    for action, text in (("disable", "stop offering a persona"), ("enable", "offer it again")):
        psub.add_parser(action, help=text).add_argument("id")
    p.set_defaults(func=cmd_personas)

    _add_optional_commands(sub)
    return parser


def _add_optional_commands(sub: argparse._SubParsersAction) -> None:
    """Subcommands that live in their own modules (score, stats/leaderboard/export, rewind and
    the learning loop, review, run, doctor)."""
    from bot.cli_doctor import add_doctor_parser
    from bot.cli_review import add_review_parsers
    from bot.cli_rewind import add_rewind_parsers
    from bot.cli_score import add_score_parser
    from bot.cli_stats import add_stats_parsers

    add_score_parser(sub)
    add_stats_parsers(sub)
    add_rewind_parsers(sub)
    add_review_parsers(sub)
    from bot.discord.cli import add_run_parser

    add_run_parser(sub)
    add_doctor_parser(sub)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `cooldown` console script and `python -m bot` (argv: in-process use).

    Every command ends with a documented exit code (bot.lifecycle.ExitCode): SIGTERM and SIGHUP
    unwind like Ctrl-C, closing the model worker and the store on the way out.
    """
    code = _command(argv)
    if argv is None:  # the program itself: no thread of ours may outlive the interpreter
        code = lifecycle.leave(code)
    return code


def _command(argv: Sequence[str] | None) -> int:
    from bot.terminal.logs import configure

    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
    except ValidationError as exc:
        print(f"cooldown: {settings_problem(exc)}", file=sys.stderr)
        return ExitCode.USAGE
    # The bot logs at LOG_LEVEL; terminal commands only show warnings unless -v is given.
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    if args.command != "run" or getattr(args, "check", False):
        level = max(level, logging.WARNING)
    # the model libraries' bars and load reports only with -v (or LOG_LEVEL=DEBUG)
    configure(level, verbose=args.verbose or level <= logging.DEBUG)
    try:
        with lifecycle.stop_on_signals():
            return int(args.func(args, settings) or 0)
    except (UnknownPersona, NoPersonaAvailable, CannotRewind, NoDrillYet, ReportRefused) as exc:
        print(exc, file=sys.stderr)
        return ExitCode.USAGE
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return ExitCode.FAILED
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    except lifecycle.Stopped as exc:
        print(f"cooldown {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception:
        log.exception("cooldown %s failed unexpectedly", args.command)
        return ExitCode.FAILED


def settings_problem(exc: ValidationError) -> str:
    """One line naming each setting that is wrong (pydantic's own text is several per field)."""
    parts = []
    for error in exc.errors():
        name = "_".join(str(x) for x in error.get("loc", ())).upper() or "(settings)"
        secret = any(word in name for word in ("TOKEN", "KEY"))
        got = "" if secret else f" (got {error.get('input')!r})"
        parts.append(f"{name}: {error.get('msg', 'invalid')}{got}")
    return "setting " + "; ".join(parts) + ". Fix it in .env or the environment."
