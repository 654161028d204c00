"""/review: a trainer reads an officer's recent transcripts; /export: results as a CSV file."""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.store import TrainerNote, Transcript
from bot.discord.access import actor, officer_id, trainer_only
from bot.discord.delivery import defer, respond
from bot.discord.leaderboard import PERIODS
from bot.discord.limits import EMBED_DESCRIPTION, NO_PINGS, clip, fit_embed
from bot.discord.markdown import literal
from bot.discord.teams import team_autocomplete
from bot.discord.trainers._notes import CommentForm, OverrideForm
from bot.discord.tree import Refusal

if TYPE_CHECKING:
    from bot.discord.app import CooldownBot

log = logging.getLogger(__name__)
TRANSCRIPT_ROOM = EMBED_DESCRIPTION - 200  # leave room for the "more not shown" line


def transcript_embed(
    transcript: Transcript, officer_name: str, notes: Sequence[TrainerNote] = ()
) -> discord.Embed:
    """One session's transcript with trainer notes under their replies; cut between turns
    (never mid-word) when it is too long.

    Every quoted line is `literal`: what an officer or trainer typed is shown, never rendered.
    """
    summary = transcript.summary
    visitor = literal(summary.persona_name.split(",")[0].strip())
    officer_name = literal(officer_name)
    when = dt.datetime.fromtimestamp(summary.started_at, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    score = f"{summary.overall:.0f}" if summary.overall is not None else "-"
    lines = [f"**{visitor}:** {literal(transcript.opening_line)}"]
    shown = 0
    for turn in transcript.turns:
        chunk = (
            f"**{turn.number}. {officer_name} ({turn.score.overall}):** "
            f"{literal(turn.officer_text)}\n"
            f"**{visitor}** (agitation {turn.agitation_before}→{turn.agitation_after}): "
            f"{literal(turn.visitor_reply)}"
        )
        chunk += "".join(f"\n> 📝 {literal(n.describe())}" for n in notes if n.turn == turn.number)
        if sum(len(line) + 1 for line in lines) + len(chunk) > TRANSCRIPT_ROOM:
            break
        lines.append(chunk)
        shown += 1
    if shown < len(transcript.turns):
        lines.append(
            f"*… {len(transcript.turns) - shown} more repl(ies) not shown; `/export` has them all.*"
        )
    embed = discord.Embed(
        title=f"{summary.persona_name} - {summary.outcome.label}",
        description=clip("\n".join(lines), EMBED_DESCRIPTION),
        colour=discord.Colour.blurple(),
    )
    embed.set_footer(text=f"{when} · {summary.turns} replies · overall {score} · {summary.id}")
    return fit_embed(embed)


class TranscriptPages(discord.ui.View):
    """Previous / Next through transcripts; only the trainer who asked can turn the pages."""

    def __init__(
        self, pages: list[discord.Embed], owner_id: int, transcripts: Sequence[Transcript] = ()
    ) -> None:
        super().__init__(timeout=600)
        self.pages, self.owner_id, self.index = pages, owner_id, 0
        self.transcripts = list(transcripts)
        if len(pages) < 2:
            self.remove_item(self.previous)
            self.remove_item(self.next)
        self._sync()

    def _sync(self) -> None:
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index >= len(self.pages) - 1

    def current(self) -> discord.Embed:
        """The page on show, numbered."""
        page = self.pages[self.index]
        page.set_author(name=f"Transcript {self.index + 1} of {len(self.pages)}")
        return page

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Only the trainer who ran /review turns the pages."""
        if interaction.user.id == self.owner_id:
            return True
        await respond(interaction, "Only the trainer who ran /review can turn these pages.")
        return False

    async def _turn(self, interaction: discord.Interaction, step: int) -> None:
        self.index = max(0, min(len(self.pages) - 1, self.index + step))
        self._sync()
        await interaction.response.edit_message(
            embed=self.current(), view=self, allowed_mentions=NO_PINGS
        )

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        """Show the newer transcript."""
        await self._turn(interaction, -1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        """Show the older transcript."""
        await self._turn(interaction, +1)

    def _shown(self) -> Transcript:
        return self.transcripts[self.index]

    @discord.ui.button(label="Comment", style=discord.ButtonStyle.primary)
    async def comment(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        """Comment on a reply of the transcript on show."""
        shown = self._shown()
        await interaction.response.send_modal(CommentForm(shown.summary.id, len(shown.turns)))

    @discord.ui.button(label="Override score", style=discord.ButtonStyle.danger)
    async def override(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        """Replace a criterion score of a reply on show, with a reason."""
        shown = self._shown()
        await interaction.response.send_modal(OverrideForm(shown.summary.id, len(shown.turns)))


class ReviewCog(commands.Cog):
    """Trainers look at what officers said, and take results away as a spreadsheet."""

    def __init__(self, bot: CooldownBot) -> None:
        self.bot = bot

    @app_commands.command(name="review")
    @app_commands.guild_only()
    @app_commands.describe(officer="The officer", count="How many recent practices (1-10)")
    @trainer_only()
    async def review(
        self,
        interaction: discord.Interaction,
        officer: discord.Member,
        count: app_commands.Range[int, 1, 10] = 5,
    ) -> None:
        """Read an officer's recent practice transcripts, privately (trainers)."""
        await defer(interaction)
        store, who = self.bot.store, officer_id(officer)
        sessions = await self.bot.run_blocking(store.recent_sessions, who, count)
        if not sessions:
            await respond(interaction, f"{officer.display_name} has not practised yet.")
            return
        transcripts = [
            await self.bot.run_blocking(store.session_transcript, s.id) for s in sessions
        ]
        notes = [await self.bot.run_blocking(store.session_notes, s.id) for s in sessions]
        await self.bot.run_blocking(
            store.audit, actor(interaction), "review", f"{who}: {len(transcripts)} session(s)"
        )
        pages = [
            transcript_embed(t, officer.display_name, n)
            for t, n in zip(transcripts, notes, strict=True)
        ]
        view = TranscriptPages(pages, interaction.user.id, transcripts)
        await respond(interaction, embeds=[view.current()], view=view)

    @app_commands.command(name="export")
    @app_commands.guild_only()
    @app_commands.describe(team="Only this team's officers", period="Which practices")
    @app_commands.choices(period=PERIODS)
    @app_commands.autocomplete(team=team_autocomplete)
    @trainer_only()
    async def export(
        self, interaction: discord.Interaction, team: str | None = None, period: str | None = None
    ) -> None:
        """Download results as a CSV file, one row per reply (trainers)."""
        await defer(interaction)
        buffer = io.StringIO()
        rows = await self.bot.run_blocking(
            self.bot.store.export_csv, buffer, team, period, actor(interaction)
        )
        # Excel only reads UTF-8 correctly with a byte-order mark.
        data = buffer.getvalue().encode("utf-8-sig")
        if len(data) > interaction.filesize_limit:
            raise Refusal(
                f"The export is {len(data) / 1e6:.1f} MB, over Discord's upload limit here. "
                "Narrow it with team/period, or run `cooldown export` on the bot's machine."
            )
        name = f"cooldown-{(team or 'all').replace(' ', '_')}-{period or 'all'}.csv"
        await respond(
            interaction,
            f"{rows} row(s), one per reply.",
            files=[discord.File(io.BytesIO(data), name)],
        )
