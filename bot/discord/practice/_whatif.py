""""What if?" in Discord: pick a reply of a finished practice, write another, and play on.

The button (or /practice rewind) offers the practice's replies in a select; choosing one opens
a form for the other reply; the rewind then plays on in the practice's own thread, with the
two paths side by side in its debrief.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord

from bot.core.practice import AlreadyPractising
from bot.core.rewind import CannotRewind
from bot.core.session import check_reply
from bot.core.store import Transcript
from bot.discord.access import officer_id
from bot.discord.delivery import ChannelGone, defer, respond
from bot.discord.limits import clip
from bot.discord.practice._buttons import SESSION_ID, answering_errors, client
from bot.discord.practice._turns import end_gone_session, play_reply
from bot.discord.tree import explain

log = logging.getLogger(__name__)
MAX_OPTIONS = 25  # Discord's limit for a select


async def own_transcript(interaction: discord.Interaction, session_id: str) -> Transcript:
    """The practice's transcript, refusing anyone but its officer (CannotRewind) and an officer
    who is in another practice right now (AlreadyPractising), before any form is filled in."""
    bot = client(interaction)
    transcript = await bot.run_blocking(bot.store.session_transcript, session_id)
    me = officer_id(interaction.user)
    if transcript.summary.officer_id != me:
        raise CannotRewind("Only the officer who practised this can rewind it.")
    current = bot.room.active(me)
    if current is not None:
        raise AlreadyPractising(current)
    return transcript


def turn_options(transcript: Transcript) -> list[discord.SelectOption]:
    """One option per reply (the latest 25 when there are more): number, score and words."""
    return [
        discord.SelectOption(
            label=clip(f"Reply {t.number} ({t.score.overall}/100)", 100),
            description=clip(t.officer_text, 100),
            value=str(t.number),
        )
        for t in transcript.turns[-MAX_OPTIONS:]
    ]


class WhatIfTurn(
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=rf"cooldown:whatif-turn:{SESSION_ID}",
):
    """The select of a practice's replies; choosing one opens the form for another reply."""

    def __init__(self, session_id: str, options: list[discord.SelectOption] | None = None):
        super().__init__(
            discord.ui.Select(
                placeholder="Which reply would you say differently?",
                custom_id=f"cooldown:whatif-turn:{session_id}",
                options=options or [discord.SelectOption(label="-", value="0")],
            )
        )
        self.session_id = session_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Select[Any],
        match: re.Match[str],
        /,
    ) -> WhatIfTurn:
        """Rebuild the select from its custom id, keeping what was chosen."""
        return cls(match["session"], item.options)

    async def callback(self, interaction: discord.Interaction) -> None:
        """Open the form for the chosen reply."""
        await answering_errors(interaction, self._open_form(interaction))

    async def _open_form(self, interaction: discord.Interaction) -> None:
        turn = int(self.item.values[0])
        transcript = await own_transcript(interaction, self.session_id)
        original = next((t for t in transcript.turns if t.number == turn), None)
        if original is None:
            raise CannotRewind(f"That practice has no reply {turn}.")
        await interaction.response.send_modal(
            WhatIfForm(self.session_id, turn, original.officer_text)
        )


class WhatIfForm(discord.ui.Modal):
    """One box: what the officer would say instead."""

    def __init__(self, session_id: str, turn: int, original: str) -> None:
        super().__init__(title=f"What if? Reply {turn}", timeout=30 * 60)
        self.session_id, self.turn = session_id, turn
        self.reply: discord.ui.TextInput[WhatIfForm] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph, max_length=2000
        )
        self.add_item(
            discord.ui.Label(
                text="What would you say instead?",
                description=clip(f"You said: {original}", 100),
                component=self.reply,
            )
        )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Start the rewind and play the other reply in the practice's thread."""
        await defer(interaction)
        await play_whatif(interaction, self.session_id, self.turn, self.reply.value)

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        """Same messages as slash commands: the refusal, or a logged bug."""
        message = explain(error)
        if message is None:
            log.error("what-if form failed", exc_info=error)
            message = "Something went wrong on my side; it has been logged. Please try again."
        await respond(interaction, message)


async def offer_turns(interaction: discord.Interaction, session_id: str) -> None:
    """Answer privately with the practice's replies to choose from."""
    await defer(interaction)
    transcript = await own_transcript(interaction, session_id)
    if not transcript.turns:
        raise CannotRewind("That practice has no replies to go back to.")
    view = discord.ui.View(timeout=None)
    view.add_item(WhatIfTurn(session_id, turn_options(transcript)))
    await respond(
        interaction,
        f"What if? Pick the reply to say differently in your practice with "
        f"{transcript.summary.persona_name.split(',')[0]}. You carry on from there, with the "
        "visitor as they were at that moment.",
        view=view,
    )


async def play_whatif(
    interaction: discord.Interaction, session_id: str, turn: int, text: str
) -> None:
    """Open the rewind, tell the officer where it plays, and play the other reply there."""
    bot = client(interaction)
    reply = check_reply(text)
    transcript = await own_transcript(interaction, session_id)
    thread_id = transcript.meta.get("thread_id", "")
    if not thread_id.isdigit():
        raise CannotRewind("That practice has no thread to play on in; rewind it in a terminal.")
    meta = {**transcript.meta, "officer_name": interaction.user.display_name}
    session = await bot.run_blocking(
        bot.room.rewind, session_id, turn, officer_id=officer_id(interaction.user), meta=meta
    )
    guild_id = transcript.meta.get("guild_id", "")
    thread = bot.get_partial_messageable(
        int(thread_id), guild_id=int(guild_id) if guild_id.isdigit() else None
    )
    await respond(interaction, f"Your what-if from reply {turn} plays on in <#{thread_id}>.")
    preface = f"**What if?** From reply {turn}, instead: *{clip(reply, 300)}*\n"
    try:
        await play_reply(bot, session, reply, thread, preface=preface)
    except ChannelGone:
        await end_gone_session(bot, session)
        raise
