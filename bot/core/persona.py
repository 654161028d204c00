"""Personas: the frustrated visitors officers practise with, loaded from one YAML file each."""

from __future__ import annotations

import logging
import re
import reprlib
import stat
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.core.persona_yaml import MAX_FILE_BYTES, PersonaYamlError, load_persona_yaml

log = logging.getLogger(__name__)

Band = Literal["high", "medium", "low"]
BANDS: tuple[Band, ...] = ("high", "medium", "low")
MIN_LINES_PER_BAND = 4
MAX_FACTS = 40
MAX_FACT_QUESTION = 160
MAX_FACT_ANSWER = 300
# Field limits (personas/README.md lists them): generous for a hand-written persona, and small
# enough that nothing a trainer writes can swamp the model's prompt or a Discord embed.
MAX_NAME = 80
MAX_SETTING = 200
MAX_BACKSTORY = 1500
MAX_WANTS = 500
MAX_LINE = 300
MAX_EXAMPLE = 500
MAX_CUES = 20
MAX_OPENING_LINES = 10
MAX_BAND_LINES = 30
MAX_EXAMPLES = 20
PERSONA_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{1,63}$")


class PersonaError(ValueError):
    """A persona file that cannot be used: says which file, which field and how to fix it."""

    def __init__(self, source: str, field: str, problem: str, fix: str) -> None:
        self.source, self.field, self.problem, self.fix = source, field, problem, fix
        super().__init__(f"{source}: field '{field}': {problem}. Fix: {fix}")


def band_for(agitation: int) -> Band:
    """The example-line band a visitor speaks from at this agitation (0-10)."""
    if agitation >= 7:
        return "high"
    if agitation >= 4:
        return "medium"
    return "low"


_Line = Annotated[str, Field(max_length=MAX_LINE)]
_Example = Annotated[str, Field(max_length=MAX_EXAMPLE)]


