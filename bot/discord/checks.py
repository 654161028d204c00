"""What the bot needs from Discord, checked where it can be: permissions per server, the intent.

Used when the bot connects (one warning line per server that lacks something) and by
`cooldown doctor` (which asks Discord's API without connecting to the gateway).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.doctor import Finding
from bot.lifecycle import ExitCode

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


def check_discord(token: str, dev_guild_id: int | None = None) -> list[Finding]:
    """Ask Discord's API (no gateway connection) whether the token, the intent and each
    server's permissions are what the bot needs."""
    return asyncio.run(_check_discord(token, dev_guild_id))


async def _check_discord(token: str, dev_guild_id: int | None) -> list[Finding]:
    from bot.discord.delivery import TRANSIENT, describe

    http = discord.http.HTTPClient(asyncio.get_running_loop())
    try:
        try:
            me = await http.static_login(token)
            app = await http.application_info()
            guilds = await http.get_guilds(200)
        except discord.LoginFailure:
            return [Finding("DISCORD_TOKEN", "fail", "rejected by Discord - reset it in the "
                            f"developer portal ({PORTAL} -> your application -> Bot -> Reset "
                            "Token) and put the new one in .env", ExitCode.TOKEN_REJECTED)]
        except TRANSIENT as exc:
            return [Finding("Discord", "fail", f"cannot be reached from here ({describe(exc)}): "
                            "`cooldown run` would retry for DISCORD_CONNECT_TIMEOUT_S, then "
                            "exit 5. Check DNS, firewall or proxy for discord.com:443; "
                            "`cooldown doctor --offline` skips these checks.",
                            ExitCode.UNREACHABLE)]
    finally:
        await http.close()
    found = [Finding("DISCORD_TOKEN", "ok", f"accepted: the bot is {me['username']}")]
    flags = discord.ApplicationFlags._from_value(int(app.get("flags") or 0))
    if message_content_allowed(flags):
        found.append(Finding("Message Content intent", "ok", "switched on"))
    else:
        found.append(Finding("Message Content intent", "fail", f"switched off. {INTENT_FIX}",
                             ExitCode.INTENT_MISSING))  # fmt: skip
    found += _server_findings(guilds, int(app["id"]), dev_guild_id)
    return found


def _server_findings(
    guilds: list[dict[str, Any]], app_id: int, dev_guild_id: int | None
) -> list[Finding]:
    if not guilds:
        invite = INVITE.format(app_id=app_id)
        return [Finding("servers", "warn", f"the bot is in no server yet: invite it with {invite}")]
    found = []
    for guild in guilds:
        granted = discord.Permissions(int(guild.get("permissions") or 0))
        missing = missing_permissions(granted)
        what = f"server '{guild['name']}'"
        if missing:
            found.append(Finding(what, "warn", permissions_problem(guild["name"], missing, app_id)))
        else:
            found.append(Finding(what, "ok", "the bot's role has every permission it needs"))
    if dev_guild_id and all(int(g["id"]) != dev_guild_id for g in guilds):
        found.append(Finding("DEV_GUILD_ID", "warn", f"the bot is not in server {dev_guild_id}: "
                             "`cooldown run --sync` would fail to publish commands there"))
    return found
