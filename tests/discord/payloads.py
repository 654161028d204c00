"""Discord API payloads shaped like the real ones, for driving discord.py offline."""

from __future__ import annotations

import itertools
from typing import Any

import discord

APP_ID = 900000000000000001
BOT_ID = 900000000000000002
GUILD_ID = 100000000000000001
PRACTICE_CHANNEL_ID = 200000000000000001
TRAINER_ROLE_ID = 300000000000000001
OWNER_ID = 400000000000000009
OFFICER_ID = 400000000000000001
COLLEAGUE_ID = 400000000000000002
TRAINER_ID = 400000000000000003
ADMIN_ID = 400000000000000004
NAMES = {
    OFFICER_ID: "alice",
    COLLEAGUE_ID: "bob",
    TRAINER_ID: "tessa",
    ADMIN_ID: "adam",
    OWNER_ID: "olga",
    BOT_ID: "cooldown",
}
ROLES = {TRAINER_ID: [TRAINER_ROLE_ID]}
TIMESTAMP = "2025-01-06T10:00:00+00:00"

MEMBER_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    read_message_history=True,
    use_application_commands=True,
)
ADMIN_PERMISSIONS = discord.Permissions(administrator=True) | MEMBER_PERMISSIONS
# docs/discord.md asks for exactly these.
BOT_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_private_threads=True,
    create_public_threads=True,
    embed_links=True,
    attach_files=True,
    read_message_history=True,
)

_ids = itertools.count(600000000000000000)


def snowflake() -> int:
    """A fresh, increasing id."""
    return next(_ids)


def user(uid: int) -> dict[str, Any]:
    """A user object."""
    name = NAMES.get(uid, f"user{uid % 1000}")
    return {
        "id": str(uid),
        "username": name,
        "discriminator": "0",
        "global_name": name.title(),
        "avatar": None,
        "bot": uid == BOT_ID,
    }


def member(uid: int, with_user: bool = True) -> dict[str, Any]:
    """A guild member object (interaction members also carry their permissions)."""
    perms = ADMIN_PERMISSIONS if uid == ADMIN_ID else MEMBER_PERMISSIONS
    data: dict[str, Any] = {
        "roles": [str(r) for r in ROLES.get(uid, [])],
        "joined_at": TIMESTAMP,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "nick": None,
        "permissions": str(perms.value),
    }
    if with_user:
        data["user"] = user(uid)
    return data


def text_channel(channel_id: int = PRACTICE_CHANNEL_ID, name: str = "practice") -> dict[str, Any]:
    """A guild text channel."""
    return {
        "id": str(channel_id),
        "type": 0,
        "guild_id": str(GUILD_ID),
        "name": name,
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
    }


def thread(thread_id: int, parent_id: int, name: str, kind: int) -> dict[str, Any]:
    """A thread channel as Discord returns it on creation."""
    return {
        "id": str(thread_id),
        "guild_id": str(GUILD_ID),
        "parent_id": str(parent_id),
        "owner_id": str(BOT_ID),
        "name": name,
        "type": kind,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": TIMESTAMP,
            "locked": False,
            "invitable": False,
            "create_timestamp": TIMESTAMP,
        },
    }


def guild() -> dict[str, Any]:
    """The training server: @everyone, a Trainer role, #practice, and the bot as a member."""
    return {
        "id": str(GUILD_ID),
        "name": "Training",
        "owner_id": str(OWNER_ID),
        "icon": None,
        "features": [],
        "emojis": [],
        "stickers": [],
        "roles": [
            {
                "id": str(GUILD_ID),
                "name": "@everyone",
                "permissions": str(MEMBER_PERMISSIONS.value),
                "position": 0,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            },
            {
                "id": str(TRAINER_ROLE_ID),
                "name": "Trainer",
                "permissions": "0",
                "position": 1,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            },
        ],
        "channels": [text_channel()],
        "threads": [],
        "members": [member(BOT_ID)],
        "member_count": 5,
        "unavailable": False,
        "large": False,
        "preferred_locale": "en-US",
        "premium_tier": 0,
        "system_channel_flags": 0,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
    }


def message(
    channel_id: int,
    author_id: int,
    content: str = "",
    *,
    embeds: list[dict[str, Any]] | None = None,
    attachments: list[dict[str, Any]] | None = None,
    message_id: int | None = None,
    flags: int = 0,
) -> dict[str, Any]:
    """A message object (also the MESSAGE_CREATE gateway payload)."""
    data: dict[str, Any] = {
        "id": str(message_id or snowflake()),
        "channel_id": str(channel_id),
        "guild_id": str(GUILD_ID),
        "author": user(author_id),
        "content": content,
        "timestamp": TIMESTAMP,
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": attachments or [],
        "embeds": embeds or [],
        "pinned": False,
        "type": 0,
        "flags": flags,
    }
    if author_id != BOT_ID:
        data["member"] = member(author_id, with_user=False)
    return data


def attachment(filename: str, size: int) -> dict[str, Any]:
    """An uploaded file as it appears in an interaction's resolved data."""
    aid = snowflake()
    return {
        "id": str(aid),
        "filename": filename,
        "size": size,
        "url": f"https://cdn.discordapp.com/attachments/{PRACTICE_CHANNEL_ID}/{aid}/{filename}",
        "proxy_url": f"https://media.discordapp.net/attachments/{aid}/{filename}",
        "content_type": "application/x-yaml",
    }


def interaction(
    kind: int,
    data: dict[str, Any],
    user_id: int,
    channel: dict[str, Any],
    app_permissions: discord.Permissions = BOT_PERMISSIONS,
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload (2.7.1 needs attachment_size_limit)."""
    return {
        "id": str(snowflake()),
        "application_id": str(APP_ID),
        "type": kind,
        "token": f"interaction-token-{snowflake()}",
        "version": 1,
        "guild_id": str(GUILD_ID),
        "channel_id": channel["id"],
        "channel": channel,
        "member": member(user_id),
        "app_permissions": str(app_permissions.value),
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(GUILD_ID)},
        "context": 0,
        "attachment_size_limit": 10 * 1024 * 1024,
        "data": data,
    }
