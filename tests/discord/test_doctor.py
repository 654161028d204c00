"""`cooldown doctor`: each problem `cooldown run` would meet is named with its fix and exit code,
Discord asked through discord.py with only the network replaced (tests/discord/fake_discord.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import discord
import pytest

from bot.cli import main
from bot.settings import get_settings
from tests.discord.conftest import PERSONA_ID, persona_yaml
from tests.discord.fake_discord import TOKEN, FakeDiscord


@pytest.fixture(autouse=True)
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A token, a persona folder, a fresh database; no model or encoder to load."""
    personas = tmp_path / "personas"
    personas.mkdir()
    (personas / f"{PERSONA_ID}.yaml").write_text(persona_yaml())
    for name, value in {
        "DISCORD_TOKEN": TOKEN, "PERSONAS_DIR": str(personas), "RUBRIC_ENCODER": "none",
        "DATABASE_PATH": str(tmp_path / "cooldown.db"), "MODEL_BACKEND": "scripted",
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeDiscord:
    discord_ = FakeDiscord()
    discord_.install(monkeypatch.setattr)
    return discord_


def doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["doctor", *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def line(out: str, start: str) -> str:
    [found] = [x for x in out.splitlines() if x.startswith(start)]
    return found


def test_a_good_set_up_passes_every_check(
    fake: FakeDiscord, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = doctor(capsys)
    assert code == 0 and "All set: `cooldown run` can start." in out
    assert line(out, "ok   database:")
    assert line(out, "ok   personas: 1 offered")
    assert line(out, "ok   visitor: scripted")
    assert line(out, "ok   DISCORD_TOKEN: accepted: the bot is cooldown")
    assert line(out, "ok   Message Content intent: switched on")
    assert line(out, "ok   server 'Training'")
    assert TOKEN not in out
    assert fake.sockets == []  # all asked over the API: no gateway session was opened


def test_run_check_is_the_same_check(fake: FakeDiscord, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", "--check", "--scripted"])
    assert code == 0 and "All set" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("problem", "exit_code", "says"),
    [
        ("token", 3, "FAIL DISCORD_TOKEN: rejected by Discord - reset it in the developer portal"),
        ("intent", 4, "FAIL Message Content intent: switched off. In https://discord.com/"),
        ("network", 5, "FAIL Discord: cannot be reached from here (Cannot connect to host"),
    ],
)
def test_each_discord_problem_is_named_with_the_exit_code_run_would_give(
    fake: FakeDiscord,
    capsys: pytest.CaptureFixture[str],
    problem: str,
    exit_code: int,
    says: str,
) -> None:
    if problem == "token":
        fake.token = "reset-since"
    elif problem == "intent":
        fake.message_content_enabled = False
    else:
        fake.unreachable = 100
    code, out = doctor(capsys)
    assert code == exit_code
    assert line(out, says[:30]).startswith(says)
    assert f"`cooldown run` would stop with exit code {exit_code}" in out


def test_missing_permissions_are_a_warning_naming_them(
    fake: FakeDiscord, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.bot_permissions = discord.Permissions(view_channel=True, send_messages=True)
    code, out = doctor(capsys)
    assert code == 0  # the bot starts; practices in that server would fail
    warning = line(out, "WARN server 'Training':")
    assert "lacks Send Messages in Threads, Create Private Threads" in warning
    assert "Read Message History" in warning and "permissions=377957239808" in warning


def test_offline_skips_discord_and_a_missing_token_is_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "")
    get_settings.cache_clear()
    code, out = doctor(capsys, "--offline")
    assert code == 0 and "DISCORD_TOKEN" not in out  # no_network: nothing was asked
    code, out = doctor(capsys)
    assert code == 2 and "FAIL DISCORD_TOKEN: not set" in out


def test_a_visitor_model_that_cannot_load_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MODEL_BACKEND", "local")
    monkeypatch.setenv("MODEL", str(tmp_path / "no-such-model"))
    get_settings.cache_clear()
    code, out = doctor(capsys, "--offline")
    assert code == 0
    warning = line(out, "WARN visitor model:")
    assert "no-such-model" in warning and "personas' own lines" in warning


def test_unusable_personas_and_database_fail_with_their_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PERSONAS_DIR", str(tmp_path / "missing"))
    get_settings.cache_clear()
    code, out = doctor(capsys, "--offline", "--no-model")
    assert code == 7 and "FAIL personas: The personas folder" in out
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("DATABASE_PATH", str(blocker / "cooldown.db"))
    get_settings.cache_clear()
    code, out = doctor(capsys, "--offline", "--no-model")
    assert code == 6 and "FAIL database:" in out
