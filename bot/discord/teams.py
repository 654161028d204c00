"""/team: officers join and leave teams; trainers create, delete and fill them."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.access import actor, in_guild, officer_id, trainer_only
from bot.discord.delivery import defer, respond
from bot.discord.limits import EMBED_DESCRIPTION, clip

if TYPE_CHECKING:
    from bot.discord.app import CooldownBot

log = logging.getLogger(__name__)


async def team_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Existing team names containing what was typed."""
    bot: CooldownBot = interaction.client  # type: ignore[assignment]
    teams = await bot.run_blocking(bot.store.teams)
    typed = current.casefold().strip()
    return [
        app_commands.Choice(name=t.name, value=t.name) for t in teams if typed in t.name.casefold()
    ][:25]


def _esc(text: str) -> str:
    return discord.utils.escape_markdown(text)


# Server-only: practices, teams and trainer roles all live in a server.
@app_commands.guild_only()
class TeamCog(commands.GroupCog, group_name="team"):
    """Teams for the team leaderboard."""

    def __init__(self, bot: CooldownBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="join")
    @app_commands.describe(team="The team to join")
    @app_commands.autocomplete(team=team_autocomplete)
    @in_guild()
    async def join(self, interaction: discord.Interaction, team: str) -> None:
        """Join a team."""
        await defer(interaction)
        me = officer_id(interaction.user)
        store = self.bot.store
        await self.bot.run_blocking(store.ensure_officer, me, interaction.user.display_name)
        stored = await self.bot.run_blocking(store.add_member, team, me, me)
        await respond(interaction, f"You are now in team **{_esc(stored)}**.")

    @app_commands.command(name="leave")
    @app_commands.describe(team="The team to leave")
    @app_commands.autocomplete(team=team_autocomplete)
    @in_guild()
    async def leave(self, interaction: discord.Interaction, team: str) -> None:
        """Leave a team."""
        await defer(interaction)
        me = officer_id(interaction.user)
        stored = await self.bot.run_blocking(self.bot.store.remove_member, team, me, me)
        await respond(interaction, f"You left team **{_esc(stored)}**.")

    @app_commands.command(name="list")
    @app_commands.describe(team="Show this team's members instead of all teams")
    @app_commands.autocomplete(team=team_autocomplete)
    @in_guild()
    async def list_(self, interaction: discord.Interaction, team: str | None = None) -> None:
        """List the teams (and yours), or one team's members."""
        await defer(interaction)
        store = self.bot.store
        if team:
            members = await self.bot.run_blocking(store.team_members, team)
            names = ", ".join(_esc(m.display_name) for m in members) or "(nobody yet)"
            text = f"**{_esc(team)}** ({len(members)}): {names}"
        else:
            teams = await self.bot.run_blocking(store.teams)
            mine = await self.bot.run_blocking(store.teams_of, officer_id(interaction.user))
            lines = [f"• **{_esc(t.name)}** - {t.members} member(s)" for t in teams]
            text = "\n".join(lines) or "No teams yet. A trainer can create one: `/team create`."
            text += f"\nYour teams: {', '.join(map(_esc, mine)) or 'none'}."
        await respond(
            interaction,
            embeds=[discord.Embed(title="Teams", description=clip(text, EMBED_DESCRIPTION))],
        )

    @app_commands.command(name="create")
    @app_commands.describe(name="The new team's name")
    @trainer_only()
    async def create(self, interaction: discord.Interaction, name: str) -> None:
        """Create a team (trainers)."""
        await defer(interaction)
        created = await self.bot.run_blocking(self.bot.store.create_team, name, actor(interaction))
        await respond(interaction, f"Team **{_esc(created.name)}** created.")

    @app_commands.command(name="delete")
    @app_commands.describe(team="The team to delete (officers keep their results)")
    @app_commands.autocomplete(team=team_autocomplete)
    @trainer_only()
    async def delete(self, interaction: discord.Interaction, team: str) -> None:
        """Delete a team; its officers keep their results (trainers)."""
        await defer(interaction)
        removed = await self.bot.run_blocking(self.bot.store.delete_team, team, actor(interaction))
        await respond(interaction, f"Team **{_esc(team)}** deleted ({removed} member(s) freed).")

    @app_commands.command(name="add")
    @app_commands.describe(team="The team", member="The officer to add")
    @app_commands.autocomplete(team=team_autocomplete)
    @trainer_only()
    async def add(
        self, interaction: discord.Interaction, team: str, member: discord.Member
    ) -> None:
        """Add an officer to a team (trainers)."""
        await defer(interaction)
        store, who = self.bot.store, officer_id(member)
        await self.bot.run_blocking(store.ensure_officer, who, member.display_name)
        stored = await self.bot.run_blocking(store.add_member, team, who, actor(interaction))
        await respond(interaction, f"{_esc(member.display_name)} is now in **{_esc(stored)}**.")

    @app_commands.command(name="remove")
    @app_commands.describe(team="The team", member="The officer to remove")
    @app_commands.autocomplete(team=team_autocomplete)
    @trainer_only()
    async def remove(
        self, interaction: discord.Interaction, team: str, member: discord.Member
    ) -> None:
        """Remove an officer from a team (trainers)."""
        await defer(interaction)
        stored = await self.bot.run_blocking(
            self.bot.store.remove_member, team, officer_id(member), actor(interaction)
        )
        await respond(interaction, f"{_esc(member.display_name)} left **{_esc(stored)}**.")


async def setup(bot: CooldownBot) -> None:
    """Load the team cog."""
    await bot.add_cog(TeamCog(bot))
