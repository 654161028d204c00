"""Views that switch their buttons off when they time out.

A button whose view has timed out still shows as pressable, and a press then ends in Discord's
"This interaction failed". An ExpiringView edits its message when it times out so its buttons
show as disabled; delivery.respond tells it which message that is.
"""

from __future__ import annotations

import logging

import discord

from bot.discord.limits import NO_PINGS

log = logging.getLogger(__name__)

# Interaction tokens (needed to edit a private answer) last 15 minutes; 10 leaves room.
EXPIRES_AFTER = 600.0


class ExpiringView(discord.ui.View):
    """A view whose buttons are disabled on its message when it times out."""

    def __init__(self) -> None:
        super().__init__(timeout=EXPIRES_AFTER)
        self._message: discord.Message | None = None
        self._interaction: discord.Interaction | None = None

    def shown_in(
        self, interaction: discord.Interaction, message: discord.Message | None = None
    ) -> None:
        """Remember where the view is shown (the message, or else the interaction's answer)."""
        self._interaction, self._message = interaction, message

    def disable_all(self) -> None:
        """Grey out every button and select."""
        for item in self.children:
            if isinstance(item, discord.ui.Button | discord.ui.Select):
                item.disabled = True

    async def on_timeout(self) -> None:
        """Show the buttons as disabled, so nobody presses a dead one."""
        self.disable_all()
        try:
            if self._message is not None:
                await self._message.edit(view=self, allowed_mentions=NO_PINGS)
            elif self._interaction is not None:
                await self._interaction.edit_original_response(
                    view=self, allowed_mentions=NO_PINGS
                )
        except discord.HTTPException as exc:
            log.debug("could not disable a timed-out view: %s", exc)
