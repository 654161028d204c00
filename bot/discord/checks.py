"""What the bot needs from Discord, checked where it can be: permissions per server, the intent.

Used when the bot connects (one warning line per server that lacks something) and by
`cooldown doctor` (which asks Discord's API without connecting to the gateway).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

if TYPE_CHECKING:
    from discord.ext import commands

log = logging.getLogger(__name__)

PORTAL = "https://discord.com/developers/applications"
# The permissions docs/discord.md asks for, as Discord's settings name them (integer 377957239808).
NEEDED: dict[str, str] = {
    "view_channel": "View Channels",
    "send_messages": "Send Messages",
    "send_messages_in_threads": "Send Messages in Threads",
    "create_private_threads": "Create Private Threads",
    "create_public_threads": "Create Public Threads",
    "embed_links": "Embed Links",
    "attach_files": "Attach Files",
    "read_message_history": "Read Message History",
}
NEEDED_PERMISSIONS = discord.Permissions(**dict.fromkeys(NEEDED, True))
INVITE = (
    "https://discord.com/oauth2/authorize?client_id={app_id}&scope=bot+applications.commands"
    f"&permissions={NEEDED_PERMISSIONS.value}"
)


def missing_permissions(granted: discord.Permissions) -> list[str]:
    """The needed permissions a server's roles do not give the bot, by their settings names."""
    if granted.administrator:
        return []
    return [label for name, label in NEEDED.items() if not getattr(granted, name)]


def permissions_problem(server: str, missing: list[str], app_id: int | None) -> str:
    """One line: which server, what is missing, and how to fix it."""
    invite = INVITE.format(app_id=app_id or "APP_ID")
    return (
        f"In server '{server}' the bot's role lacks {', '.join(missing)}: practices there will "
        f"fail. A server admin can add them to the bot's role (Server Settings -> Roles), or "
        f"re-invite the bot with {invite}"
    )


def message_content_allowed(flags: discord.ApplicationFlags) -> bool:
    """Whether the application may receive message text (the privileged Message Content intent)."""
    return flags.gateway_message_content or flags.gateway_message_content_limited


INTENT_FIX = (
    f"In {PORTAL} -> your application -> Bot -> Privileged Gateway Intents, switch on "
    "MESSAGE CONTENT INTENT, save, and start again."
)


def report_servers(bot: commands.Bot, seen: set[int]) -> list[str]:
    """Log one warning per server (not yet in `seen`) whose bot role lacks a needed permission."""
    problems = []
    if not bot.guilds:
        invite = INVITE.format(app_id=bot.application_id or "APP_ID")
        log.warning("the bot is in no server yet: invite it with %s", invite)
    for guild in bot.guilds:
        if guild.id in seen or guild.me is None:
            continue
        seen.add(guild.id)
        missing = missing_permissions(guild.me.guild_permissions)
        if missing:
            problem = permissions_problem(guild.name, missing, bot.application_id)
            log.warning("%s", problem)
            problems.append(problem)
    return problems
