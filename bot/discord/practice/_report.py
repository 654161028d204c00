"""The incident report in Discord: a form after the debrief, checked, feedback only to you."""

from __future__ import annotations

import logging

import discord

from bot.core.report import MAX_REPORT_CHARS, FindingKind, ReportCheck, ReportRefused, file_report
from bot.core.session import Outcome
from bot.discord.access import officer_id
from bot.discord.delivery import defer, respond
from bot.discord.limits import EMBED_DESCRIPTION, clip
from bot.discord.practice._buttons import client
from bot.discord.tree import explain

log = logging.getLogger(__name__)
MARKS = {
    FindingKind.MISSING: "➕",
    FindingKind.CONTRADICTED: "❗",
    FindingKind.UNSUPPORTED: "❔",
}


def report_embed(check: ReportCheck) -> discord.Embed:
    """The check's verdict and each finding, marked by kind."""
    lines = [f"{MARKS[f.kind]} **{f.part}**: {f.message}" for f in check.findings]
    good = check.complete and check.consistent
    embed = discord.Embed(
        title="Incident report - " + ("ready to file" if good else "to fix"),
        description=clip("\n".join([check.verdict, *lines]), EMBED_DESCRIPTION),
        colour=discord.Colour.green() if good else discord.Colour.gold(),
    )
    embed.set_footer(
        text="➕ missing · ❗ the transcript says otherwise · ❔ not in the transcript. Saved with "
        "the practice; write it again to replace it."
    )
    return embed


class ReportForm(discord.ui.Modal):
    """One box: the report as the officer would file it."""

    def __init__(self, session_id: str, draft: str = "") -> None:
        super().__init__(title="Incident report", timeout=30 * 60)
        self.session_id = session_id
        self.text: discord.ui.TextInput[ReportForm] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph,
            min_length=1,
            max_length=MAX_REPORT_CHARS,
            default=draft or None,
            placeholder="At about 02:10 at the main entrance, a man ... I asked ... He ...",
        )
        self.add_item(
            discord.ui.Label(
                text="Your report",
                description="What happened, when, where, who, what you did, how it ended",
                component=self.text,
            )
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Check the report against the transcript, store it, and answer privately."""
        await defer(interaction)
        bot = client(interaction)
        check = await bot.run_blocking(
            file_report,
            bot.store,
            bot.catalogue,
            self.session_id,
            self.text.value,
            officer_id(interaction.user),
        )
        await respond(interaction, embeds=[report_embed(check)])

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        """Same messages as slash commands: the refusal, or a logged bug."""
        message = explain(error)
        if message is None:
            log.error("report form failed", exc_info=error)
            message = "Something went wrong on my side; it has been logged. Please try again."
        await respond(interaction, message)


async def open_report_form(interaction: discord.Interaction, session_id: str) -> None:
    """Open the report form for the officer's own finished practice (the last draft in it)."""
    bot = client(interaction)
    transcript = await bot.run_blocking(bot.store.session_transcript, session_id)
    if transcript.summary.officer_id != officer_id(interaction.user):
        raise ReportRefused("You can only file the report for your own practices.")
    if transcript.summary.outcome is Outcome.IN_PROGRESS:
        raise ReportRefused("That practice is still running: finish it, then write the report.")
    earlier = await bot.run_blocking(bot.store.report, session_id)
    await interaction.response.send_modal(ReportForm(session_id, earlier.text if earlier else ""))
