"""`python -m tests.discord.offline_bot`: `cooldown run --scripted` in a process of its own, with
the fake Discord (tests/discord/fake_discord.py) in place of the network, for signal tests.

The officer starts a practice and answers the visitor once; when that reply has been answered
the process prints "practising <thread id>" on stdout: the moment to send it a signal.
"""

from __future__ import annotations

import sys
from typing import Any

from bot.cli import main
from tests.discord import payloads as p
from tests.discord.conftest import NEUTRAL_REPLY, PERSONA_ID
from tests.discord.fake_discord import FakeDiscord


def practise(fake: FakeDiscord) -> None:
    """Script the officer: start a practice once connected, answer the visitor's opening."""

    def posted(message: dict[str, Any]) -> None:
        thread = int(message["channel_id"])
        if thread not in fake.threads:
            return
        said = len(fake.posted(thread))
        if said == 1:  # the scene and the visitor's opening line
            fake.say(p.OFFICER_ID, thread, NEUTRAL_REPLY)
        elif said == 2:  # the visitor answered the officer
            print(f"practising {thread}", flush=True)

    fake.on_ready = lambda: fake.slash(p.OFFICER_ID, "practice start", persona=PERSONA_ID)
    fake.on_message_posted = posted


if __name__ == "__main__":
    fake = FakeDiscord()
    fake.install(setattr)
    practise(fake)
    sys.argv = ["cooldown", "run", "--scripted"]
    raise SystemExit(main())
