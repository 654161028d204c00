"""The persona form: a Discord modal whose five boxes become a persona YAML file."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import asdict, astuple, dataclass

import discord
import yaml

from bot.core.persona import PersonaError, parse_persona, persona_error
from bot.discord.delivery import defer, respond
from bot.discord.limits import NO_PINGS, clip
from bot.discord.tree import Refusal, explain
from bot.discord.views import ExpiringView

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
) -> tuple[str, list[PersonaError]]:
    """The persona file for a filled-in form, and a PersonaError for every line without a
    known label (the labelled lines still go in, so the file can be checked for the rest)."""
    said: dict[str, list[str]] = {label: [] for label in LINE_LABELS}
    problems: list[PersonaError] = []
    for number, raw in enumerate(lines.splitlines(), start=1):
        line = raw.strip().lstrip("-• ").strip()
        if not line:
            continue
        label, colon, text = line.partition(":")
        label = label.strip().lower()
        if not colon or label not in said:
            problems.append(
                PersonaError(
                    source,
                    f"lines (line {number})",
                    f"{clip(line, 40)!r} does not start with a known label",
                    f"start every line with {LABEL_HINT}",
                )
            )
            continue
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
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), problems


def check_form(text: str, persona_id: str, source: str, problems: list[PersonaError]) -> None:
    """Every problem with a filled-in form at once: unlabelled lines and the persona's own."""
    try:
        parse_persona(text, persona_id, source)
    except PersonaError as exc:
        problems = problems + list(exc.errors)
    if problems:
        raise persona_error(problems)


@dataclass(frozen=True)
class FormValues:
    """What a trainer typed into the five boxes (kept to reopen the form pre-filled)."""

    name: str = ""
    setting: str = ""
    backstory: str = ""
    wants: str = ""
    lines: str = ""


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
        self,
        persona_id: str | None,
        difficulty: int,
        start_agitation: int,
        save: SavePersona,
        values: FormValues | None = None,
    ) -> None:
        super().__init__(timeout=30 * 60)
        self.persona_id, self.difficulty, self.start_agitation = (
            persona_id,
            difficulty,
            start_agitation,
        )
        self.save = save
        for box, value in zip(self._boxes(), astuple(values or FormValues()), strict=True):
            if value and isinstance(box.component, discord.ui.TextInput):
                box.component.default = value

    def _boxes(self) -> tuple[discord.ui.Label[PersonaForm], ...]:
        return (self.name, self.setting, self.backstory, self.wants, self.lines)

    @staticmethod
    def _value(label: discord.ui.Label[PersonaForm]) -> str:
        component = label.component
        return component.value if isinstance(component, discord.ui.TextInput) else ""

    def values(self) -> FormValues:
        """What was typed, box by box."""
        return FormValues(*(self._value(box) for box in self._boxes()))

    def again(self, values: FormValues, persona_id: str | None = None) -> PersonaForm:
        """The same form, filled in with these values (for the Fix button)."""
        return PersonaForm(
            persona_id or self.persona_id, self.difficulty, self.start_agitation, self.save, values
        )

    def checked(self, values: FormValues, persona_id: str) -> tuple[str, str]:
        """The persona YAML for these values and its source name; PersonaError(s) for every
        problem at once."""
        source = f"form persona {persona_id}"
        text, problems = form_to_yaml(
            **asdict(values),
            difficulty=self.difficulty,
            start_agitation=self.start_agitation,
            source=source,
        )
        check_form(text, persona_id, source, problems)
        return text, source

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Check every box at once, then save the persona like an uploaded file."""
        await defer(interaction)
        values = self.values()
        persona_id = self.persona_id or persona_id_from_name(values.name)
        text, source = self.checked(values, persona_id)
        await self.save(interaction, persona_id, text, source, self.persona_id is not None)

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        """Same messages as slash commands; a fixable problem comes with a Fix button that
        reopens the form as it was typed (and Replace, when only the id was taken)."""
        message = explain(error)
        if message is None:
            log.error("persona form failed", exc_info=error)
            message = "Something went wrong on my side; it has been logged. Please try again."
            await respond(interaction, message)
            return
        view = FixForm(self, self.values(), interaction.user.id)
        if isinstance(error, IdTaken):
            view.offer_replace(error.persona_id)
        await respond(interaction, message, view=view)


class IdTaken(Refusal):
    """A form's made-up id is another persona's; the trainer chooses to replace it or rename."""

    def __init__(self, persona_id: str) -> None:
        self.persona_id = persona_id
        super().__init__(
            f"A persona with the id `{persona_id}` already exists. Press **Replace** to save "
            "this one in its place, or **Fix** to change the name (the id comes from it)."
        )


class FixForm(ExpiringView):
    """Under a form's error: reopen the form as it was typed (and, for a taken id, replace)."""

    def __init__(self, form: PersonaForm, values: FormValues, owner_id: int) -> None:
        super().__init__()
        self.form, self.values, self.owner_id = form, values, owner_id
        self.replace_id: str | None = None
        self.remove_item(self.replace)

    def offer_replace(self, persona_id: str) -> None:
        """Show the Replace button for this id."""
        self.replace_id = persona_id
        self.replace.label = f"Replace {persona_id}"
        self.add_item(self.replace)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Only the trainer who filled in the form."""
        if interaction.user.id == self.owner_id:
            return True
        await respond(interaction, "Only the trainer who filled in this form can fix it.")
        return False

    @discord.ui.button(label="Fix", style=discord.ButtonStyle.primary, emoji="✏️")
    async def fix(self, interaction: discord.Interaction, _: discord.ui.Button[FixForm]) -> None:
        """Reopen the form with everything typed so far."""
        await interaction.response.send_modal(self.form.again(self.values))

    @discord.ui.button(label="Replace", style=discord.ButtonStyle.danger)
    async def replace(
        self, interaction: discord.Interaction, _: discord.ui.Button[FixForm]
    ) -> None:
        """Save the form under the taken id, replacing that persona."""
        assert self.replace_id is not None
        self.disable_all()
        await interaction.response.edit_message(view=self, allowed_mentions=NO_PINGS)
        form = self.form.again(self.values, self.replace_id)
        try:
            text, source = form.checked(self.values, self.replace_id)
            await form.save(interaction, self.replace_id, text, source, True)
        except Exception as error:  # noqa: BLE001 - answered like any form error
            await form.on_error(interaction, error)
