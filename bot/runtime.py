"""Builds the engine's parts from settings: personas, visitor backend, rubric, store."""

from __future__ import annotations

import logging

from bot.core.persona import PersonaError, PersonaLibrary, parse_persona
from bot.core.pick import LinePicker
from bot.core.rubric.encoder import Encoder
from bot.core.scores import Rubric
from bot.core.visitor import Visitor
from bot.settings import Settings

log = logging.getLogger(__name__)


def load_library(settings: Settings, store: object | None = None) -> PersonaLibrary:
    """Shipped personas plus trainer-added ones from the store, minus disabled ids."""
    library = PersonaLibrary.from_directory(settings.path(settings.personas_dir))
    if store is not None:
        for persona_id, text, enabled in store.stored_personas():  # type: ignore[attr-defined]
            try:
                if text:
                    library.add(
                        parse_persona(text, persona_id, source=f"trainer persona {persona_id}")
                    )
            except PersonaError as exc:
                library.errors.append(exc)
                continue
            if not enabled:
                library.disabled.add(persona_id)
    return library


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


def open_store(settings: Settings):  # noqa: ANN201 - Store is imported lazily
    """The SQLite store at the configured path (created and migrated on first use)."""
    from bot.core.store import Store

    path = settings.path(settings.database_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return Store(path)
