"""The Cooldown bot: the App (store, persona catalogue, practice room) behind slash commands."""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord.ext import commands

from bot.core.catalogue import PersonaCatalogue
from bot.core.practice import PracticeRoom
from bot.core.session import Mode
from bot.core.store import Store
from bot.discord.checks import report_servers
from bot.discord.health import VisitorHealth
from bot.discord.inflight import TurnsInFlight
from bot.discord.limits import NO_PINGS
from bot.discord.ratelimit import OfficerRateLimit
from bot.discord.tree import CooldownTree
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.runtime import App

log = logging.getLogger(__name__)
T = TypeVar("T")

EXTENSIONS: tuple[str, ...] = (
    "bot.discord.practice",
    "bot.discord.progress",
    "bot.discord.leaderboard",
    "bot.discord.teams",
    "bot.discord.trainers",
    "bot.discord.digest",
    "bot.discord.owner",
    "bot.discord.status",
)
# Model replies and rubric runs can take seconds each; 32 threads let that many officers wait
# on them at once while the model backend queues them on its own single worker.
BLOCKING_THREADS = 32


def cooldown_intents() -> discord.Intents:
    """Servers, their messages, and message text: nothing else is asked of Discord."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    # Privileged: officers answer the visitor in plain thread messages, so the bot must read
    # their text. Enable "Message Content Intent" in the developer portal (docs/discord.md).
    intents.message_content = True
    return intents


# The bot never joins voice: discord.py's start-up warnings about voice libraries would only
# make an operator wonder what is missing.
discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False


class CooldownBot(commands.Bot):
    """The bot: slash-command cogs over one App; blocking work on its own threads."""

    def __init__(
        self,
        settings: Settings,
        app: App,
        *,
        sync: bool = False,
        extensions: Sequence[str] = EXTENSIONS,
        blocking_threads: int = BLOCKING_THREADS,
    ) -> None:
        super().__init__(
            # Mention prefix only: the owner's `@Cooldown sync`; everything else is slash commands.
            command_prefix=commands.when_mentioned,
            intents=cooldown_intents(),
            allowed_mentions=NO_PINGS,
            help_command=None,
            tree_cls=CooldownTree,
        )
        self.settings, self.app = settings, app
        self.sync_on_start = sync
        self.extension_names = tuple(extensions)
        self.pool = ThreadPoolExecutor(blocking_threads, thread_name_prefix="cooldown-blocking")
        self.pacing = OfficerRateLimit(settings.officer_messages_per_minute)
        self.health = VisitorHealth()
        self.turns = TurnsInFlight()
        self._servers_checked: set[int] = set()

    @property
    def room(self) -> PracticeRoom:
        """Where practices start, run, end and resume."""
        return self.app.room

    @property
    def store(self) -> Store:
        """The results, teams, trainer records and settings."""
        return self.app.store

    @property
    def catalogue(self) -> PersonaCatalogue:
        """Shipped and trainer personas, and which ones officers may get."""
        return self.app.catalogue

    async def run_blocking(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run a blocking call (model, rubric, SQLite) on the bot's threads, not the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, functools.partial(fn, *args, **kwargs))

    async def setup_hook(self) -> None:
        """Load the cogs (the practice cog picks up interrupted practices as it loads), and sync
        commands only when asked."""
        for name in self.extension_names:
            await self.load_extension(name)
        if self.sync_on_start:
            await self.sync_commands(self.settings.dev_guild_id)
        # Everything loaded so far (discord.py, the model, personas) lives as long as the bot;
        # freezing it keeps full garbage collections from scanning it, which on a loaded
        # host stalled the event loop for 50-70 ms at a time (bench/discord.py).
        gc.collect()  # garbage first, so only live objects are frozen
        gc.freeze()

    async def sync_commands(self, guild_id: int | None = None) -> int:
        """Publish the slash commands: to one server (instant) or globally (can take an hour)."""
        if guild_id:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d slash commands to server %s", len(synced), guild_id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d slash commands globally (may take up to an hour)", len(synced))
        return len(synced)

    async def practice_mode(self, guild_id: int | None) -> Mode:
        """The server's practice mode: live coaching (default) or assessment."""
        if guild_id is None:
            return Mode.LIVE
        value = await self.run_blocking(
            self.store.get_setting, guild_scope(guild_id), "mode", Mode.LIVE.value
        )
        try:
            return Mode(str(value))
        except ValueError:
            log.warning("server %s has an unknown practice mode %r; using live", guild_id, value)
            return Mode.LIVE

    async def on_ready(self) -> None:
        """Log who we are and where (no token, ever), and any server lacking a permission."""
        log.info("connected as %s in %d server(s)", self.user, len(self.guilds))
        report_servers(self, self._servers_checked)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        """A server that just invited the bot is checked for the permissions it needs."""
        report_servers(self, self._servers_checked)

    async def stop(self, grace: float) -> None:
        """Stop as a service should: answer the turns in flight (up to `grace` s), disconnect,
        then stop the visitor and wait for the blocking threads, so every turn they finish is
        recorded before whoever opened the store closes it."""
        left = await self.turns.drain(grace)
        if left:
            log.warning("stopping with %d turn(s) not answered in time; after the restart the "
                        "thread's note shows the visitor's last line", left)  # fmt: skip
        await self.close()
        await asyncio.to_thread(self._stop_blocking_work)
        running = len(self.room.running())
        log.info("stopped; %d practice(s) in progress are saved for the restart", running)

    def _stop_blocking_work(self) -> None:
        close = getattr(self.room.visitor, "close", None)
        if callable(close):
            close()  # a reply still waiting for the model falls back to a persona line
        self.pool.shutdown(wait=True)

    async def close(self) -> None:
        """Disconnect, then stop the blocking threads (the store is closed by whoever opened it)."""
        # discord.py waits up to 2 s for the servers before 'ready'; stopped inside that wait, its
        # task would dispatch 'ready' on a closed client (an AttributeError on stderr).
        ready = getattr(self._connection, "_ready_task", None)
        if ready is not None and not ready.done():
            ready.cancel()
        await super().close()
        self.pool.shutdown(wait=False, cancel_futures=True)


def guild_scope(guild_id: int) -> str:
    """The settings scope of one Discord server."""
    return f"guild:{guild_id}"
