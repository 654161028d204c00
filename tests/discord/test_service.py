"""`cooldown run` as a service, through the real discord.py client with the network replaced
(tests/discord/fake_discord.py): each start-up failure is one line and its exit code, a dropped
connection loses no turn and sends none twice, and a stop answers the turns in flight."""

from __future__ import annotations

import argparse
import asyncio
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import discord
import pytest
from pydantic import SecretStr

from bot.core.store import Store
from bot.core.visitor import VisitorRequest
from bot.discord.cli import add_run_parser
from bot.discord.run import CannotStart, serve
from bot.lifecycle import ExitCode
from bot.model.scripted import ScriptedVisitor
from bot.runtime import App
from bot.settings import Settings
from tests.discord import payloads as p
from tests.discord.conftest import NEUTRAL_REPLY, PERSONA_ID, make_app, make_settings, persona_yaml
from tests.discord.fake_discord import TOKEN, Failure, FakeDiscord

OFFICER = f"discord:{p.OFFICER_ID}"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeDiscord:
    """Discord, as far as the bot can tell."""
    discord_ = FakeDiscord()
    discord_.install(monkeypatch.setattr)
    return discord_


def service_settings(tmp_path: Path, **overrides: object) -> Settings:
    """A token, the test persona folder, no model and no encoder: what `cooldown run` reads."""
    personas = tmp_path / "personas"
    personas.mkdir(exist_ok=True)
    (personas / f"{PERSONA_ID}.yaml").write_text(persona_yaml())
    values: dict[str, object] = {
        "discord_token": SecretStr(TOKEN),
        "personas_dir": personas,
        "rubric_encoder": "none",
        "discord_connect_timeout_s": 3.0,
        "shutdown_grace_s": 5.0,
    }
    values.update(overrides)
    return make_settings(tmp_path, **values)


def run_command(settings: Settings, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """`cooldown run --scripted` as the terminal runs it: the exit code and stderr."""
    parser = argparse.ArgumentParser(prog="cooldown")
    add_run_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["run", "--scripted"])
    code = args.func(args, settings)
    return code, capsys.readouterr().err


def text(message: dict) -> str:
    """A posted message's content and embed text."""
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields", [])]
        parts.append((embed.get("footer") or {}).get("text", ""))
    return "\n".join(parts)


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    """What an operator reads as a bug: a logged traceback."""
    assert not [r for r in caplog.records if r.exc_info], caplog.text


# --- start-up failures ----------------------------------------------------------------------


def test_unreachable_discord_is_retried_then_one_line_and_exit_5(
    tmp_path: Path,
    fake: FakeDiscord,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake.unreachable = 10_000  # DNS down for good
    caplog.set_level(logging.INFO)
    code, err = run_command(service_settings(tmp_path, discord_connect_timeout_s=2.5), capsys)
    assert code == ExitCode.UNREACHABLE == 5
    assert err.count("\n") == 1, err
    assert "Discord cannot be reached (Cannot connect to host discord.com:443" in err
    assert "DISCORD_CONNECT_TIMEOUT_S" in err and "Traceback" not in err
    tries = fake.calls("GET", "^/users/@me$")
    assert len(tries) >= 2  # retried with backoff before giving up
    retries = [r for r in caplog.records if "trying again in" in r.getMessage()]
    assert retries and all(r.levelno == logging.WARNING for r in retries)
    no_tracebacks(caplog)
    assert TOKEN not in err and TOKEN not in caplog.text


async def test_a_short_outage_at_start_is_ridden_out(tmp_path: Path, fake: FakeDiscord) -> None:
    fake.unreachable = 2  # the first two tries fail, then Discord answers
    settings = service_settings(tmp_path, discord_connect_timeout_s=30.0)
    store = Store(settings.database_path)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, make_app(store), TOKEN, False, stop))
    try:
        await fake.wait_for(lambda: fake.socket is not None)
        assert fake.identifies == 1
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        store.close()


