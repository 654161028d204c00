"""The terminal adapter, in-process: demo, practice (with Ctrl-C), personas."""

from __future__ import annotations

import builtins
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
    assert out.startswith(f"FAIL {bad}: ") and "Fix:" in out
    # every problem in one go, not one per attempt
    assert "field 'difficulty': 9 is out of range" in out and "field 'setting': is missing" in out
    assert main(["personas", "show", "broken_visitor"]) == 2