class _Lines(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    high: list[_Line] = Field(max_length=MAX_BAND_LINES)
    medium: list[_Line] = Field(max_length=MAX_BAND_LINES)
    low: list[_Line] = Field(max_length=MAX_BAND_LINES)


class _OfficerExamples(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    good: list[_Example] = Field(default_factory=list, max_length=MAX_EXAMPLES)
    poor: list[_Example] = Field(default_factory=list, max_length=MAX_EXAMPLES)


class _Fact(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    q: str = Field(max_length=MAX_FACT_QUESTION)
    a: str = Field(max_length=MAX_FACT_ANSWER)


class _PersonaSchema(BaseModel):
    """The YAML schema; strict so that `difficulty: "3"` is reported rather than guessed."""

    model_config = ConfigDict(extra="forbid", strict=True)
    name: str = Field(max_length=MAX_NAME)
    setting: str = Field(max_length=MAX_SETTING)
    difficulty: int = Field(ge=1, le=5)
    start_agitation: int = Field(ge=0, le=10)
    backstory: str = Field(max_length=MAX_BACKSTORY)
    wants: str = Field(max_length=MAX_WANTS)
    triggers: list[_Line] = Field(min_length=1, max_length=MAX_CUES)
    soothers: list[_Line] = Field(min_length=1, max_length=MAX_CUES)
    opening_lines: list[_Line] = Field(min_length=1, max_length=MAX_OPENING_LINES)
    lines: _Lines
    officer_examples: _OfficerExamples = Field(default_factory=_OfficerExamples)
    max_turns: int = Field(default=10, ge=2, le=40)
    facts: list[_Fact] = Field(default_factory=list, max_length=MAX_FACTS)

    @field_validator("name", "setting", "backstory", "wants")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty")
        return value.strip()


# How to fix each kind of pydantic complaint, phrased for a trainer editing YAML by hand.
_FIX_BY_TYPE = {
    "missing": "add the field; see personas/README.md for an example persona",
    "extra_forbidden": "remove it or check its spelling against personas/README.md",
    "int_type": "write a whole number without quotes, e.g. 3",
    "string_type": "write text (wrap it in quotes if it starts with a special character)",
    "list_type": "write a list: one item per line, each starting with '- '",
    "model_type": "write a mapping with the keys high, medium and low",
    "string_too_long": "shorten it to the limit in personas/README.md",
    "too_short": "add at least one entry",
    "too_long": "remove entries down to the limit in personas/README.md",
    "greater_than_equal": "use a larger number",
    "less_than_equal": "use a smaller number",
}
_RANGES = {
    "difficulty": "1 (easy) to 5 (hard)",
    "start_agitation": "0 (calm) to 10 (about to explode)",
    "max_turns": "2 to 40",
}


@dataclass(frozen=True)
class Fact:
    """Something the visitor knows, as a question an officer might ask and the visitor's answer.

    The answer is written in the visitor's own voice ("Joan Bell. She's seventy-four."), so the
    model can carry it and the scripted visitor can say it as it is.
    """

    q: str
    a: str


@dataclass(frozen=True)
class Persona:
    """A validated visitor: who they are, what they want, and how they talk at each band."""

    id: str
    name: str
    setting: str
    difficulty: int
    start_agitation: int
    backstory: str
    wants: str
    triggers: tuple[str, ...]
    soothers: tuple[str, ...]
    opening_lines: tuple[str, ...]
    lines: dict[Band, tuple[str, ...]]
    good_examples: tuple[str, ...] = ()
    poor_examples: tuple[str, ...] = ()
    max_turns: int = 10
    source: str = ""
    facts: tuple[Fact, ...] = ()

    @property
    def short_name(self) -> str:
        """The visitor's first name, as used in transcripts ("Marcus")."""
        return self.name.split(",")[0].strip()

    def lines_for(self, agitation: int) -> tuple[str, ...]:
        """Example lines for the band this agitation falls in."""
        return self.lines[band_for(agitation)]

    def to_yaml(self) -> str:
        """The persona as YAML in the shipped file format (round-trips through parse_persona)."""
        data: dict[str, object] = {
            "name": self.name,
            "setting": self.setting,
            "difficulty": self.difficulty,
            "start_agitation": self.start_agitation,
            "backstory": self.backstory,
            "wants": self.wants,
            "triggers": list(self.triggers),
            "soothers": list(self.soothers),
            "opening_lines": list(self.opening_lines),
            "lines": {band: list(self.lines[band]) for band in BANDS},
            "max_turns": self.max_turns,
        }
        if self.facts:
            data["facts"] = [{"q": f.q, "a": f.a} for f in self.facts]
        if self.good_examples or self.poor_examples:
            data["officer_examples"] = {
                "good": list(self.good_examples),
                "poor": list(self.poor_examples),
            }
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _field_path(loc: Iterable[object]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1] if parts else ''}[{item}]"]
        else:
            parts.append(str(item))
    return ".".join(parts) or "(top level)"


def _error_from_validation(source: str, exc: ValidationError) -> PersonaError:
    err = exc.errors()[0]
    kind, loc = err["type"], err["loc"]
    where = _field_path(loc)
    top = str(loc[0]) if loc else ""
    if kind in ("greater_than_equal", "less_than_equal") and top in _RANGES:
        problem = f"{err.get('input')!r} is out of range"
        fix = f"use a whole number from {_RANGES[top]}"
    elif kind == "missing":
        problem = "is missing"
        fix = _FIX_BY_TYPE["missing"]
    elif kind == "extra_forbidden":
        problem = "is not a persona field"
        fix = _FIX_BY_TYPE["extra_forbidden"]
    elif kind == "string_too_long" and top == "facts":
        problem = f"{err['msg'].lower()} (got {len(err.get('input') or ''):,})"
        fix = "shorten it: a fact is one short question and a one- or two-sentence answer"
    elif kind in ("string_too_long", "too_long"):
        problem = f"{err['msg'].lower()} (got {len(err.get('input') or ''):,})"
        fix = _FIX_BY_TYPE[kind]
    else:
        problem = f"{err['msg'].lower()} (got {_SHORT.repr(err.get('input'))})"
        fix = _FIX_BY_TYPE.get(kind, "see personas/README.md for the expected shape")
    return PersonaError(source, where, problem, fix)


def _short_repr() -> reprlib.Repr:
    # The offending value is quoted in the message; a whole expanded structure never is.
    short = reprlib.Repr()
    short.maxstring = short.maxother = 60
    short.maxlevel, short.maxlist, short.maxdict = 2, 4, 4
    return short


_SHORT = _short_repr()


def _check_lines(source: str, schema: _PersonaSchema) -> None:
    def clean(field_name: str, items: list[str], minimum: int) -> None:
        blanks = [i for i, text in enumerate(items) if not text.strip()]
        if blanks:
            raise PersonaError(
                source,
                f"{field_name}[{blanks[0]}]",
                "is an empty line",
                "write the line or remove it",
            )
        if len(items) < minimum:
            raise PersonaError(
                source,
                field_name,
                f"has {len(items)} line(s), needs at least {minimum}",
                f"add {minimum - len(items)} more line(s) the visitor would say at this level",
            )
        seen: set[str] = set()
        for i, text in enumerate(items):
            key = text.strip().lower()
            if key in seen:
                raise PersonaError(
                    source,
                    f"{field_name}[{i}]",
                    "repeats an earlier line",
                    "make every line different",
                )
            seen.add(key)

    clean("opening_lines", schema.opening_lines, 1)
    for i, fact in enumerate(schema.facts):
        for part in ("q", "a"):
            if not getattr(fact, part).strip():
                raise PersonaError(
                    source,
                    f"facts[{i}].{part}",
                    "is empty",
                    "write the question an officer might ask (q) and the visitor's answer (a)",
                )
    questions: set[str] = set()
    for i, fact in enumerate(schema.facts):
        key = fact.q.strip().lower()
        if key in questions:
            raise PersonaError(
                source, f"facts[{i}].q", "repeats an earlier question", "merge the two facts"
            )
        questions.add(key)
    clean("triggers", schema.triggers, 1)
    clean("soothers", schema.soothers, 1)
    for band in BANDS:
        clean(f"lines.{band}", getattr(schema.lines, band), MIN_LINES_PER_BAND)


# Characters that change how text around them is shown without being visible themselves: a
# right-to-left override makes "gpj.exe" read as "exe.jpg"; none belongs in a persona.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                           "\u2066\u2067\u2068\u2069")  # fmt: skip
_ALLOWED_CONTROLS = frozenset("\n\t")


def _strings(value: object, path: str) -> Iterable[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}[{i}]")


def _char_name(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'control character')}"


def _check_text(source: str, data: dict[str, object]) -> None:
    """Every text field: no direction overrides and no control characters (tabs and newlines ok)."""
    for where, text in _strings(data, ""):
        for char in text:
            if char in _BIDI_CONTROLS:
                raise PersonaError(
                    source,
                    where,
                    f"contains an invisible direction control ({_char_name(char)}) that reorders "
                    "how the text is shown",
                    "delete it and type the text plainly",
                )
            if unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS:
                raise PersonaError(
                    source,
                    where,
                    f"contains a control character ({_char_name(char)})",
                    "delete it; persona text is plain words",
                )


def visible(text: str) -> str:
    """The text without invisible characters (zero-width spaces, joiners, format marks)."""
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc", "Zs", "Zl"))


def _check_name(source: str, name: str) -> None:
    if not visible(name):
        raise PersonaError(
            source, "name", "has no visible characters", 'write a name, e.g. "Marcus, son"'
        )
    if not visible(name.split(",")[0]):
        raise PersonaError(
            source,
            "name",
            f"{_SHORT.repr(name)} has no first name before the first comma (transcripts use it)",
            'start with the first name: "Marcus, son looking for his mother"',
        )


def parse_persona(text: str, persona_id: str, source: str = "<persona>") -> Persona:
    """Parse and validate persona YAML; raises PersonaError naming the field and the fix."""
    if not PERSONA_ID.match(persona_id):
        raise PersonaError(
            source,
            "id",
            f"{persona_id!r} is not a usable persona id",
            "name the file with lowercase letters, digits, '_' or '-' (e.g. mall_alarm.yaml)",
        )
    try:
        data = load_persona_yaml(text)
    except PersonaYamlError as exc:
        raise PersonaError(source, exc.field, exc.problem, exc.fix) from None
    if not isinstance(data, dict):
        raise PersonaError(
            source,
            "(top level)",
            "the file is empty or not a mapping of fields",
            "start with 'name: ...' and the other fields shown in personas/README.md",
        )
    try:
        schema = _PersonaSchema.model_validate(data)
    except ValidationError as exc:
        raise _error_from_validation(source, exc) from None
    _check_text(source, data)
    _check_name(source, schema.name)
    _check_lines(source, schema)
    return Persona(
        id=persona_id,
        name=schema.name,
        setting=schema.setting,
        difficulty=schema.difficulty,
        start_agitation=schema.start_agitation,
        backstory=schema.backstory,
        wants=schema.wants,
        triggers=tuple(t.strip() for t in schema.triggers),
        soothers=tuple(s.strip() for s in schema.soothers),
        opening_lines=tuple(s.strip() for s in schema.opening_lines),
        lines={band: tuple(s.strip() for s in getattr(schema.lines, band)) for band in BANDS},
        good_examples=tuple(s.strip() for s in schema.officer_examples.good if s.strip()),
        poor_examples=tuple(s.strip() for s in schema.officer_examples.poor if s.strip()),
        max_turns=schema.max_turns,
        source=source,
        facts=tuple(Fact(f.q.strip(), f.a.strip()) for f in schema.facts),
    )


def load_persona(path: Path | str) -> Persona:
    """Load one persona file; its id is the file name without extension."""
    path = Path(path)
    source = str(path)
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            # /dev/zero would be read forever and a FIFO blocks on open: only plain files.
            raise PersonaError(source, "(file)", "is not a plain file", "give a .yaml file")
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)  # never more, whatever the file claims
        if len(data) > MAX_FILE_BYTES:
            size = max(path.stat().st_size, len(data))
            raise PersonaError(
                source,
                "(file)",
                f"is {size:,} bytes; a persona file is at most {MAX_FILE_BYTES:,}",
                "shorten it (limits in personas/README.md), or check that this is the right file",
            )
        text = data.decode("utf-8-sig")
    except FileNotFoundError:
        raise PersonaError(source, "(file)", "does not exist", "check the path") from None
    except UnicodeDecodeError:
        raise PersonaError(source, "(file)", "is not UTF-8 text", "save it as UTF-8") from None
    except OSError as exc:
        raise PersonaError(
            source, "(file)", f"cannot be read ({exc.strerror})", "check its permissions"
        ) from None
    return parse_persona(text, path.stem, source=source)


