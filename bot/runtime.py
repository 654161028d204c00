"""One builder for both adapters: settings in, the store, persona catalogue and practice room out.

The terminal and the Discord bot call `build_app`; neither assembles the engine itself, so a
persona a trainer disables in Discord is disabled in `cooldown practice` too, and both record
into the same store the same way.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from types import TracebackType

from bot.core.catalogue import PersonaCatalogue
from bot.core.pick import LinePicker
from bot.core.practice import PracticeRoom
from bot.core.rubric.encoder import Encoder
from bot.core.scores import Rubric
from bot.core.store import Store
from bot.core.visitor import Visitor
from bot.lifecycle import closing_undisturbed
from bot.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class App:
    """What an adapter runs on: the store, the persona catalogue and the practice room."""

    store: Store
    catalogue: PersonaCatalogue
    room: PracticeRoom

    def close(self) -> None:
        """Stop the visitor's model worker (if it has one), then close the store: in that order,
        and not cut short by a repeated Ctrl-C or SIGTERM (they are only logged meanwhile)."""
        close = getattr(self.room.visitor, "close", None)
        with closing_undisturbed():
            try:
                if callable(close):
                    close()
            finally:
                self.store.close()

    def __enter__(self) -> App:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class PersonasUnusable(Exception):
    """The personas folder is missing, unreadable or yields no persona officers could get."""


def build_app(
    settings: Settings,
    *,
    scripted: bool = False,
    record: bool = True,
    require_personas: bool = False,
) -> App:
    """The store, catalogue and room from settings; `record=False` keeps results in memory.

    The sentence encoder loads first, then the visitor (whose model loads on its own worker
    thread), then the rubric that shares the encoder: the order the model loader expects.
    `require_personas` (the bot) fails with PersonasUnusable before any model loads.
    """
    store = open_store(settings) if record else Store.memory()
    visitor: Visitor | None = None
    try:
        catalogue = open_catalogue(settings, store)
        problem = personas_problem(settings, catalogue) if require_personas else None
        if problem:
            raise PersonasUnusable(problem)
        encoder = build_encoder(settings)
        visitor = build_visitor(settings, scripted=scripted, encoder=encoder)
        room = PracticeRoom(catalogue, visitor, build_rubric(settings, encoder), store)
    except BaseException:  # Ctrl-C or SIGTERM while loading too: nothing is left running
        close = getattr(visitor, "close", None)
        if callable(close):
            close()
        store.close()
        raise
    return App(store, catalogue, room)


def open_catalogue(settings: Settings, store: Store | None = None) -> PersonaCatalogue:
    """Shipped personas plus the store's trainer personas and disabled ids."""
    return PersonaCatalogue.load(settings.path(settings.personas_dir), store)


def personas_problem(settings: Settings, catalogue: PersonaCatalogue) -> str | None:
    """Why officers could get no persona at all (None when some can be practised)."""
    folder = settings.path(settings.personas_dir)
    if catalogue.at_difficulty(None):
        return None
    if not folder.is_dir():
        where = "does not exist" if not folder.exists() else "is not a folder"
        return (
            f"The personas folder {folder} {where}. Set PERSONAS_DIR to the folder holding the "
            "persona .yaml files (the shipped ones are in personas/)."
        )
    if not os.access(folder, os.R_OK | os.X_OK):
        return f"The personas folder {folder} cannot be read by this user; fix its permissions."
    skipped = len(catalogue.errors)
    why = f" ({skipped} file(s) could not be used: see `cooldown personas list`)" if skipped else ""
    return (
        f"The personas folder {folder} holds no persona officers can practise with{why}. "
        "Put persona .yaml files there, or enable one with `cooldown personas enable ID`."
    )


def build_visitor(
    settings: Settings, scripted: bool = False, encoder: Encoder | None = None
) -> Visitor:
    """The visitor backend the settings ask for (the local model by default).

    With the sentence encoder the visitor picks its line by meaning; without it, by words.
    """
    from bot.model import make_visitor

    backend = "scripted" if scripted else settings.model_backend
    return make_visitor(backend, settings, picker=LinePicker(encoder))


def build_encoder(settings: Settings) -> Encoder | None:
    """The sentence encoder (MiniLM) unless RUBRIC_ENCODER=none."""
    if settings.rubric_encoder != "minilm":
        return None
    from bot.model.encoder import load_encoder

    return load_encoder()


def build_rubric(settings: Settings, encoder: Encoder | None = None) -> Rubric:
    """The rubric, with the sentence encoder unless RUBRIC_ENCODER=none."""
    from bot.core.rubric import build_rubric as _build

    return _build(encoder if encoder is not None else build_encoder(settings))


def open_store(settings: Settings) -> Store:
    """The SQLite store at the configured path (created and migrated on first use)."""
    # the store makes the folder; one it cannot make is a StoreError naming the path
    return Store(settings.path(settings.database_path))
