"""Visitor backends: the local transformers model, an OpenAI-compatible server, scripted lines."""

from __future__ import annotations

from typing import Any

from bot.core.visitor import Visitor

BACKENDS = ("local", "openai", "scripted")


def make_visitor(backend: str, settings: Any = None, **overrides: Any) -> Visitor:
    """The visitor backend by name, configured from a Settings object and/or keyword settings.

    Keywords (each overrides the Settings field of the same meaning): local: model, cache_dir,
    device, adapter; openai: base_url, model, api_key, timeout_s, api. Every backend takes `picker`
    (bot.core.pick.LinePicker, with the sentence encoder for the best choices).
    """
    if backend == "scripted":
        from bot.model.scripted import ScriptedVisitor

        return ScriptedVisitor(overrides.get("picker"))
    if backend == "local":
        from bot.model.local import LocalVisitor

        values: dict[str, Any] = {}
        if settings is not None:
            values = {
                "model": settings.model,
                "cache_dir": settings.path(settings.model_cache_dir),
                "device": settings.device,
                "adapter": settings.model_adapter,
            }
        return LocalVisitor(**{**values, **overrides})
    if backend == "openai":
        from bot.model.openai_backend import OpenAIVisitor

        if settings is not None:
            key = settings.openai_api_key
            values = {
                "base_url": settings.openai_base_url,
                "model": settings.openai_model,
                "api_key": key.get_secret_value() if key is not None else None,
                "timeout_s": settings.openai_timeout_s,
                "api": settings.openai_api,
            }
        else:
            values = {}
        return OpenAIVisitor(**{**values, **overrides})
    raise ValueError(f"unknown visitor backend {backend!r}; choose one of {', '.join(BACKENDS)}")
