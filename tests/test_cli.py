"""The terminal adapter, in-process: demo, practice (with Ctrl-C), personas."""

from __future__ import annotations

import builtins
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.settings import get_settings

DEMO_PERSONA = "hospital_emergency_son"


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test gets its own database and reads settings afresh."""
    db = tmp_path / "cooldown.db"
    monkeypatch.setenv("DATABASE_PATH", str(db))
    get_settings.cache_clear()
    yield db
    get_settings.cache_clear()


@pytest.fixture
def patterns_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rubric without the sentence encoder: these tests are about the flows, not scores, and
    loading MiniLM for every command would make them slow."""
    monkeypatch.setenv("RUBRIC_ENCODER", "none")


def feed(monkeypatch: pytest.MonkeyPatch, replies: list[object]) -> None:
    """Answer input() prompts with these replies; an exception instance is raised instead."""
    queue = list(replies)

    def fake_input(prompt: str = "") -> str:
        if not queue:
            raise EOFError
        item = queue.pop(0)
        if isinstance(item, BaseException):
            raise item
        return str(item)

    monkeypatch.setattr(builtins, "input", fake_input)


def test_demo_shows_a_good_and_a_poor_session(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--scripted", "--persona", DEMO_PERSONA]) == 0
    out = capsys.readouterr().out
    assert "GOOD officer" in out and "POOR officer" in out
    assert out.count("Debrief - ") == 2
    summary = out.split("Summary:")[1]
    good_line, poor_line = summary.strip().splitlines()
    assert "resolved" in good_line
    assert "resolved" not in poor_line
    good_score = int(good_line.split("overall ")[1].split(",")[0])
    poor_score = int(poor_line.split("overall ")[1].split(",")[0])
    assert good_score > poor_score + 20


def test_practice_records_and_ctrl_c_gives_the_debrief(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], isolated_settings: Path
) -> None:
    feed(
        monkeypatch,
        ["   ", "I can see you're worried. Let me call the ward for you now.", KeyboardInterrupt()],
    )
    code = main(["practice", "--scripted", "--persona", DEMO_PERSONA, "--officer", "alice"])
    out = capsys.readouterr().out
    assert code == 0
    assert "empty" in out  # the blank reply was refused with a hint
    assert "score " in out and " overall " in out  # live coaching after the real reply
    assert "\x1b" not in out  # piped: plain text, no colour or cursor codes
    assert "practice stopped" in out and "ended by the officer after 1 reply" in out
    assert isolated_settings.exists()

    assert main(["stats", "alice"]) == 0
    assert DEMO_PERSONA in capsys.readouterr().out


def test_unknown_persona_lists_the_valid_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--scripted", "--persona", "no_such_visitor"]) == 2
    err = capsys.readouterr().err
    assert "no_such_visitor" in err and DEMO_PERSONA in err


def test_personas_list_and_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["personas", "list"]) == 0
    listing = capsys.readouterr().out
    assert len(listing.strip().splitlines()) >= 11  # header + at least 10 personas
    bad = tmp_path / "broken_visitor.yaml"
    bad.write_text("name: Sam\ndifficulty: 9\n")
    assert main(["personas", "validate", str(bad)]) == 1
    assert "broken_visitor.yaml" in capsys.readouterr().out


