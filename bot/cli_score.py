"""`cooldown score`: score one reply (readable), or JSON lines from stdin (one object per line)."""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, TextIO

from bot.core.scores import CRITERIA, CRITERION_LABELS, DIMENSIONS, Rubric, RubricScore, shown
from bot.core.session import MAX_REPLY_CHARS

log = logging.getLogger(__name__)

BATCH = 64  # JSON lines scored per encoder call: fast, and output keeps flowing on big inputs
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def add_score_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the `score` subcommand on the `cooldown` parser."""
    p = subparsers.add_parser(
        "score",
        help="score a reply for empathy, calmness and resolution",
        description="Score an officer reply with evidence and coaching. With --jsonl, read "
        '{"reply": ..., "visitor": ...} lines from stdin and write one JSON object per line.',
    )
    p.add_argument("reply", nargs="?", help="the officer's reply (quote it)")
    p.add_argument("--visitor", default="", help="the visitor line the reply answers")
    p.add_argument("--jsonl", action="store_true", help="batch mode: JSON lines in, JSON lines out")
    p.add_argument("--json", action="store_true", help="print the single score as JSON")
    p.add_argument(
        "--patterns-only", action="store_true", help="no sentence encoder (instant, lower quality)"
    )
    p.set_defaults(func=cmd_score)
    return p


def cmd_score(args: argparse.Namespace, settings: Any) -> int:
    """Handler of `cooldown score`."""
    if not args.jsonl and args.reply is None:
        print(
            'Give a reply to score, e.g. cooldown score "I can see you\'re worried."',
            file=sys.stderr,
        )
        return 2
    rubric = _rubric(settings, args.patterns_only)
    if args.jsonl:
        # Bytes that are not UTF-8 become an error line for their own line, not a crash.
        reconfigure = getattr(sys.stdin, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="surrogateescape")
        score_jsonl(sys.stdin, sys.stdout, rubric)
        return 0
    score = rubric.score(args.reply, args.visitor)
    if args.json:
        print(json.dumps(score_record(score), ensure_ascii=False))
    else:
        print(format_score(score, args.reply, args.visitor))
    return 0


def _rubric(settings: Any, patterns_only: bool) -> Rubric:
    if patterns_only or settings is None:
        from bot.core.rubric import build_rubric

        return build_rubric()
    from bot import runtime

    return runtime.build_rubric(settings)


def score_record(score: RubricScore) -> dict[str, object]:
    """The --jsonl output object: scores as plain ints, coaching, flags and evidence, plus the
    criteria that did not apply (their `criteria` value is only the model's estimate; they are
    left out of the dimensions), the strategy label and the LEAPS steps."""
    strategy = score.strategy
    return {
        "criteria": {c: score.criteria[c].score for c in CRITERIA},
        "dimensions": {d: score.dimensions[d] for d in DIMENSIONS},
        "not_applicable": list(score.not_applicable),
        "strategy": strategy.label if strategy else None,
        "leaps": list(strategy.leaps) if strategy else [],
        "coaching": list(score.coaching),
        "flags": list(score.flags),
        "evidence": {c: list(score.criteria[c].evidence) for c in CRITERIA},
        "criterion_coaching": {c: score.criteria[c].coaching for c in CRITERIA},
        "strategy_evidence": list(strategy.evidence) if strategy else [],
    }


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON value")


def _has_surrogate(value: object) -> bool:
    if isinstance(value, str):
        return bool(_SURROGATE.search(value))
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    return False


def _parse(line: str) -> tuple[str, str, object] | str:
    """(reply, visitor, id) from one JSON line, or the error message."""
    if _SURROGATE.search(line):
        return "the line is not UTF-8 text"
    try:
        data = json.loads(line, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        return f"not valid JSON: {exc.msg} (column {exc.colno})"
    except ValueError as exc:  # NaN / Infinity: Python accepts them, JSON does not
        return f"not valid JSON: {exc}"
    except RecursionError:
        return "not usable JSON: nested too deeply"
    if not isinstance(data, dict):
        return 'each line must be a JSON object like {"reply": "...", "visitor": "..."}'
    try:
        unusable = _has_surrogate(data)
    except RecursionError:
        return "not usable JSON: nested too deeply"
    if unusable:  # "\udcff" escapes: valid JSON, but not text
        return "a string holds a lone surrogate (\\ud800-\\udfff), which is not text"
    reply, visitor = data.get("reply"), data.get("visitor", "")
    if not isinstance(reply, str):
        return '"reply" is missing or not a string'
    if not reply.strip():
        return '"reply" is empty: there is nothing to score'
    if len(reply) > MAX_REPLY_CHARS:
        return f'"reply" is {len(reply):,} characters; at most {MAX_REPLY_CHARS:,} are scored'
    if visitor is None:
        visitor = ""
    if not isinstance(visitor, str):
        return '"visitor" must be a string when given'
    return reply, visitor, data.get("id")


def _score_all(rubric: Rubric, pairs: list[tuple[str, str]]) -> list[RubricScore | str]:
    """Scores for a batch; if the batch fails, each pair alone, so one bad pair costs one line."""
    if not pairs:
        return []
    try:
        return list(rubric.score_many(pairs))
    except Exception:  # noqa: BLE001 - retried one by one below
        log.warning("a batch of %d replies failed to score; scoring them one by one", len(pairs))
    results: list[RubricScore | str] = []
    for reply, visitor in pairs:
        try:
            results.append(rubric.score(reply, visitor))
        except Exception as exc:  # noqa: BLE001 - becomes this line's error
            log.exception("scoring one reply failed")
            results.append(f"could not be scored ({type(exc).__name__})")
    return results


def _record_line(record: dict[str, object], number: int) -> str:
    """One JSON output line; always valid JSON, whatever the input carried."""
    try:
        return json.dumps(record, ensure_ascii=False, allow_nan=False)
    except (ValueError, TypeError, RecursionError):
        return json.dumps({"error": "the result could not be written as JSON", "line": number})


def _chunks(lines: Iterable[str], size: int) -> Iterator[list[str]]:
    it = iter(lines)
    while chunk := list(islice(it, size)):
        yield chunk


def score_jsonl(lines: Iterable[str], out: TextIO, rubric: Rubric, batch: int = BATCH) -> int:
    """Score JSON lines in batches, one JSON object out per non-blank line in; returns the count."""
    written = 0
    number = 0
    for chunk in _chunks(lines, batch):
        parsed: list[tuple[int, tuple[str, str, object] | str]] = []
        for line in chunk:
            number += 1
            if line.strip():
                parsed.append((number, _parse(line)))
        pairs = [(p[0], p[1]) for _, p in parsed if isinstance(p, tuple)]
        scores = iter(_score_all(rubric, pairs))
        for at, item in parsed:
            record: dict[str, object]
            if isinstance(item, str):
                record = {"error": item, "line": at}
            else:
                score = next(scores)
                if isinstance(score, str):
                    record = {"error": score, "line": at}
                else:
                    record = score_record(score)
                if item[2] is not None:
                    record = {"id": item[2], **record}
            out.write(_record_line(record, at) + "\n")
            written += 1
        out.flush()
    return written


def format_score(score: RubricScore, reply: str, visitor: str = "") -> str:
    """A readable report: dimensions, each criterion with its evidence and tip, then coaching."""
    lines = [f'Reply:   "{_clip(reply)}"']
    if visitor:
        lines.append(f'Visitor: "{_clip(visitor)}"')
    lines.append("Scores:  " + " | ".join(f"{d} {shown(score.dimensions[d])}" for d in DIMENSIONS))
    if score.strategy:
        s = score.strategy
        said = "; ".join(f'"{e}"' for e in s.evidence)
        lines.append(f"Strategy: {s.label}" + (f" ({said})" if said else ""))
        lines.append(f"LEAPS:   {', '.join(s.leaps) or 'none of the steps'}")
    if score.flags:
        lines.append("Flags:   " + ", ".join(score.flags))
    if score.not_applicable:
        names = ", ".join(CRITERION_LABELS[c].lower() for c in score.not_applicable)
        lines.append(f"Not applicable here (not scored or averaged): {names}")
    lines.append("")
    for name in CRITERIA:
        c = score.criteria[name]
        if not c.applicable:
            lines.append(f"  {CRITERION_LABELS[name]:<27} n/a  {'':<10}  {c.coaching}")
            continue
        evidence = "; ".join(f'"{e}"' for e in c.evidence) or "-"
        lines.append(f"  {CRITERION_LABELS[name]:<27} {c.score:>3}  {_bar(c.score)}  {evidence}")
        lines.append(f"  {'':<27}      {c.coaching}")
    lines.append("")
    lines.append("Coaching:")
    lines += [f"  {i}. {tip}" for i, tip in enumerate(score.coaching, 1)]
    return "\n".join(lines)


def _bar(value: int, width: int = 10) -> str:
    filled = round(value / 100 * width)
    return "#" * filled + "." * (width - filled)


def _clip(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