@dataclass
class PersonaLibrary:
    """Personas loaded from files; a broken file is reported and skipped, never fatal.

    Which personas officers may get (trainer personas, disabled ids) is the catalogue's
    business (bot/core/catalogue.py); a library is only what was read.
    """

    personas: dict[str, Persona] = field(default_factory=dict)
    errors: list[PersonaError] = field(default_factory=list)

    @classmethod
    def from_directory(cls, directory: Path | str) -> PersonaLibrary:
        """Load every *.yaml / *.yml in a folder, collecting errors instead of raising."""
        library = cls()
        paths = sorted(
            p for p in Path(directory).glob("*") if p.suffix.lower() in (".yaml", ".yml")
        )
        by_id: dict[str, list[Path]] = {}
        for path in paths:
            by_id.setdefault(path.stem, []).append(path)
        for path in paths:
            twins = [other.name for other in by_id[path.stem] if other != path]
            try:
                if twins:
                    # Neither wins: which one the trainer meant is theirs to say.
                    raise PersonaError(
                        str(path),
                        "(file)",
                        f"has the same persona id '{path.stem}' as {', '.join(twins)}",
                        "keep one of the files (or rename one); neither is loaded until then",
                    )
                library.add(load_persona(path))
            except PersonaError as exc:
                log.warning("skipping persona: %s", exc)
                library.errors.append(exc)
            except Exception as exc:  # noqa: BLE001 - one broken file must never cost the rest
                log.exception("skipping persona %s", path)
                library.errors.append(
                    PersonaError(
                        str(path),
                        "(file)",
                        f"could not be read ({type(exc).__name__})",
                        "check it with `cooldown personas validate`",
                    )
                )
        return library

    def add(self, persona: Persona) -> None:
        """Add or replace a persona by id."""
        self.personas[persona.id] = persona

    def ids(self) -> list[str]:
        """Persona ids, sorted."""
        return sorted(self.personas)

    def get(self, persona_id: str) -> Persona:
        """The persona with this id; UnknownPersona lists the valid ones."""
        persona = self.personas.get(persona_id)
        if persona is None:
            raise UnknownPersona(persona_id, self.ids())
        return persona

    def at_difficulty(self, difficulty: int | None) -> list[Persona]:
        """Personas at a difficulty (all when None)."""
        return [
            self.personas[p]
            for p in self.ids()
            if difficulty is None or self.personas[p].difficulty == difficulty
        ]


class UnknownPersona(LookupError):
    """Asked for a persona id that does not exist; carries the ids that do."""

    def __init__(self, persona_id: str, valid: list[str]) -> None:
        self.persona_id, self.valid = persona_id, valid
        super().__init__(
            f"No persona '{persona_id}'. Choose one of: {', '.join(valid) or '(none)'}"
        )
