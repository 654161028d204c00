"""`cooldown score --jsonl` with hostile lines: each bad line gets an error line, the rest are
scored, and every line written is valid JSON."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

from bot.cli_score import score_jsonl
from bot.settings import PROJECT_ROOT
from tests.conftest import FakeRubric

GOOD = json.dumps({"reply": "I can see you're worried. Let me help.", "id": "good"})
HOSTILE = [
    "[" * 5000 + "]" * 5000,  # RecursionError in json.loads
    '{"reply": "\\udcff broken", "id": "surrogate"}',  # valid JSON, not text
    '{"reply": "Let me help.", "id": NaN}',  # Python reads it, JSON has no NaN
    '{"reply": "Let me help.", "visitor": Infinity}',
    '{"reply": "   ", "id": "blank"}',  # nothing to score
    '{"reply": "' + "x" * 5000 + '"}',  # longer than any reply
    '{"reply": "ok", "id": ' + "[" * 900 + "]" * 900 + "}",  # an id nested deep
]


def run(lines: list[str], rubric: object | None = None) -> list[dict]:
    out = io.StringIO()
    score_jsonl(io.StringIO("\n".join(lines) + "\n"), out, rubric or FakeRubric(), batch=4)
    text = out.getvalue()
    text.encode("utf-8")  # writable to any UTF-8 stream
    return [json.loads(line, parse_constant=_refuse) for line in text.splitlines()]


def _refuse(name: str) -> None:
    raise AssertionError(f"{name} in the output is not JSON")


def test_every_hostile_line_gets_an_error_and_the_rest_are_scored() -> None:
    records = run([GOOD, *HOSTILE, GOOD])
    assert len(records) == len(HOSTILE) + 2
    assert records[0]["id"] == "good" and "dimensions" in records[0]
    assert records[-1]["id"] == "good" and "dimensions" in records[-1]
    errors = records[1:-1]
    assert [e["line"] for e in errors] == list(range(2, len(HOSTILE) + 2))
    assert all("dimensions" not in e and e["error"] for e in errors)
    assert "nested too deeply" in errors[0]["error"]
    assert "surrogate" in errors[1]["error"]
    assert "NaN" in errors[2]["error"] and "Infinity" in errors[3]["error"]
    assert "empty" in errors[4]["error"] and "5,000 characters" in errors[5]["error"]


class FlakyRubric(FakeRubric):
    """Fails on one reply, as a model or encoder might on odd text."""

    def score(self, reply: str, visitor_line: str = "") -> object:
        if "boom" in reply:
            raise RuntimeError("tokenizer exploded")
        return super().score(reply, visitor_line)


def test_a_reply_that_breaks_the_rubric_costs_only_its_own_line() -> None:
    lines = [GOOD, json.dumps({"reply": "boom", "id": "bad"}), GOOD, GOOD]
    records = run(lines, FlakyRubric())
    assert [("error" in r) for r in records] == [False, True, False, False]
    assert records[1] == {"id": "bad", "error": "could not be scored (RuntimeError)", "line": 2}


def test_bytes_that_are_not_utf8_on_stdin(tmp_path: object) -> None:
    data = (GOOD + "\n").encode() + b'{"reply": "\xff\xfe bad"}\n' + (GOOD + "\n").encode()
    run_ = subprocess.run(
        [sys.executable, "-m", "bot", "score", "--jsonl", "--patterns-only"],
        input=data,
        capture_output=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        timeout=120,
    )
    assert run_.returncode == 0, run_.stderr.decode(errors="replace")
    records = [json.loads(line) for line in run_.stdout.decode("utf-8").splitlines()]
    assert [("error" in r) for r in records] == [False, True, False]
    assert records[1] == {"error": "the line is not UTF-8 text", "line": 2}
