"""What `cooldown doctor` checks before the bot runs: the database, the personas, the models.

Each check is a Finding: ok, warn (it would run, but something will not work) or fail (the bot
would not start: the exit code `cooldown run` would give). Discord's own checks (token, intent,
server permissions) are in bot/discord/checks.py.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from bot.lifecycle import ExitCode
from bot.settings import Settings

log = logging.getLogger(__name__)

Status = Literal["ok", "warn", "fail"]
MODEL_WAIT_S = 600.0  # a first start converts the embedded model: minutes on a small host


@dataclass(frozen=True)
class Finding:
    """One checked thing: what it is, how it stands, and what to do about it."""

    what: str
    status: Status
    detail: str
    exit_code: int = ExitCode.OK  # for a failure: what `cooldown run` would exit with


def check_store(settings: Settings) -> Finding:
    """The database opens and migrates (which writes to it) and its practices can be read."""
    from bot.core.store import Store, StoreError

    path = settings.path(settings.database_path)
    try:
        store = Store(path)
    except StoreError as exc:
        return Finding("database", "fail", str(exc), ExitCode.DATABASE)
    try:
        running = len(store.active_sessions())
    except StoreError as exc:
        return Finding("database", "fail", str(exc), ExitCode.DATABASE)
    finally:
        store.close()
    return Finding("database", "ok", f"{path} ({running} practice(s) in progress to resume)")


def check_personas(settings: Settings) -> list[Finding]:
    """The personas folder yields personas; each file that does not is named with its fix."""
    from bot.core.store import Store, StoreError
    from bot.runtime import open_catalogue, personas_problem

    try:
        store: Store | None = Store(settings.path(settings.database_path))
    except StoreError:
        store = None  # already reported; the shipped personas are still worth checking
    try:
        catalogue = open_catalogue(settings, store)
    finally:
        if store is not None:
            store.close()
    problem = personas_problem(settings, catalogue)
    if problem:
        return [Finding("personas", "fail", problem, ExitCode.PERSONAS)]
    offered = len(catalogue.at_difficulty(None))
    found = [Finding("personas", "ok", f"{offered} offered to officers from "
                                       f"{settings.path(settings.personas_dir)}")]  # fmt: skip
    found += [Finding("persona file", "warn", str(error)) for error in catalogue.errors]
    return found


def check_visitor(settings: Settings, scripted: bool = False) -> Finding:
    """The visitor backend answers: the local model loads, or the OpenAI server responds."""
    backend = "scripted" if scripted else settings.model_backend
    if backend == "scripted":
        return Finding("visitor", "ok", "scripted: the personas' own lines (no model)")
    if backend == "openai":
        return _check_openai(settings)
    from bot.runtime import build_visitor

    started = time.monotonic()
    visitor = build_visitor(settings)
    try:
        ready = visitor.wait_ready(MODEL_WAIT_S)  # type: ignore[attr-defined]
        problem = visitor.problem  # type: ignore[attr-defined]
    finally:
        visitor.close()  # type: ignore[attr-defined]
    if not ready:
        return Finding(
            "visitor model", "warn",
            f"{problem or 'it did not load in time'}: practices would use the personas' own "
            "lines. Run with -v for details; see models/README.md.",
        )  # fmt: skip
    return Finding("visitor model", "ok", f"loaded in {time.monotonic() - started:.0f} s")


def _check_openai(settings: Settings) -> Finding:
    import httpx

    url = settings.openai_base_url.rstrip("/") + "/models"
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    try:
        answer = httpx.get(url, headers=headers, timeout=min(settings.openai_timeout_s, 10.0))
    except httpx.HTTPError as exc:
        return Finding("visitor server", "warn", f"{url} did not answer ({exc}): practices would "
                                                 "use the personas' own lines")  # fmt: skip
    if answer.status_code >= 400:
        return Finding("visitor server", "warn", f"{url} answered {answer.status_code}: check "
                                                 "OPENAI_BASE_URL and OPENAI_API_KEY")  # fmt: skip
    return Finding("visitor server", "ok", f"{url} answers")


def check_encoder(settings: Settings) -> Finding:
    """The rubric's sentence encoder loads (unless RUBRIC_ENCODER=none)."""
    if settings.rubric_encoder == "none":
        return Finding("rubric encoder", "ok", "off (RUBRIC_ENCODER=none): patterns only")
    from bot.runtime import build_encoder

    started = time.monotonic()
    try:
        build_encoder(settings)
    except Exception as exc:  # noqa: BLE001 - reported as the finding
        return Finding("rubric encoder", "fail", f"could not load: {exc}")
    return Finding("rubric encoder", "ok", f"loaded in {time.monotonic() - started:.0f} s")


def check_everything(
    settings: Settings, *, models: bool = True, discord: bool = True, scripted: bool = False
) -> Iterator[Finding]:
    """Every check in order, cheapest first; Discord's only with a token (and the network)."""
    yield check_store(settings)
    yield from check_personas(settings)
    if models:
        yield check_encoder(settings)
        yield check_visitor(settings, scripted)
    if not discord:
        return
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        yield Finding("DISCORD_TOKEN", "fail", "not set: put the bot token from the developer "
                                               "portal in .env (docs/discord.md)",
                      ExitCode.USAGE)  # fmt: skip
        return
    from bot.discord.checks import check_discord

    yield from check_discord(token, settings.dev_guild_id)
