"""Helpers for the hostile suite: inputs an attacker or an unlucky operator would give."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

# The Discord adapter's fixtures (a started bot over recorders, its settings and store, and the
# guard that fails any request reaching the network), for tests/hostile/test_discord.py.
from tests.discord.conftest import discord_bot, no_network, settings, store  # noqa: F401

# A realistic persona for the visitor backends (tests/hostile/test_http_bodies.py).
from tests.model.conftest import marcus  # noqa: F401, E402

T = TypeVar("T")

# About 400 bytes of YAML that expand to 9^9 (387 million) strings if anything follows the aliases.
BILLION_LAUGHS = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(
            f"{c}: &{c} [{','.join(['*' + p] * 9)}]"
            for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)


def within(seconds: float, fn: Callable[[], T]) -> T:
    """fn() run on a daemon thread; fails the test (instead of hanging it) past `seconds`."""
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s"
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]
