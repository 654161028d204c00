"""Every message the bot sends goes through here: clipped to Discord's limits, never pinging,
and a Discord error becomes a logged warning instead of a crashed handler."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Sequence

import aiohttp
import discord

from bot.discord.limits import CONTENT, NO_PINGS, clip, fit_embed

log = logging.getLogger(__name__)


# A message that cannot reach Discord (network down, Discord 5xx) is tried again for this long:
# within the few minutes Discord remembers a nonce, and long enough for a short outage.
RETRY_FOR_S = 120.0
# What a network outage or a Discord-side failure raises; anything else is an answer.
TRANSIENT = (OSError, aiohttp.ClientError, asyncio.TimeoutError, discord.DiscordServerError)


class ChannelGone(Exception):
    """The channel or thread no longer exists (deleted while a practice was running)."""

    def __init__(self, channel_id: int) -> None:
        self.channel_id = channel_id
        super().__init__(f"channel {channel_id} is gone")


def _kwargs(
    content: str | None,
    embeds: Sequence[discord.Embed],
    files: Sequence[discord.File],
    view: discord.ui.View | None,
) -> dict[str, object]:
    kwargs: dict[str, object] = {"allowed_mentions": NO_PINGS}
    if content:
        kwargs["content"] = clip(content, CONTENT)
    if embeds:
        kwargs["embeds"] = [fit_embed(e) for e in embeds][:10]
    if files:
        kwargs["files"] = list(files)[:10]
    if view is not None:
        kwargs["view"] = view
    return kwargs


async def post(
    channel: discord.abc.Messageable,
    content: str | None = None,
    *,
    embeds: Sequence[discord.Embed] = (),
    files: Sequence[discord.File] = (),
    reference: discord.Message | None = None,
    view: discord.ui.View | None = None,
) -> discord.Message | None:
    """Send to a channel or thread; None when Discord refused (logged), ChannelGone when deleted."""
    kwargs = _kwargs(content, embeds, files, view)
    if reference is not None:
        kwargs["reference"] = reference
        kwargs["mention_author"] = False
    # One nonce for every attempt: Discord returns the message it already made for a nonce it
    # has seen, so a retry after a lost answer never posts the turn twice.
    kwargs["nonce"] = secrets.randbits(63)
    channel_id = getattr(channel, "id", 0)
    # discord.py closes attached files after an attempt, so those are sent once
    retry_until = time.monotonic() + (0 if files else RETRY_FOR_S)
    delay = 1.0
    while True:
        try:
            return await channel.send(**kwargs)  # type: ignore[arg-type]
        except discord.NotFound as exc:
            if reference is not None and exc.code == 10008:
                # The officer deleted the message we answered: say it without the reply link.
                return await post(channel, content, embeds=embeds, files=files, view=view)
            raise ChannelGone(channel_id) from exc
        except discord.Forbidden as exc:
            log.warning("missing permission to post in channel %s: %s", channel_id, exc.text)
        except TRANSIENT as exc:
            if time.monotonic() + delay > retry_until:
                log.warning("could not reach Discord to post in channel %s (%s); gave up",
                            channel_id, describe(exc))  # fmt: skip
                return None
            log.warning("could not reach Discord to post in channel %s (%s); retrying in %.0f s",
                        channel_id, describe(exc), delay)  # fmt: skip
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)
            continue
        except discord.HTTPException as exc:
            log.warning(
                "Discord refused a message in channel %s: %s %s", channel_id, exc.status, exc
            )
        return None


def describe(exc: BaseException) -> str:
    """A network failure in a few words (aiohttp's own text, without a traceback)."""
    text = str(exc) or type(exc).__name__
    return text if len(text) < 200 else text[:197] + "..."


async def respond(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embeds: Sequence[discord.Embed] = (),
    files: Sequence[discord.File] = (),
    ephemeral: bool = True,
    view: discord.ui.View | None = None,
) -> None:
    """Answer an interaction (first response or follow-up), privately unless told otherwise."""
    kwargs = _kwargs(content, embeds, files, view)
    try:
        if interaction.response.is_done():
            await interaction.followup.send(ephemeral=ephemeral, **kwargs)  # type: ignore[call-overload]
        else:
            await interaction.response.send_message(ephemeral=ephemeral, **kwargs)  # type: ignore[arg-type]
    except discord.NotFound:
        # Interaction tokens last 15 minutes (3 seconds before the first answer); nothing to do.
        log.warning("interaction %s expired before it could be answered", interaction.id)
    except discord.HTTPException as exc:
        log.warning("could not answer interaction %s: %s %s", interaction.id, exc.status, exc)


async def defer(interaction: discord.Interaction, *, ephemeral: bool = True) -> None:
    """Acknowledge now (Discord allows 3 seconds) so slow work can follow; public ones are marked
    so the error handler knows a private error must replace the public placeholder."""
    if interaction.response.is_done():
        return
    interaction.extras["public"] = not ephemeral
    try:
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    except discord.HTTPException as exc:
        log.warning("could not defer interaction %s: %s", interaction.id, exc)