def test_rejected_token_is_exit_3_and_never_shown(
    tmp_path: Path,
    fake: FakeDiscord,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake.token = "another-token"  # reset in the developer portal since
    caplog.set_level(logging.DEBUG)
    code, err = run_command(service_settings(tmp_path), capsys)
    assert code == ExitCode.TOKEN_REJECTED == 3
    assert err.count("\n") == 1
    assert "DISCORD_TOKEN was rejected - reset it in the developer portal" in err
    assert TOKEN not in err and TOKEN not in caplog.text and TOKEN[:24] not in caplog.text
    assert len(fake.calls("GET", "^/users/@me$")) == 1  # a refusal is not retried
    no_tracebacks(caplog)


def test_message_content_intent_off_is_exit_4_and_says_where_to_switch_it_on(
    tmp_path: Path,
    fake: FakeDiscord,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake.message_content_enabled = False
    code, err = run_command(service_settings(tmp_path), capsys)
    assert code == ExitCode.INTENT_MISSING == 4
    assert err.count("\n") == 1
    assert "Privileged Gateway Intents" in err and "MESSAGE CONTENT INTENT" in err
    assert fake.identifies == 1  # the gateway closed with 4014: not retried
    no_tracebacks(caplog)


def test_unusable_database_and_personas_are_one_line_each(
    tmp_path: Path, fake: FakeDiscord, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, err = run_command(
        service_settings(tmp_path, database_path=blocker / "cooldown.db"), capsys
    )
    assert code == ExitCode.DATABASE == 6
    assert err.count("\n") == 1 and str(blocker) in err

    code, err = run_command(service_settings(tmp_path, personas_dir=tmp_path / "nope"), capsys)
    assert code == ExitCode.PERSONAS == 7
    assert err.count("\n") == 1 and "PERSONAS_DIR" in err
    assert fake.requests == []  # both found before Discord was asked anything


async def test_missing_permissions_are_named_per_server(
    tmp_path: Path, fake: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    fake.bot_permissions = discord.Permissions(
        view_channel=True, send_messages=True, send_messages_in_threads=True,
        read_message_history=True,
    )  # fmt: skip
    settings = service_settings(tmp_path)
    store = Store(settings.database_path)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, make_app(store), TOKEN, False, stop))
    try:
        await fake.wait_for(lambda: "lacks" in caplog.text)
        [line] = [r.getMessage() for r in caplog.records if "lacks" in r.getMessage()]
        assert (
            "In server 'Training' the bot's role lacks Create Private Threads, Create Public "
            "Threads, Embed Links, Attach Files:" in line
        )
        assert "permissions=377957239808" in line  # the invite link that grants them
        assert not task.done()  # other servers may be fine: the bot keeps serving
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        store.close()


# --- running: dropped connections and stopping ------------------------------------------------


async def test_a_token_reset_while_running_stops_the_bot_with_exit_3(
    tmp_path: Path, fake: FakeDiscord
) -> None:
    settings = service_settings(tmp_path)
    store = Store(settings.database_path)
    task = asyncio.create_task(serve(settings, make_app(store), TOKEN, False, asyncio.Event()))
    try:
        await fake.wait_for(lambda: fake.socket is not None)
        fake.drop_connection(4004)  # authentication failed: the token was reset meanwhile
        with pytest.raises(CannotStart) as stopped:
            await asyncio.wait_for(task, 10)
        assert stopped.value.exit_code == ExitCode.TOKEN_REJECTED
    finally:
        store.close()


async def test_a_failed_reconnect_is_one_line_not_a_traceback(
    tmp_path: Path, fake: FakeDiscord, caplog: pytest.LogCaptureFixture
) -> None:
    settings = service_settings(tmp_path)
    store = Store(settings.database_path)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, make_app(store), TOKEN, False, stop))
    try:
        await fake.wait_for(lambda: fake.socket is not None)
        fake.unreachable = 1  # the first reconnect meets a DNS failure
        fake.drop_connection(1001)
        await fake.wait_for(lambda: fake.resumes == 1, timeout=20)  # discord.py's backoff: ~1-5 s
        [lost] = [r for r in caplog.records if "connection lost" in r.getMessage()]
        assert lost.getMessage().startswith(
            "Discord connection lost (Cannot connect to host gateway.discord.gg:443"
        )
        assert "reconnecting in" in lost.getMessage() and lost.levelno == logging.WARNING
        no_tracebacks(caplog)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        store.close()


