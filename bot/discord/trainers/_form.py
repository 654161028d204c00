"""The persona form: a Discord modal whose five boxes become a persona YAML file."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

import discord
import yaml

from bot.core.persona import PersonaError
from bot.discord.delivery import defer, respond
from bot.discord.limits import clip
from bot.discord.tree import explain

log = logging.getLogger(__name__)

# The labels a line in the form's last box may start with.
LINE_LABELS = ("opening", "trigger", "soother", "high", "medium", "low", "good", "poor")
LABEL_HINT = "opening:, trigger:, soother:, high:, medium:, low:, good: or poor:"
LINES_PLACEHOLDER = "opening: Where is my car?\ntrigger: being told to calm down\nhigh: ..."


def persona_id_from_name(name: str) -> str:
    """A persona id from the visitor's name: "Dana, driver whose car was towed" -> "dana"."""
    first = name.split(",")[0].strip().lower()
    slug = re.sub(r"[^a-z0-9]+", "_", first).strip("_")[:40]
    return slug or "persona"


def form_to_yaml(
    *,
    name: str,
    setting: str,
    backstory: str,
    wants: str,
    lines: str,
    difficulty: int,
    start_agitation: int,
    source: str,
) -> str:
    """The persona file for a filled-in form; PersonaError for a line without a known label."""
    said: dict[str, list[str]] = {label: [] for label in LINE_LABELS}
    for number, raw in enumerate(lines.splitlines(), start=1):
        line = raw.strip().lstrip("-• ").strip()
        if not line:
            continue
        label, colon, text = line.partition(":")
        label = label.strip().lower()
        if not colon or label not in said:
            raise PersonaError(
                source,
                f"lines (line {number})",
                f"{clip(line, 40)!r} does not start with a known label",
                f"start every line with {LABEL_HINT}",
            )
        said[label].append(text.strip())
    data: dict[str, object] = {
        "name": name.strip(),
        "setting": setting.strip(),
        "difficulty": difficulty,
        "start_agitation": start_agitation,
        "backstory": backstory.strip(),
        "wants": wants.strip(),
        "triggers": said["trigger"],
        "soothers": said["soother"],
        "opening_lines": said["opening"],
        "lines": {band: said[band] for band in ("high", "medium", "low")},
    }
    if said["good"] or said["poor"]:
        data["officer_examples"] = {"good": said["good"], "poor": said["poor"]}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


# (interaction, persona id, YAML text, source name, whether the trainer chose the id)
SavePersona = Callable[[discord.Interaction, str, str, str, bool], Awaitable[None]]


class PersonaForm(discord.ui.Modal, title="New persona"):
    """Five boxes: who, where, backstory, what they want, and their lines by label."""

    name: discord.ui.Label[PersonaForm] = discord.ui.Label(
        text="Name",
        description="Who the visitor is",
        component=discord.ui.TextInput(
            placeholder="Dana, driver whose car was towed", max_length=100
        ),
    )
    setting: discord.ui.Label[PersonaForm] = discord.ui.Label(
        text="Setting",
        component=discord.ui.TextInput(
            placeholder="Multi-storey car park office, 6 p.m.", max_length=200
        ),
    )
    backstory: discord.ui.Label[PersonaForm] = discord.ui.Label(
        text="Backstory",
        component=discord.ui.TextInput(style=discord.TextStyle.paragraph, max_length=1500),
    )
    wants: discord.ui.Label[PersonaForm] = discord.ui.Label(
        text="Wants",
        description="What would actually resolve it",
        component=discord.ui.TextInput(style=discord.TextStyle.paragraph, max_length=600),
    )
    lines: discord.ui.Label[PersonaForm] = discord.ui.Label(
        text="Lines, one per line, each with a label",
        description="opening, trigger, soother: 1+ each; high, medium, low: 4+ each",
        component=discord.ui.TextInput(
            style=discord.TextStyle.paragraph, placeholder=LINES_PLACEHOLDER, max_length=4000
        ),
    )

    def __init__(
        self, persona_id: str | None, difficulty: int, start_agitation: int, save: SavePersona
    ) -> None:
        super().__init__(timeout=30 * 60)
        self.persona_id, self.difficulty, self.start_agitation = (
            persona_id,
            difficulty,
            start_agitation,
        )
        self.save = save

    @staticmethod
    def _value(label: discord.ui.Label[PersonaForm]) -> str:
        component = label.component
        return component.value if isinstance(component, discord.ui.TextInput) else ""

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Turn the boxes into YAML and save it like an uploaded file."""
        await defer(interaction)
        name = self._value(self.name)
        persona_id = self.persona_id or persona_id_from_name(name)
        source = f"form persona {persona_id}"
        text = form_to_yaml(
            name=name,
            setting=self._value(self.setting),
            backstory=self._value(self.backstory),
            wants=self._value(self.wants),
            lines=self._value(self.lines),
            difficulty=self.difficulty,
            start_agitation=self.start_agitation,
            source=source,
        )
        await self.save(interaction, persona_id, text, source, self.persona_id is not None)

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        """Same messages as slash commands: the persona error, or a logged bug."""
        message = explain(error)
        if message is None:
            log.error("persona form failed", exc_info=error)
            message = "Something went wrong on my side; it has been logged. Please try again."
        await respond(interaction, message)
