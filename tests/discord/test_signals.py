"""SIGTERM to `cooldown run` mid-practice, in a process of its own (tests/discord/offline_bot.py):
exit 0 with no traceback and no abort, and the practice carries on after the restart."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from bot.core.store import Store
from tests.discord import payloads as p
from tests.discord.conftest import GOOD_REPLY, PERSONA_ID, make_app, make_settings, persona_yaml
from tests.discord.fake_discord import TOKEN
from tests.discord.harness import start_bot
from tests.service.run import Process, assert_clean_exit, environment


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
async def test_a_signal_mid_practice_exits_0_and_the_practice_resumes(
    tmp_path: Path, stop: signal.Signals
) -> None:
    personas = tmp_path / "personas"
    personas.mkdir()
    (personas / f"{PERSONA_ID}.yaml").write_text(persona_yaml())
    env = environment(
        tmp_path, DISCORD_TOKEN=TOKEN, PERSONAS_DIR=str(personas), MODEL_BACKEND="scripted"
    )
    bot = Process(["-m", "tests.discord.offline_bot"], env, stdin=False)
    bot.wait_for(lambda b: "practising" in b.out)
    thread_id = int(bot.out.split("practising ")[1].split()[0])
    bot.proc.send_signal(stop)
    assert bot.finish(timeout=60) == 0  # documented: the service stopped as asked
    assert_clean_exit(bot)
    assert f"{stop.name}: stopping (practices in progress are kept for the restart)" in bot.err
    assert TOKEN not in bot.out + bot.err

    store = Store(tmp_path / "cooldown.db")
    [stored] = store.active_sessions()  # saved as it was: in progress, its reply kept
    assert len(stored.turns) == 1 and stored.meta["thread_id"] == str(thread_id)
    harness = await start_bot(make_settings(tmp_path), make_app(store))  # the restart
    try:
        assert "Cooldown restarted" in harness.messages(thread_id)[0].text()
        await harness.say(p.OFFICER_ID, thread_id, GOOD_REPLY)
        assert "Reply 2:" in harness.messages(thread_id)[-1].text()
    finally:
        await harness.close()
        store.close()
