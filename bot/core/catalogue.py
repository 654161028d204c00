"""The persona catalogue: shipped and trainer personas, and which ones officers may get.

Both adapters ask the catalogue, never a cog or a command, so a persona a trainer adds or
disables in Discord is the same persona `cooldown personas` lists in the terminal. Trainer
personas and the disabled ids live in the store; the catalogue keeps the parsed personas in
memory and writes through to the store first, so what is in memory is always what was saved.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.persona import Persona, PersonaError, PersonaLibrary, UnknownPersona, parse_persona

if TYPE_CHECKING:
    from bot.core.store import Store

log = logging.getLogger(__name__)


class Origin(StrEnum):
    """Where a persona comes from."""

    SHIPPED = "shipped"  # a YAML file in personas/
    TRAINER = "trainer"  # uploaded or written by a trainer, kept in the store


@dataclass(frozen=True)
class CatalogueEntry:
    """One persona as a trainer sees it in a list: where it comes from and whether it is on."""

    persona: Persona
    origin: Origin
    enabled: bool


@dataclass(frozen=True)
class PersonaSaved:
    """The result of adding a persona: the persona, and whether it replaced one with its id."""

    persona: Persona
    replaced: bool


class PersonaCatalogue:
    """Every persona the bot knows, and which of them officers can be given.

    A trainer persona with the id of a shipped one replaces it. Disabled personas stay known
    (trainers can show and enable them) but are never chosen for a practice.
    """

    def __init__(
        self, shipped: PersonaLibrary | Iterable[Persona] = (), store: Store | None = None
    ) -> None:
        library = shipped if isinstance(shipped, PersonaLibrary) else None
        personas = library.personas.values() if library is not None else shipped
        self._shipped: dict[str, Persona] = {p.id: p for p in personas}
        self._trainer: dict[str, Persona] = {}
        self._disabled: set[str] = set()
        self.errors: list[PersonaError] = list(library.errors) if library is not None else []
        self.store = store
        self._lock = threading.Lock()
        if store is not None:
            self._load_from(store)

    @classmethod
    def load(cls, directory: Path | str, store: Store | None = None) -> PersonaCatalogue:
        """Shipped personas from a folder, plus the store's trainer personas and disabled ids."""
        return cls(PersonaLibrary.from_directory(directory), store)

    def _load_from(self, store: Store) -> None:
        for stored in store.trainer_personas():
            source = f"trainer persona {stored.id}"
            try:
                self._trainer[stored.id] = parse_persona(stored.yaml, stored.id, source=source)
            except PersonaError as exc:
                # Saved before a stricter rule existed: reported and skipped, never fatal.
                log.warning("skipping persona: %s", exc)
                self.errors.append(exc)
        self._disabled = set(store.disabled_personas())

    # --- reading ---------------------------------------------------------------------------

    def _all(self) -> dict[str, Persona]:
        return {**self._shipped, **self._trainer}

    def find(self, persona_id: str) -> Persona | None:
        """The persona with this id, enabled or not (None when unknown)."""
        return self._trainer.get(persona_id) or self._shipped.get(persona_id)

    def known(self, persona_id: str) -> Persona:
        """The persona with this id, enabled or not; UnknownPersona lists every known id."""
        persona = self.find(persona_id)
        if persona is None:
            raise UnknownPersona(persona_id, self.ids(include_disabled=True))
        return persona

    def get(self, persona_id: str) -> Persona:
        """The enabled persona with this id; UnknownPersona lists the enabled ones."""
        persona = self.find(persona_id)
        if persona is None or persona_id in self._disabled:
            raise UnknownPersona(persona_id, self.ids())
        return persona

    def is_enabled(self, persona_id: str) -> bool:
        """Whether officers can be given this persona (False for unknown ids too)."""
        return self.find(persona_id) is not None and persona_id not in self._disabled

    def origin(self, persona_id: str) -> Origin:
        """Whether the persona is a shipped file or a trainer's (trainer wins on the same id)."""
        return Origin.TRAINER if persona_id in self._trainer else Origin.SHIPPED

    def ids(self, *, include_disabled: bool = False) -> list[str]:
        """Persona ids, sorted; disabled ones only when asked."""
        return sorted(
            pid for pid in self._all() if include_disabled or pid not in self._disabled
        )

    def at_difficulty(self, difficulty: int | None) -> list[Persona]:
        """Enabled personas at a difficulty (all enabled ones when None), by id."""
        personas = self._all()
        return [
            personas[pid]
            for pid in self.ids()
            if difficulty is None or personas[pid].difficulty == difficulty
        ]

    def entries(self) -> list[CatalogueEntry]:
        """Every known persona with its origin and state, by id."""
        personas = self._all()
        return [
            CatalogueEntry(personas[pid], self.origin(pid), pid not in self._disabled)
            for pid in self.ids(include_disabled=True)
        ]

    # --- trainer actions -------------------------------------------------------------------

    def add(
        self, persona_id: str, yaml_text: str, actor: str, *, source: str = ""
    ) -> PersonaSaved:
        """Validate (PersonaError), store and put a trainer's persona into play at once."""
        persona = parse_persona(yaml_text, persona_id, source=source or f"persona {persona_id}")
        with self._lock:
            replaced = self.find(persona_id) is not None
            if self.store is not None:
                self.store.save_persona(persona, yaml_text, actor)
            self._trainer[persona_id] = persona
        log.info("persona %s saved by %s", persona_id, actor)
        return PersonaSaved(persona, replaced)

    def disable(self, persona_id: str, actor: str) -> Persona:
        """Stop offering a persona (running practices with it finish normally)."""
        return self._set_enabled(persona_id, False, actor)

    def enable(self, persona_id: str, actor: str) -> Persona:
        """Offer a disabled persona again."""
        return self._set_enabled(persona_id, True, actor)

    def _set_enabled(self, persona_id: str, enabled: bool, actor: str) -> Persona:
        persona = self.known(persona_id)
        with self._lock:
            if self.store is not None:
                self.store.set_persona_enabled(persona_id, enabled, actor)
            if enabled:
                self._disabled.discard(persona_id)
            else:
                self._disabled.add(persona_id)
        return persona
