"""Errors become private messages; Discord's limits are respected; pacing per officer."""

from __future__ import annotations

import logging

import discord
import pytest

from bot.core.store import DatabaseUnusable, Store
from bot.discord.limits import CONTENT, EMBED_TOTAL, FIELD_VALUE, clip, fit_embed
from bot.discord.ratelimit import OfficerRateLimit, Pace
from tests.discord import payloads as p
from tests.discord.harness import Harness, discord_error


def test_clip_keeps_limits_and_words() -> None:
    text = "calm words " * 500
    clipped = clip(text, CONTENT)
    assert len(clipped) <= CONTENT and clipped.endswith("…")
    assert clipped[:-1].endswith("words") or clipped[:-1].endswith("calm")
    assert clip("short", 10) == "short"
    assert len(clip("x" * 5000, 100)) == 100  # no space to cut at: a hard cut
    code = clip("```\n" + "line\n" * 400 + "```", 200)
    assert code.count("```") % 2 == 0


def test_fit_embed_respects_every_limit() -> None:
    embed = discord.Embed(title="t" * 300, description="d" * 5000)
    for i in range(30):
        embed.add_field(name=f"f{i}" * 100, value="v" * 2000)
    embed.set_footer(text="f" * 3000)
    fitted = fit_embed(embed)
    assert len(fitted) <= EMBED_TOTAL
    assert len(fitted.title) <= 256 and len(fitted.description) <= 4096
    assert all(len(f.value) <= FIELD_VALUE and len(f.name) <= 256 for f in fitted.fields)
    assert len(fitted.fields) <= 25


def test_rate_limit_window() -> None:
    now = [0.0]
    limit = OfficerRateLimit(2, clock=lambda: now[0])
    assert [limit.check("a") for _ in range(4)] == [
        Pace.ACCEPT,
        Pace.ACCEPT,
        Pace.NOTICE,
        Pace.DROP,
    ]
    assert limit.dropped("a") == 1  # counted, so the notice can say so
    assert limit.check("b") is Pace.ACCEPT  # per officer
    assert 59 < limit.retry_after("a") <= 60
    now[0] = 61.0
    assert limit.check("a") is Pace.ACCEPT
    assert limit.check("a") is Pace.ACCEPT
    assert limit.check("a") is Pace.NOTICE  # told again after a fresh burst


async def test_store_error_on_a_public_command_is_shown_privately(
    discord_bot: Harness, monkeypatch: pytest.MonkeyPatch, store: Store
) -> None:
    h = discord_bot

    def broken(*args: object) -> None:
        raise DatabaseUnusable("The database data/cooldown.db is locked by another program.")

    monkeypatch.setattr(store, "individual_leaderboard", broken)
    await h.slash("leaderboard", p.OFFICER_ID)
    defer, delete, message = h.responses()
    assert defer.payload == {"type": 5}  # public "thinking..."
    assert delete.method == "DELETE" and delete.url.endswith("/messages/@original")
    assert message.ephemeral and "locked by another program" in message.text()


async def test_a_bug_is_logged_and_answered_generically(
    discord_bot: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    h = discord_bot

    def bug(*args: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(h.bot.room, "choose_persona", bug)
    with caplog.at_level(logging.ERROR):
        await h.slash("practice start", p.OFFICER_ID)
    answer = h.responses()[-1]
    assert answer.ephemeral and "Something went wrong on my side" in answer.text()
    assert "boom" not in answer.text()
    assert "command /practice start failed" in caplog.text and "ZeroDivisionError" in caplog.text


async def test_visitor_failure_is_a_message_not_a_lost_turn(
    discord_bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = discord_bot
    await h.slash("practice start", p.OFFICER_ID)
    thread_id = int(h.threads()[0]["id"])

    def down(request: object) -> str:
        raise ConnectionError("model server down")

    monkeypatch.setattr(h.bot.room.visitor, "reply", down)
    await h.say(p.OFFICER_ID, thread_id, "Hello there.")
    assert "could not answer just now" in h.messages(thread_id)[-1].text()
    assert h.bot.room.active(f"discord:{p.OFFICER_ID}").turns == []


async def test_expired_interaction_is_logged(
    discord_bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = discord_bot
    h.recorder.fail(
        lambda c: c.path.endswith("/callback"), discord_error(404, 10062, "Unknown interaction")
    )
    with caplog.at_level(logging.WARNING):
        await h.slash("team list", p.OFFICER_ID)
    assert "could not defer interaction" in caplog.text


async def test_dm_use_is_refused(discord_bot: Harness) -> None:
    h = discord_bot
    payload = p.interaction(
        2, {"id": "1", "name": "stats", "type": 1}, p.OFFICER_ID, {"id": "5", "type": 1}
    )
    del payload["guild_id"], payload["member"]
    payload["user"] = p.user(p.OFFICER_ID)
    payload["context"] = 1
    interaction = discord.Interaction(data=payload, state=h.bot._connection)
    await h.bot.tree._call(interaction)
    assert "works in a server channel" in h.responses()[-1].text()


async def test_discord_refusing_a_thread_is_explained(discord_bot: Harness) -> None:
    h = discord_bot
    for _ in ("private", "public"):
        h.recorder.fail(
            lambda c: c.path == "/channels/{channel_id}/threads",
            discord_error(400, 160006, "Maximum number of active threads reached"),
        )
    await h.slash("practice start", p.OFFICER_ID)
    answer = h.responses()[-1]
    assert answer.ephemeral and "Maximum number of active threads reached" in answer.text()
    assert h.bot.room.active(f"discord:{p.OFFICER_ID}") is None
