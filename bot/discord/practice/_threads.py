"""Opening the thread a practice happens in: private when allowed, public with a warning if not."""

from __future__ import annotations

import logging

import discord

from bot.core.persona import Persona
from bot.discord.limits import clip
from bot.discord.tree import Refusal

log = logging.getLogger(__name__)

THREAD_NAME = 100
# A day: a practice paused overnight should still be there (and resumable) in the morning.
AUTO_ARCHIVE_MINUTES = 1440


def practice_channel(interaction: discord.Interaction) -> discord.TextChannel:
    """The text channel a practice thread is opened in (the parent when used inside a thread)."""
    channel = interaction.channel
    if isinstance(channel, discord.Thread):
        channel = channel.parent
    if not isinstance(channel, discord.TextChannel):
        raise Refusal(
            "Start a practice from a text channel such as #practice: I open a thread there for you."
        )
    return channel


async def _private_thread(
    channel: discord.TextChannel, name: str, user: discord.abc.Snowflake
) -> discord.Thread:
    thread = await channel.create_thread(
        name=name,
        type=discord.ChannelType.private_thread,
        # invitable=False would stop the bot itself (no Manage Threads) adding the officer.
        invitable=True,
        auto_archive_duration=AUTO_ARCHIVE_MINUTES,
        reason="Cooldown practice",
    )
    try:
        await thread.add_user(user)
    except discord.HTTPException:
        await _delete_quietly(thread)
        raise
    return thread


async def _delete_quietly(thread: discord.Thread) -> None:
    try:
        await thread.delete()
    except discord.HTTPException:
        log.warning("could not delete the unused thread %s", thread.id)


async def open_practice_thread(
    interaction: discord.Interaction, persona: Persona
) -> tuple[discord.Thread, str]:
    """A new thread for the practice, and a warning to show when it could not be private."""
    channel = practice_channel(interaction)
    perms = interaction.app_permissions
    if not perms.send_messages_in_threads:
        raise Refusal(
            "I cannot post in threads here. A server admin needs to give my role "
            "'Send Messages in Threads' in this channel."
        )
    name = clip(f"Practice: {interaction.user.display_name} & {persona.short_name}", THREAD_NAME)
    if perms.create_private_threads:
        try:
            return await _private_thread(channel, name, interaction.user), ""
        except discord.HTTPException as exc:
            log.warning("private thread refused in channel %s: %s", channel.id, exc)
            why = "Discord would not let me open a private thread here"
    else:
        why = "I do not have the 'Create Private Threads' permission here"
    if not perms.create_public_threads:
        raise Refusal(
            f"{why}, and no permission to create public threads either. A server admin needs to "
            "give my role 'Create Private Threads' in this channel."
        )
    thread = await channel.create_thread(
        name=name,
        type=discord.ChannelType.public_thread,
        auto_archive_duration=AUTO_ARCHIVE_MINUTES,
        reason="Cooldown practice (private threads unavailable)",
    )
    log.warning("practice thread %s is public: %s", thread.id, why)
    return thread, f"⚠️ {why}, so this practice is in a public thread others can read."


async def discard_thread(thread: discord.Thread) -> None:
    """Remove a thread that was opened for a practice that then could not start."""
    await _delete_quietly(thread)
