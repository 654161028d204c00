"""`cooldown doctor` (also `cooldown run --check`): check the set-up, say what to fix."""

from __future__ import annotations

import argparse
import sys

from bot.doctor import Finding, check_everything
from bot.lifecycle import ExitCode
from bot.settings import Settings

MARKS = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}


def cmd_doctor(args: argparse.Namespace, settings: Settings) -> int:
    """Print each check as it finishes; exit with the code `cooldown run` would fail with."""
    print("Checking the Cooldown set-up (settings from .env and the environment)...", flush=True)
    findings: list[Finding] = []
    checks = check_everything(
        settings,
        models=not args.no_model,
        discord=not args.offline,
        scripted=getattr(args, "scripted", False),
    )
    for finding in checks:
        findings.append(finding)
        print(f"{MARKS[finding.status]} {finding.what}: {finding.detail}", flush=True)
    failed = [f for f in findings if f.status == "fail"]
    if failed:
        code = failed[0].exit_code or ExitCode.FAILED
        print(f"\nFix the FAIL line(s) above: `cooldown run` would stop with exit code {code}.",
              file=sys.stderr)  # fmt: skip
        return code
    warned = sum(f.status == "warn" for f in findings)
    note = f" ({warned} warning(s) above)" if warned else ""
    print(f"\nAll set{note}: `cooldown run` can start.")
    return ExitCode.OK


def add_doctor_parser(sub: argparse._SubParsersAction) -> None:
    """Register `doctor` on the `cooldown` command."""
    p = sub.add_parser(
        "doctor",
        help="check settings, database, personas, model and Discord; say what to fix",
        description="Check what `cooldown run` needs and say what to fix. Exit code 0 when the "
        "bot can start, else the code `cooldown run` would exit with (docs/service.md).",
    )
    p.add_argument("--offline", action="store_true", help="skip the checks that ask Discord")
    p.add_argument("--no-model", action="store_true", help="skip loading the visitor and encoder")
    p.add_argument("--scripted", action="store_true", help="check for `cooldown run --scripted`")
    p.set_defaults(func=cmd_doctor)
