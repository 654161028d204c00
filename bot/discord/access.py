"""Who may do what: trainers (the configured role, or server administrators) and officers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands

if TYPE_CHECKING:
    from bot.discord.app import CooldownBot

T = TypeVar("T")


class NotTrainer(app_commands.CheckFailure):
    """A trainer-only command used by someone who is not a trainer."""

    def __init__(self, role: str) -> None:
        super().__init__(
            f"Only trainers can do that: members with the '{role}' role or server administrators. "
            "Ask a trainer if you need it done."
        )


class GuildOnly(app_commands.CheckFailure):
    """A command that only makes sense inside a server."""

    def __init__(self) -> None:
        super().__init__("This command works in a server channel, not in direct messages.")


def officer_id(user: discord.abc.Snowflake) -> str:
    """The engine's opaque id for a Discord user."""
    return f"discord:{user.id}"


def discord_user_id(officer: str) -> int | None:
    """The Discord user id inside an engine officer id (None for other adapters' officers)."""
    prefix, _, raw = officer.partition(":")
    return int(raw) if prefix == "discord" and raw.isdigit() else None


def is_trainer(interaction: discord.Interaction, role_name: str) -> bool:
    """True for members with the trainer role (any case) or the Administrator permission."""
    user = interaction.user
    if not isinstance(user, discord.Member):
        return False
    # interaction.permissions comes resolved from Discord, so it holds even without a role cache.
    if interaction.permissions.administrator:
        return True
    wanted = role_name.strip().casefold()
    return any(role.name.casefold() == wanted for role in user.roles)


def _require_trainer(interaction: discord.Interaction) -> bool:
    client: CooldownBot = interaction.client  # type: ignore[assignment]
    if interaction.guild_id is None:
        raise GuildOnly()
    if not is_trainer(interaction, client.settings.trainer_role):
        raise NotTrainer(client.settings.trainer_role)
    return True


def _require_guild(interaction: discord.Interaction) -> bool:
    if interaction.guild_id is None:
        raise GuildOnly()
    return True


def trainer_only() -> Callable[[T], T]:
    """App-command check: refuses non-trainers with an ephemeral message (see the tree)."""
    return app_commands.check(_require_trainer)


def in_guild() -> Callable[[T], T]:
    """App-command check: refuses use in direct messages."""
    return app_commands.check(_require_guild)


def require_trainer(interaction: discord.Interaction) -> None:
    """The trainer check, for a command that is trainer-only for some arguments only."""
    _require_trainer(interaction)


def actor(interaction: discord.Interaction[Any]) -> str:
    """Who did a trainer action, as the audit log records it."""
    return f"{officer_id(interaction.user)} ({interaction.user})"
