"""Trainer notes from /review: a comment on a reply, or a criterion score overridden with a
reason. Both are stored (and audited) by the store; the officer sees them in their next
debrief and in /stats."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.core.store import NoteRefused
from bot.discord.access import actor
from bot.discord.delivery import defer, respond
from bot.discord.tree import explain

if TYPE_CHECKING:
    from bot.discord.app import CooldownBot

log = logging.getLogger(__name__)


def _reply_number(text: str) -> int:
    try:
        return int(text.strip().lstrip("#"))
    except ValueError:
        raise NoteRefused(f"'{text}' is not a reply number; write the number, e.g. 2.") from None


def _box(
    label: str,
    description: str,
    *,
    long: bool = False,
    max_length: int = 1000,
    placeholder: str | None = None,
) -> tuple[discord.ui.Label, discord.ui.TextInput]:
    box: discord.ui.TextInput = discord.ui.TextInput(
        style=discord.TextStyle.paragraph if long else discord.TextStyle.short,
        max_length=max_length,
        placeholder=placeholder,
    )
    return discord.ui.Label(text=label, description=description, component=box), box


class _NoteForm(discord.ui.Modal):
    """Shared error handling: refusals are shown privately, bugs are logged."""

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        """Same messages as slash commands."""
        message = explain(error)
        if message is None:
            log.error("note form failed", exc_info=error)
            message = "Something went wrong on my side; it has been logged. Please try again."
        await respond(interaction, message)


class CommentForm(_NoteForm):
    """A comment on one reply of the transcript on show."""

    def __init__(self, session_id: str, replies: int) -> None:
        super().__init__(title="Comment on a reply", timeout=30 * 60)
        self.session_id = session_id
        label, self.turn = _box("Reply number", f"1 to {replies}", max_length=3)
        self.add_item(label)
        label, self.text = _box("Comment", "What the officer should know about this reply",
                                long=True)  # fmt: skip
        self.add_item(label)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Store the comment and say so privately."""
        await defer(interaction)
        bot: CooldownBot = interaction.client  # type: ignore[assignment]
        note = await bot.run_blocking(
            bot.store.add_note, self.session_id, _reply_number(self.turn.value),
            actor(interaction), self.text.value,
        )  # fmt: skip
        await respond(interaction, f"Note saved on reply {note.turn}. The officer sees it in "
                                   "their next debrief and in /stats.")  # fmt: skip


class OverrideForm(_NoteForm):
    """A criterion score of one reply, replaced by the trainer's, with the reason."""

    def __init__(self, session_id: str, replies: int) -> None:
        super().__init__(title="Override a score", timeout=30 * 60)
        self.session_id = session_id
        label, self.turn = _box("Reply number", f"1 to {replies}", max_length=3)
        self.add_item(label)
        label, self.criterion = _box(
            "Criterion", "Name or label, e.g. explains reason", max_length=40,
            placeholder="explains_reason",
        )  # fmt: skip
        self.add_item(label)
        label, self.score = _box("New score", "0 to 100", max_length=3)
        self.add_item(label)
        label, self.reason = _box("Reason", "Why the rubric's score was wrong (audited)",
                                  long=True)  # fmt: skip
        self.add_item(label)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Change the score (audited) and say what changed, privately."""
        await defer(interaction)
        try:
            score = int(self.score.value.strip())
        except ValueError:
            raise NoteRefused(f"'{self.score.value}' is not a score; write 0 to 100.") from None
        bot: CooldownBot = interaction.client  # type: ignore[assignment]
        note = await bot.run_blocking(
            bot.store.override_score, self.session_id, _reply_number(self.turn.value),
            self.criterion.value, score, self.reason.value, actor(interaction),
        )  # fmt: skip
        await respond(interaction, f"Score changed: {note.describe()}. Leaderboards and exports "
                                   "use it now; the change is in the audit log.")  # fmt: skip