def test_personas_add_disable_and_enable_from_the_terminal(
    patterns_only: None,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import PERSONA_DATA

    upload = tmp_path / "night_visitor.yaml"
    upload.write_text(yaml.safe_dump({**PERSONA_DATA, "name": "Nora, night visitor"}))
    assert main(["personas", "add", str(upload)]) == 0
    assert "saved persona 'night_visitor': Nora, night visitor" in capsys.readouterr().out
    assert main(["personas", "disable", DEMO_PERSONA]) == 0
    capsys.readouterr()
    assert main(["personas", "list"]) == 0
    listing = capsys.readouterr().out
    [nora] = [line for line in listing.splitlines() if line.startswith("night_visitor ")]
    [son] = [line for line in listing.splitlines() if line.startswith(DEMO_PERSONA)]
    assert nora.endswith("[trainer]") and son.endswith("[disabled]")

    feed(monkeypatch, ["/end"])
    args = ["practice", "--scripted", "--persona", DEMO_PERSONA]
    assert main(args) == 2
    assert f"No persona '{DEMO_PERSONA}'" in capsys.readouterr().err
    assert main(["personas", "enable", DEMO_PERSONA]) == 0
    feed(monkeypatch, ["/end"])
    assert main(args) == 0


def test_a_bad_persona_file_is_refused_with_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "broken_visitor.yaml"
    bad.write_text("name: Sam\ndifficulty: 9\n")
    assert main(["personas", "add", str(bad)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"FAIL {bad}: field") and "Fix:" in out
    assert main(["personas", "show", "broken_visitor"]) == 2


def recorded_session(capsys: pytest.CaptureFixture[str]) -> str:
    """The id of alice's latest session, as `cooldown stats` lists it."""
    assert main(["stats", "alice"]) == 0
    return capsys.readouterr().out.strip().splitlines()[-1].split()[-1]


def test_rewind_plays_on_from_a_reply_and_shows_both_paths(
    patterns_only: None,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    poor = "Calm down, rules are rules."
    feed(monkeypatch, ["I can see you're worried.", poor, "/end"])
    assert main(["practice", "--scripted", "--persona", DEMO_PERSONA, "--officer", "alice"]) == 0
    out = capsys.readouterr().out
    session_id = recorded_session(capsys)
    assert f"cooldown rewind {session_id} --turn 2" in out  # the debrief points at the weakest

    better = "Forty minutes with no news - that would scare anyone. What is your mum's name?"
    feed(monkeypatch, [better, "/end"])
    chart = tmp_path / "paths.png"
    args = ["rewind", session_id, "--turn", "2", "--scripted", "--chart", str(chart)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "== What if?" in out and f'Then you said: "{poor}"' in out
    assert out.index('You: "I can see you\'re worried."') < out.index("Then you said")
    assert " overall   empathy " in out  # the new reply is scored live
    assert "From reply 2 on, the two paths:" in out and f'"{better}"' in out
    assert chart.read_bytes().startswith(b"\x89PNG")

    assert main(["rewind", session_id, "--turn", "9", "--scripted"]) == 2
    assert "Pick a reply from 1 to 2" in capsys.readouterr().err


def test_drill_targets_the_weakest_skill_and_is_scheduled(
    patterns_only: None,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    feed(monkeypatch, ["/end"])
    assert main(["drill", "--officer", "alice", "--scripted"]) == 2
    assert "no scored replies yet" in capsys.readouterr().err

    feed(monkeypatch, ["Calm down, rules are rules.", "/end"])
    assert main(["practice", "--scripted", "--persona", DEMO_PERSONA, "--officer", "alice"]) == 0
    good = "I can see this is frightening. What's her name? I'll ring the ward for you now."
    feed(monkeypatch, [good] * 4)
    capsys.readouterr()
    assert main(["drill", "--officer", "alice", "--scripted"]) == 0
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert first.startswith("Drill: ") and "your weakest skill" in first
    assert "starting at agitation" in first and "4 replies" in first
    assert 1 <= out.count(" overall   empathy ") <= 4  # a drill is four replies at most
    assert "Drill score on" in out and "Drills on " in out and "Next drill on" in out

    assert main(["stats", "alice"]) == 0
    stats = capsys.readouterr().out
    assert "Drills (cooldown drill" in stats
    assert "drill:" in stats  # the drill is listed with its skill


def test_report_is_checked_and_stored(
    patterns_only: None,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    feed(monkeypatch, ["What's your mum's name? I'll ring the ward for you now.", "/end"])
    assert main(["practice", "--scripted", "--persona", DEMO_PERSONA, "--officer", "alice"]) == 0
    out = capsys.readouterr().out
    session_id = recorded_session(capsys)
    assert f"cooldown report {session_id}" in out

    assert main(["report", session_id, "--text", "He was upset. I helped."]) == 0
    out = capsys.readouterr().out
    assert out.startswith("The report is incomplete")
    assert "[time] Say when it happened" in out and "[place] Say where it happened" in out

    monkeypatch.setattr("sys.stdin", io.StringIO(
        "At about 02:10 at the hospital emergency entrance Marcus, a man looking for his mother, "
        "was shouting at the door because nobody would tell him where she was. I asked for her "
        "name and rang the ward. He waited by the door; it ended when I left to check.\n"
    ))  # fmt: skip
    assert main(["report", session_id]) == 0
    out = capsys.readouterr().out
    assert "[time]" not in out and "[place]" not in out and "[who]" not in out
    out_csv = tmp_path / "all.csv"
    assert main(["export", "--out", str(out_csv)]) == 0
    assert "Marcus, a man looking for his mother" in out_csv.read_text(encoding="utf-8-sig")

    assert main(["report", "no_such_session", "--text", "x"]) == 1
    assert "No practice session with id 'no_such_session'" in capsys.readouterr().err


def test_review_comment_and_override_reach_the_officer(
    patterns_only: None,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    feed(monkeypatch, ["Okay, give me a moment.", "/end"])
    assert main(["practice", "--scripted", "--persona", DEMO_PERSONA, "--officer", "alice"]) == 0
    capsys.readouterr()
    session_id = recorded_session(capsys)

    assert main(["review", "show", "alice"]) == 0
    shown = capsys.readouterr().out
    assert f"== {session_id}" in shown and ' 1. Officer (' in shown
    assert main(["review", "comment", session_id, "1", "Ask", "his", "mum's", "name."]) == 0
    assert "note saved: reply 1 -" in capsys.readouterr().out
    args = ["review", "override", session_id, "1", "explores", "75", "--reason", "it invited"]
    assert main(args) == 0
    assert "explores" in capsys.readouterr().out.lower()
    assert main(["review", "comment", session_id, "4", "x"]) == 1
    assert "no reply 4" in capsys.readouterr().err

    assert main(["stats", "alice"]) == 0
    assert "Trainer notes (latest first)" in capsys.readouterr().out
    feed(monkeypatch, ["/end"])
    assert main(["practice", "--scripted", "--persona", DEMO_PERSONA, "--officer", "alice"]) == 0
    out = capsys.readouterr().out
    assert "Trainer notes since your last debrief:" in out
    assert "Ask his mum's name." in out and "Explores" in out and "-> 75 (it invited)" in out
