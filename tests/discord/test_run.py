"""Starting the bot: token problems are one clear message, the token never reaches a log line."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import discord
import pytest
from pydantic import SecretStr

from bot.core.store import Store
from bot.discord.app import CooldownBot, cooldown_intents
from bot.discord.cli import add_run_parser
from bot.discord.run import CannotStart, RedactToken, run_bot
from tests.discord import payloads as p
from tests.discord.conftest import make_app, make_settings, persona_yaml
from tests.discord.harness import Harness, start_bot

TOKEN = "MTAxMjM0NTY3ODkwMTIzNDU2.GaBcDe.secret-token-value-0123456789abcdef"


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="cooldown")
    add_run_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_missing_token_is_one_clear_message_and_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = parse(["run", "--sync"])
    assert args.sync is True
    code = args.func(args, make_settings(tmp_path))
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "DISCORD_TOKEN is not set" in err
    assert "Traceback" not in err
    assert not (tmp_path / "cooldown.db").exists()  # failed before opening anything


def test_invalid_token_is_one_clear_message_and_never_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def refuse(self: discord.http.HTTPClient, token: str) -> dict:
        # A library that logs the token by mistake must still not leak it.
        logging.getLogger("discord.http").warning("login with %s failed", token)
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.setattr(discord.http.HTTPClient, "static_login", refuse)
    (tmp_path / "personas").mkdir()
    (tmp_path / "personas" / "towed_car_driver.yaml").write_text(persona_yaml())
    settings = make_settings(
        tmp_path,
        discord_token=SecretStr(TOKEN),
        personas_dir=tmp_path / "personas",
        rubric_encoder="none",
    )
    caplog.set_level(logging.DEBUG)
    with pytest.raises(CannotStart) as raised:
        run_bot(settings, sync=True, scripted=True)  # the room is built from settings
    assert raised.value.exit_code == 3
    assert (tmp_path / "cooldown.db").exists()
    assert "DISCORD_TOKEN was rejected - reset it in the developer portal" in str(raised.value)
    assert TOKEN not in str(raised.value)
    assert "login with [DISCORD_TOKEN] failed" in caplog.text  # the library's line, redacted
    assert TOKEN not in caplog.text
    assert TOKEN[:24] not in caplog.text


def test_redaction_leaves_other_lines_alone() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "user %s said %s", ("a", "b"), None)
    assert RedactToken(TOKEN).filter(record) and record.getMessage() == "user a said b"


def test_intents_and_mentions(settings, store: Store) -> None:  # noqa: ANN001
    intents = cooldown_intents()
    assert intents.guilds and intents.guild_messages and intents.message_content
    assert not (intents.members or intents.presences or intents.dm_messages)
    bot = CooldownBot(settings, make_app(store))
    assert bot.allowed_mentions.to_dict() == {"parse": []}


async def test_every_command_has_a_description(discord_bot: Harness) -> None:
    commands = list(discord_bot.bot.tree.walk_commands())
    assert {c.qualified_name for c in commands} >= {
        "practice start", "practice end", "stats", "leaderboard", "team join", "team create",
        "persona add", "persona disable", "review", "export", "settings mode",
    }  # fmt: skip
    for command in commands:
        assert command.description and command.description != "…", command.qualified_name


async def test_sync_on_start_goes_to_the_dev_server(tmp_path: Path, store: Store) -> None:
    settings = make_settings(tmp_path, dev_guild_id=p.GUILD_ID)
    harness = await start_bot(settings, make_app(store), sync=True)
    try:
        put = [c for c in harness.calls if c.method == "PUT"]
        assert len(put) == 1 and f"/guilds/{p.GUILD_ID}/commands" in put[0].url
        published = {c["name"]: c for c in put[0].payload}
        assert {"practice", "team", "persona", "leaderboard", "stats"} <= set(published)
        assert all(c["contexts"] == [0] for c in published.values())  # servers only
    finally:
        await harness.close()


async def test_commands_are_not_synced_unless_asked(discord_bot: Harness) -> None:
    assert not [c for c in discord_bot.calls if "/commands" in c.path]


async def test_owner_sync_command(discord_bot: Harness) -> None:
    h = discord_bot
    await h.say(p.COLLEAGUE_ID, p.PRACTICE_CHANNEL_ID, f"<@{p.BOT_ID}> sync")
    assert h.calls == []  # not the owner: ignored without a word
    await h.say(p.OWNER_ID, p.PRACTICE_CHANNEL_ID, f"<@{p.BOT_ID}> sync")
    put = [c for c in h.calls if c.method == "PUT"]
    assert len(put) == 1 and f"/guilds/{p.GUILD_ID}/commands" in put[0].url
    assert "Synced" in h.messages()[-1].text()
