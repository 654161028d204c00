"""/persona: trainers add personas (YAML upload or form), list, show, disable and enable them."""

from __future__ import annotations

import asyncio
import io
import logging
from pathlib import PurePath
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.catalogue import Origin
from bot.core.persona import Persona, PersonaError, parse_persona
from bot.core.persona_yaml import MAX_FILE_BYTES
from bot.discord.access import actor, is_trainer, trainer_only
from bot.discord.delivery import defer, respond
from bot.discord.limits import EMBED_DESCRIPTION, clip
from bot.discord.practice._render import DIFFICULTY_LABELS, persona_choice_name
from bot.discord.trainers._form import PersonaForm
from bot.discord.tree import Refusal

if TYPE_CHECKING:
    from bot.discord.app import CooldownBot

log = logging.getLogger(__name__)
MAX_PERSONA_BYTES = MAX_FILE_BYTES  # checked before download; the parser checks it again
# Reading a persona runs on a blocking thread; with the size and shape checks it takes
# milliseconds, and this bound keeps the command answering even if something slipped through.
PARSE_TIMEOUT_S = 5.0
DIFFICULTIES = [
    app_commands.Choice(name=f"{k} - {v}", value=k) for k, v in DIFFICULTY_LABELS.items()
]


async def any_persona_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Every persona for trainers, disabled ones included; nothing for anyone else.

    Discord asks for autocomplete before any command check runs, so the trainer check is made
    here too: disabled personas are trainer-only data and must not leak to officers.
    """
    bot: CooldownBot = interaction.client  # type: ignore[assignment]
    if not is_trainer(interaction, bot.settings.trainer_role):
        return []
    typed = current.casefold().strip()
    return [
        app_commands.Choice(name=persona_choice_name(entry.persona), value=entry.persona.id)
        for entry in bot.catalogue.entries()
        if typed in entry.persona.id or typed in entry.persona.name.casefold()
    ][:25]


def persona_embed(persona: Persona, disabled: bool = False) -> discord.Embed:
    """A persona at a glance."""
    embed = discord.Embed(
        title=f"{persona.name} ({persona.id})" + (" - disabled" if disabled else ""),
        description=clip(
            f"*{persona.setting}*\n\n{persona.backstory}\n\n**Wants:** {persona.wants}",
            EMBED_DESCRIPTION,
        ),
        colour=discord.Colour.dark_grey() if disabled else discord.Colour.blurple(),
    )
    embed.add_field(name="Difficulty", value=f"{persona.difficulty}/5")
    embed.add_field(name="Start agitation", value=f"{persona.start_agitation}/10")
    embed.add_field(name="Max replies", value=str(persona.max_turns))
    lines = ", ".join(f"{band} {len(persona.lines[band])}" for band in ("high", "medium", "low"))
    embed.add_field(name="Lines", value=lines, inline=False)
    return embed


# Server-only: practices, teams and trainer roles all live in a server.
@app_commands.guild_only()
class PersonaCog(commands.GroupCog, group_name="persona"):
    """Trainers manage the visitors officers practise with."""

    def __init__(self, bot: CooldownBot) -> None:
        self.bot = bot
        super().__init__()

    async def save_persona(
        self, interaction: discord.Interaction, persona_id: str, text: str, source: str
    ) -> None:
        """Validate, store and put a persona into play now (the YAML upload and the form)."""
        catalogue = self.bot.catalogue
        try:  # read once under a time limit before anything is stored
            await asyncio.wait_for(
                self.bot.run_blocking(parse_persona, text, persona_id, source), PARSE_TIMEOUT_S
            )
        except TimeoutError:
            raise Refusal(
                f"{source}: reading this persona took longer than {PARSE_TIMEOUT_S:.0f} s, so it "
                "was not added. Check it with `cooldown personas validate` first."
            ) from None
        saved = await self.bot.run_blocking(
            catalogue.add, persona_id, text, actor(interaction), source=source
        )
        note = " It replaces the persona that had this id." if saved.replaced else ""
        await respond(
            interaction,
            f"Persona `{persona_id}` saved.{note} Officers can pick it now with "
            f"`/practice start persona:{persona_id}`.",
            embeds=[persona_embed(saved.persona, not catalogue.is_enabled(persona_id))],
        )

    async def _from_upload(
        self, interaction: discord.Interaction, file: discord.Attachment, persona_id: str | None
    ) -> None:
        await defer(interaction)
        suffix = PurePath(file.filename).suffix.lower()
        if suffix not in (".yaml", ".yml"):
            raise Refusal(f"{file.filename}: upload a .yaml persona file (see personas/README.md).")
        if file.size > MAX_PERSONA_BYTES:
            raise Refusal(
                f"{file.filename} is {file.size:,} bytes; a persona file is at most "
                f"{MAX_PERSONA_BYTES:,}. Did you attach the right file?"
            )
        data = await file.read()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise PersonaError(
                file.filename, "(file)", "is not UTF-8 text", "save it as UTF-8"
            ) from None
        await self.save_persona(
            interaction, persona_id or PurePath(file.filename).stem, text, file.filename
        )

    @app_commands.command(name="add")
    @app_commands.describe(
        file="A persona .yaml file (leave empty to fill in a form instead)",
        id="Persona id (default: the file name, or the visitor's first name for the form)",
        difficulty="Form only: 1 easy .. 5 hard",
        start_agitation="Form only: 0 calm .. 10 about to explode",
    )
    @app_commands.choices(difficulty=DIFFICULTIES)
    @trainer_only()
    async def add(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment | None = None,
        id: str | None = None,  # noqa: A002 - the option name trainers see
        difficulty: int = 3,
        start_agitation: app_commands.Range[int, 0, 10] = 7,
    ) -> None:
        """Add a persona from a YAML file, or from a form when no file is attached (trainers)."""
        if file is not None:
            await self._from_upload(interaction, file, id)
            return
        form = PersonaForm(id, difficulty, start_agitation, self._save_from_form)
        await interaction.response.send_modal(form)

    async def _save_from_form(
        self,
        interaction: discord.Interaction,
        persona_id: str,
        text: str,
        source: str,
        explicit_id: bool,
    ) -> None:
        if not explicit_id and self.bot.catalogue.find(persona_id) is not None:
            # An id made up from the visitor's name must not silently replace another persona.
            raise Refusal(
                f"A persona with the id `{persona_id}` already exists. Run `/persona add` again "
                "with the id option: the same id to replace it, or a new one."
            )
        await self.save_persona(interaction, persona_id, text, source)

    @app_commands.command(name="list")
    @trainer_only()
    async def list_(self, interaction: discord.Interaction) -> None:
        """List every persona, disabled ones marked (trainers)."""
        catalogue = self.bot.catalogue
        lines = [
            f"`{e.persona.id}` - {e.persona.name} ({e.persona.difficulty}/5)"
            + (" - trainer" if e.origin is Origin.TRAINER else "")
            + ("" if e.enabled else " - **disabled**")
            for e in catalogue.entries()
        ]
        if catalogue.errors:
            lines.append(f"\n{len(catalogue.errors)} persona file(s) were skipped at start-up:")
            lines += [f"• {clip(str(e), 300)}" for e in catalogue.errors[:5]]
        embed = discord.Embed(
            title="Personas", description=clip("\n".join(lines) or "(none)", EMBED_DESCRIPTION)
        )
        await respond(interaction, embeds=[embed])

    @app_commands.command(name="show")
    @app_commands.describe(persona="The persona to show")
    @app_commands.autocomplete(persona=any_persona_autocomplete)
    @trainer_only()
    async def show(self, interaction: discord.Interaction, persona: str) -> None:
        """Show a persona, with its YAML attached (trainers)."""
        found = self.bot.catalogue.known(persona)
        data = io.BytesIO(found.to_yaml().encode("utf-8"))
        await respond(
            interaction,
            embeds=[persona_embed(found, not self.bot.catalogue.is_enabled(found.id))],
            files=[discord.File(data, f"{found.id}.yaml")],
        )

    @app_commands.command(name="disable")
    @app_commands.describe(persona="The persona officers should no longer get")
    @app_commands.autocomplete(persona=any_persona_autocomplete)
    @trainer_only()
    async def disable(self, interaction: discord.Interaction, persona: str) -> None:
        """Stop offering a persona; running practices with it finish normally (trainers)."""
        self.bot.catalogue.known(persona)  # an unknown id is refused before anything is deferred
        await defer(interaction)
        found = await self.bot.run_blocking(
            self.bot.catalogue.disable, persona, actor(interaction)
        )
        await respond(interaction, f"Persona `{found.id}` is disabled.")

    @app_commands.command(name="enable")
    @app_commands.describe(persona="The persona to offer again")
    @app_commands.autocomplete(persona=any_persona_autocomplete)
    @trainer_only()
    async def enable(self, interaction: discord.Interaction, persona: str) -> None:
        """Offer a disabled persona again (trainers)."""
        self.bot.catalogue.known(persona)  # an unknown id is refused before anything is deferred
        await defer(interaction)
        found = await self.bot.run_blocking(self.bot.catalogue.enable, persona, actor(interaction))
        await respond(interaction, f"Persona `{found.id}` is enabled.")
