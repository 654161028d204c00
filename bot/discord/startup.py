"""Reaching Discord at start: retried with backoff while it cannot be reached (outages are usually
short), and every refusal one clear CannotStart with its documented exit code."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import TYPE_CHECKING, TypeVar

import discord

from bot.discord.checks import INTENT_FIX, PORTAL
from bot.discord.delivery import TRANSIENT, describe
from bot.lifecycle import ExitCode

if TYPE_CHECKING:
    from discord.ext import commands

log = logging.getLogger(__name__)
T = TypeVar("T")

FIRST_RETRY_S = 1.0
MAX_RETRY_S = 60.0
ATTEMPT_S = 30.0  # one try at Discord's API: a firewall that drops packets must not stall it


class CannotStart(Exception):
    """The bot cannot start; the message says why and what to do. No traceback is needed."""

    def __init__(self, message: str, exit_code: int = ExitCode.FAILED) -> None:
        self.exit_code = exit_code
        super().__init__(message)


class StopRequested(Exception):
    """A signal asked the bot to stop while it was still starting."""


def token_rejected() -> CannotStart:
    """Discord answered 401 (or closed the gateway with 4004) for DISCORD_TOKEN."""
    return CannotStart(
        "DISCORD_TOKEN was rejected - reset it in the developer portal "
        f"({PORTAL} -> your application -> Bot -> Reset Token), put the new token in .env and "
        "start again.",
        ExitCode.TOKEN_REJECTED,
    )


def intent_missing() -> CannotStart:
    """The gateway refused the privileged Message Content intent (close code 4014)."""
    return CannotStart(
        f"Discord refused the Message Content intent the bot needs. {INTENT_FIX}",
        ExitCode.INTENT_MISSING,
    )


def unreachable(reason: str, waited: float) -> CannotStart:
    """Discord stayed out of reach for the whole DISCORD_CONNECT_TIMEOUT_S."""
    return CannotStart(
        f"Discord cannot be reached ({reason}); gave up after {waited:.0f} s "
        "(DISCORD_CONNECT_TIMEOUT_S). Check this machine's DNS, firewall or proxy for "
        "discord.com and gateway.discord.gg on port 443, and https://discordstatus.com.",
        ExitCode.UNREACHABLE,
    )


async def race(aw: Awaitable[T], stop: asyncio.Event, timeout: float | None = None) -> T:
    """The awaitable's result, unless `stop` is set first (StopRequested) or time runs out
    (asyncio.TimeoutError); the loser is cancelled."""
    task = asyncio.ensure_future(aw)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        done, _ = await asyncio.wait(
            {task, stopper}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        stopper.cancel()
    if task in done:
        return task.result()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    if stopper in done:
        raise StopRequested()
    raise TimeoutError(f"no answer in {timeout:.0f} s")


async def log_in(bot: commands.Bot, token: str, timeout: float, stop: asyncio.Event) -> None:
    """Log in and set the bot up, retrying with backoff for up to `timeout` s while Discord
    cannot be reached; CannotStart when the token is refused or time runs out."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    delay = FIRST_RETRY_S
    while True:
        try:
            # Only the request proves Discord is reachable; login() then sets the bot up once.
            await race(bot.http.static_login(token), stop, ATTEMPT_S)
            break
        except discord.LoginFailure:
            raise token_rejected() from None
        except TRANSIENT as exc:
            left = started + timeout - loop.time()
            if left <= 0:
                raise unreachable(describe(exc), loop.time() - started) from None
            wait = min(delay, left)
            log.warning(
                "Discord cannot be reached (%s); trying again in %.0f s (giving up in %.0f s)",
                describe(exc), wait, left,
            )  # fmt: skip
            await fresh_connection(bot)
            await race(asyncio.sleep(wait), stop)
            delay = min(delay * 2, MAX_RETRY_S)
    await fresh_connection(bot)
    try:
        await race(bot.login(token), stop)
    except discord.LoginFailure:
        raise token_rejected() from None
    except TRANSIENT as exc:  # lost again in the moment since the first answer
        raise unreachable(describe(exc), loop.time() - started) from None


async def fresh_connection(bot: commands.Bot) -> None:
    """Close the HTTP session of a failed try, so the next one opens its own (and no unclosed
    session is left to be complained about)."""
    await bot.http.close()
    bot.http.connector = discord.utils.MISSING


async def open_gateway(
    bot: commands.Bot, timeout: float, stop: asyncio.Event
) -> asyncio.Task[None]:
    """Connect to the gateway and wait until the bot is ready; the task that keeps it connected.

    discord.py reconnects (and resumes) on its own once it has been connected; before that,
    a refused intent or token is a CannotStart, and no connection within `timeout` is too.
    """
    loop = asyncio.get_running_loop()
    started = loop.time()
    while True:
        gateway = asyncio.create_task(bot.connect(reconnect=True), name="cooldown-gateway")
        ready = asyncio.create_task(bot.wait_until_ready())
        left = max(0.0, started + timeout - loop.time())
        try:
            await race(asyncio.wait({gateway, ready}, return_when=asyncio.FIRST_COMPLETED),
                       stop, left)  # fmt: skip
        except StopRequested:
            ready.cancel()
            return gateway
        except TimeoutError:
            ready.cancel()
            gateway.cancel()
            await asyncio.gather(gateway, return_exceptions=True)
            raise unreachable("its gateway did not answer", loop.time() - started) from None
        if ready.done():
            return gateway
        ready.cancel()
        exc = gateway.exception()
        if exc is None:
            return gateway  # closed on purpose
        problem = refusal(exc)
        if problem is not None:
            raise problem from None
        # discord.py 2.7 cannot retry a first connection that failed: it reads the sequence of
        # a websocket it never had (bot.ws is None). It has already waited its backoff.
        if isinstance(exc, AttributeError) and bot.ws is None:
            log.warning("Discord's gateway cannot be reached yet; trying again")
            continue
        raise exc


def refusal(exc: BaseException) -> CannotStart | None:
    """The CannotStart for a gateway refusal that no reconnecting will fix, else None."""
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        return intent_missing()
    if isinstance(exc, discord.ConnectionClosed) and exc.code == 4004:
        return token_rejected()
    if isinstance(exc, discord.ConnectionClosed) and exc.code in (4013, 4014):
        return intent_missing()
    return None
