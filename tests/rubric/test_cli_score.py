"""`cooldown score` in-process: the readable report and the --jsonl batch mode."""

from __future__ import annotations

import argparse
import io
import json

import pytest

from bot.cli_score import add_score_parser, format_score, score_jsonl
from bot.core.rubric import ReplyRubric
from bot.core.scores import CRITERIA, CRITERION_LABELS, DIMENSIONS


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="cooldown")
    add_score_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def _run_jsonl(rubric: ReplyRubric, text: str, batch: int = 64) -> list[dict]:
    out = io.StringIO()
    score_jsonl(io.StringIO(text), out, rubric, batch=batch)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_jsonl_scores_each_line_in_order_and_bad_lines_get_errors(any_rubric: ReplyRubric) -> None:
    lines = [
        json.dumps({"reply": "Calm down.", "visitor": "Where is my mum?", "id": "a"}),
        "not json at all",
        json.dumps(["a", "list"]),
        "",
        json.dumps({"visitor": "no reply here"}),
        json.dumps({"reply": "I can see you're worried. Let me call the ward.", "visitor": 7}),
        json.dumps({"reply": "I can see you're worried. Let me call the ward."}),
        json.dumps({"reply": ""}),
    ]
    records = _run_jsonl(any_rubric, "\n".join(lines) + "\n", batch=3)
    assert len(records) == 7  # the blank line is skipped
    first, bad_json, not_object, no_reply, bad_visitor, good, empty = records
    assert first["id"] == "a"
    assert set(first["criteria"]) == set(CRITERIA) and set(first["dimensions"]) == set(DIMENSIONS)
    assert all(isinstance(v, int) for v in first["criteria"].values())
    assert all(isinstance(t, str) for t in first["coaching"]) and first["coaching"]
    assert "calm_down" in first["flags"]
    assert bad_json["error"] and bad_json["line"] == 2
    assert "object" in not_object["error"]
    assert "reply" in no_reply["error"]
    assert "visitor" in bad_visitor["error"]
    assert good["dimensions"]["overall"] > first["dimensions"]["overall"]
    assert empty == {"error": '"reply" is empty: there is nothing to score', "line": 8}


def test_jsonl_matches_single_scoring(plain: ReplyRubric) -> None:
    pairs = [("Sorry about the wait, sir. Let me check.", "Hello?"), ("Whatever.", "Hello?")]
    text = "".join(json.dumps({"reply": r, "visitor": v}) + "\n" for r, v in pairs)
    records = _run_jsonl(plain, text)
    for record, (reply, visitor) in zip(records, pairs, strict=True):
        assert record["dimensions"] == plain.score(reply, visitor).dimensions


def test_score_command_prints_a_readable_report(capsys: pytest.CaptureFixture[str]) -> None:
    args = _parse(["score", "I understand, but rules are rules.", "--visitor", "Let me in!",
                   "--patterns-only"])  # fmt: skip
    assert args.func(args, None) == 0
    out = capsys.readouterr().out
    for name in CRITERIA:
        assert CRITERION_LABELS[name] in out
    assert '"rules are rules"' in out.lower()
    assert "Coaching:" in out and "overall" in out


def test_score_command_json_and_missing_reply(capsys: pytest.CaptureFixture[str]) -> None:
    args = _parse(["score", "Let me help you.", "--json", "--patterns-only"])
    assert args.func(args, None) == 0
    assert set(json.loads(capsys.readouterr().out)["dimensions"]) == set(DIMENSIONS)
    args = _parse(["score", "--patterns-only"])
    assert args.func(args, None) == 2
    assert "Give a reply" in capsys.readouterr().err


def test_score_command_reads_jsonl_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO('{"reply": "Thank you for waiting."}\n{oops\n'))
    args = _parse(["score", "--jsonl", "--patterns-only"])
    assert args.func(args, None) == 0
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert "dimensions" in first and "error" in second


def test_format_score_lists_evidence(plain: ReplyRubric) -> None:
    reply = "Calm down or I'll have you removed."
    text = format_score(plain.score(reply, "Where is my mum?"), reply, "Where is my mum?")
    assert '"Calm down"' in text and "threat" in text


def test_jsonl_adds_strategy_leaps_and_not_applicable(any_rubric: ReplyRubric) -> None:
    lines = [
        {"reply": "Hi there, I can see you're in a real hurry. What's going on?",
         "visitor": "I've got a train in ten minutes and this queue hasn't moved!"},
        {"reply": "Calm down or you're out. Rules are rules.", "visitor": "Let me in!"},
    ]  # fmt: skip
    opening, threat = _run_jsonl(any_rubric, "".join(json.dumps(x) + "\n" for x in lines))
    assert "explains_reason" in opening["not_applicable"]
    assert isinstance(opening["criteria"]["explains_reason"], int)  # the estimate stays an int
    assert opening["strategy"] == "cooperative" and "ask" in opening["leaps"]
    assert threat["strategy"] == "competitive" and threat["not_applicable"] == []
    assert threat["strategy_evidence"]


def test_readable_report_shows_strategy_and_not_applicable(plain: ReplyRubric) -> None:
    reply, visitor = "You're welcome, take care now.", "Thanks, that's all I needed. Bye!"
    text = format_score(plain.score(reply, visitor), reply, visitor)
    assert "Strategy: " in text and "LEAPS: " in text
    assert "Not applicable here" in text and "explores" in text.lower()
    assert "resolution n/a" in text