class HeldVisitor(ScriptedVisitor):
    """The scripted visitor, but each reply waits until the test lets it go."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.waiting = threading.Event()

    def reply(self, request: VisitorRequest) -> str:
        self.waiting.set()
        assert self.release.wait(20), "never released"
        return super().reply(request)


@pytest.fixture
def held_app(tmp_path: Path) -> Iterator[tuple[App, HeldVisitor, Settings]]:
    settings = service_settings(tmp_path)
    store = Store(settings.database_path)
    app = make_app(store)
    visitor = HeldVisitor()
    app.room.visitor = visitor
    yield app, visitor, settings
    visitor.release.set()
    store.close()


async def start_practice(fake: FakeDiscord) -> int:
    """The officer starts a practice; the thread id once the scene is posted in it."""
    await fake.wait_for(lambda: fake.socket is not None)
    fake.slash(p.OFFICER_ID, "practice start", persona=PERSONA_ID)
    await fake.wait_for(lambda: any(fake.posted(t) for t in fake.threads))
    return next(iter(fake.threads))


async def test_a_dropped_connection_loses_no_turn_and_sends_none_twice(
    fake: FakeDiscord, held_app: tuple[App, HeldVisitor, Settings]
) -> None:
    app, visitor, settings = held_app
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, app, TOKEN, False, stop))
    try:
        thread = await start_practice(fake)
        visitor.release.clear()
        fake.say(p.OFFICER_ID, thread, NEUTRAL_REPLY)
        await fake.wait_for(visitor.waiting.is_set)  # the turn is in flight...
        fake.drop_connection(1001)  # ...when the connection drops
        # the answer is made, but lost on its way back: the bot cannot know it was posted
        fake.failures.append(Failure(
            lambda r: r.method == "POST" and r.path == f"/channels/{thread}/messages",
            aiohttp.ServerDisconnectedError(), after=True,
        ))  # fmt: skip
        second = fake.say(p.OFFICER_ID, thread, "What happens next with my car?")  # held
        visitor.release.set()
        await fake.wait_for(lambda: fake.resumes == 1)  # discord.py resumed the session
        posts = f"^/channels/{thread}/messages$"
        await fake.wait_for(lambda: len(fake.calls("POST", posts)) == 4, timeout=20)
        await asyncio.sleep(0.2)
        scene, first_reply, second_reply = fake.posted(thread)  # nothing lost, nothing twice
        assert text(first_reply).startswith("**Dana:**")
        assert "Reply 1:" in text(first_reply) and "Reply 2:" in text(second_reply)
        lost, *others = [r for r in fake.calls("POST", posts) if r.attempt_failed]
        assert others == []
        retried = [r for r in fake.calls("POST", posts) if r.body["nonce"] == lost.body["nonce"]]
        assert len(retried) == 2  # the lost answer was sent again with its nonce: one message
        assert fake.identifies == 1  # resumed, not a new session
        assert len(app.store.load_session(app.room.active(OFFICER).id).turns) == 2
        assert second  # the message sent while disconnected was replayed and played
    finally:
        visitor.release.set()
        stop.set()
        await asyncio.wait_for(task, 20)


async def test_messages_sent_while_a_session_could_not_be_resumed_are_caught_up(
    fake: FakeDiscord, held_app: tuple[App, HeldVisitor, Settings]
) -> None:
    app, visitor, settings = held_app
    visitor.release.set()  # the visitor answers at once here
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, app, TOKEN, False, stop))
    try:
        thread = await start_practice(fake)
        fake.say(p.OFFICER_ID, thread, NEUTRAL_REPLY)
        await fake.wait_for(lambda: len(fake.posted(thread)) == 2)
        fake.drop_connection(1001, resumable=False)  # down longer than Discord keeps sessions
        fake.say(p.OFFICER_ID, p.PRACTICE_CHANNEL_ID, "(a colleague, elsewhere)")
        fake.say(p.OFFICER_ID, thread, "What happens next with my car?")  # never delivered
        await fake.wait_for(lambda: fake.identifies == 2, timeout=20)  # a new session
        await fake.wait_for(lambda: len(fake.posted(thread)) == 3, timeout=20)
        assert "Reply 2:" in text(fake.posted(thread)[-1])  # read back from the thread, played
        assert fake.calls("GET", f"^/channels/{thread}/messages$")
        await asyncio.sleep(0.3)
        assert len(fake.posted(thread)) == 3  # and only once
        assert len(app.store.load_session(app.room.active(OFFICER).id).turns) == 2
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)


async def test_a_stop_answers_the_turn_in_flight_and_keeps_the_practice(
    fake: FakeDiscord, held_app: tuple[App, HeldVisitor, Settings]
) -> None:
    app, visitor, settings = held_app
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, app, TOKEN, False, stop))
    thread = await start_practice(fake)
    visitor.release.clear()
    fake.say(p.OFFICER_ID, thread, NEUTRAL_REPLY)
    await fake.wait_for(visitor.waiting.is_set)
    stop.set()  # what SIGTERM does
    await asyncio.sleep(0.2)
    late = fake.say(p.OFFICER_ID, thread, "Are you still there?")  # arrives while stopping
    visitor.release.set()
    await asyncio.wait_for(task, 20)
    replies = fake.posted(thread)[1:]
    assert len(replies) == 1 and "Reply 1:" in text(replies[0])  # answered before leaving
    assert late and fake.sockets[-1].closed
    [stored] = app.store.active_sessions()  # still in progress: resumable after the restart
    assert len(stored.turns) == 1
