"""`cooldown run [--sync]`: the terminal command that starts the Discord bot."""

from __future__ import annotations

import argparse
import sys

from bot.lifecycle import ExitCode, Stopped
from bot.settings import Settings


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Start the Discord bot; a start-up problem is one line on stderr and its exit code.

    Stopped by a signal (even while the model loads) it exits 0: a service stopping as asked.
    """
    if args.check:
        from bot.cli_doctor import cmd_doctor

        return cmd_doctor(args, settings)
    from bot.discord.run import CannotStart, run_bot

    try:
        return run_bot(settings, sync=args.sync, scripted=args.scripted)
    except CannotStart as exc:
        print(f"cooldown run: {exc}", file=sys.stderr)
        return exc.exit_code
    except (KeyboardInterrupt, Stopped):
        return ExitCode.OK


def add_run_parser(sub: argparse._SubParsersAction) -> None:
    """Register `run` on the `cooldown` command (kept light: discord is imported on use)."""
    p = sub.add_parser("run", help="start the Discord bot (see docs/discord.md)")
    p.add_argument(
        "--sync",
        action="store_true",
        help="publish slash commands on start (to DEV_GUILD_ID if set, else globally)",
    )
    p.add_argument("--scripted", action="store_true", help="scripted visitor instead of a model")
    p.add_argument(
        "--check", action="store_true", help="check the set-up and exit (same as cooldown doctor)"
    )
    p.set_defaults(func=cmd_run, offline=False, no_model=False)
