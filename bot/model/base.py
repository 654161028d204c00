"""What every model-backed visitor shares: prompt, generate, discipline, one retry, a fallback."""

from __future__ import annotations

import logging
import zlib
from abc import ABC, abstractmethod
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Literal

from bot.core.visitor import VisitorRequest
from bot.model import discipline
from bot.model.prompt import Prompt, build_prompt
from bot.model.scripted import pick_line

log = logging.getLogger(__name__)

Source = Literal["model", "retry", "fallback"]


@dataclass(frozen=True)
class Reply:
    """A visitor line and how it was obtained (for logs and the benchmark)."""

    text: str
    source: Source
    raw: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()


class BackendError(RuntimeError):
    """A backend could not produce any text (server down, model failed to load, ...)."""


class GeneratingVisitor(ABC):
    """A Visitor over a text generator; subclasses only implement `_generate`."""

    def __init__(self, reply_timeout_s: float = 120.0) -> None:
        self.reply_timeout_s = reply_timeout_s
        self._last_failure = ""  # a backend failure is a warning once, not on every turn
        self._backend_problem = ""  # set while the backend fails; cleared by the next success

    @property
    def problem(self) -> str:
        """Why replies are persona lines instead of the model's ('' while the model answers)."""
        return self._backend_problem

    @abstractmethod
    def _generate(self, prompt: Prompt, seed: int, session: str) -> Future[str]:
        """Start one raw generation; the future fails with BackendError when nothing came."""

    def reply(self, request: VisitorRequest) -> str:
        """The visitor's next line, cleaned and in character (a persona line if the model fails)."""
        future = self.submit_detailed(request)
        try:
            return future.result(timeout=self.reply_timeout_s).text
        except FutureTimeout:
            log.warning("visitor model gave no answer in %.0f s; using a persona line",
                        self.reply_timeout_s)  # fmt: skip
            return _fallback_line(request)

    def submit(self, request: VisitorRequest) -> Future[str]:
        """Like reply(), without blocking: a future of the line."""
        outer: Future[str] = Future()
        self.submit_detailed(request).add_done_callback(
            lambda done: outer.set_result(done.result().text)
        )
        return outer

    def submit_detailed(self, request: VisitorRequest) -> Future[Reply]:
        """A future of the line with its source: model, retry (second sample) or fallback."""
        outer: Future[Reply] = Future()
        outer.set_running_or_notify_cancel()
        prompts = [build_prompt(request)]
        ctx = discipline.Context(
            prompts[0].visitor_name, request.last_officer_line, frozenset(request.visitor_lines())
        )
        raws: list[str] = []
        reasons: list[str] = []

        def attempt(n: int) -> None:
            if n and reasons[-1] == discipline.REPEATS:
                # a base model copies example lines: retry without the ones already said
                prompts.append(build_prompt(request, fresh_examples=True))
            try:
                future = self._generate(prompts[-1], _seed(request, n), request.session_id)
            except Exception as exc:  # noqa: BLE001 - any backend failure becomes a fallback
                finish_fallback(f"generation failed: {exc}")
                return
            future.add_done_callback(lambda done: judge(done, n))

        def judge(done: Future[str], n: int) -> None:
            exc = done.exception()
            if exc is not None:
                finish_fallback(f"generation failed: {exc}")
                return
            self._backend_problem = ""
            raws.append(done.result())
            verdict = discipline.clean(raws[-1], ctx)
            if verdict.text is not None:
                outer.set_result(Reply(verdict.text, "retry" if n else "model", *_info()))
                return
            reasons.append(verdict.reason)
            log.debug("visitor output rejected (%s): %r", verdict.reason, raws[-1])
            if n == 0:
                attempt(1)
            else:
                # expected now and then from a small model: logged, but not as a problem
                why = f"two samples failed the checks ({'; '.join(reasons)})"
                finish_fallback(why, logging.INFO)

        def finish_fallback(why: str, level: int = logging.WARNING) -> None:
            if level == logging.WARNING:  # a backend failure, not a rejected sample
                self._backend_problem = why
                if why == self._last_failure:
                    level = logging.INFO
                self._last_failure = why
            log.log(level, "visitor %s: %s; using a persona line", request.persona.id, why)
            outer.set_result(Reply(_fallback_line(request), "fallback", *_info()))

        def _info() -> tuple[tuple[str, ...], tuple[str, ...]]:
            return tuple(raws), tuple(reasons)

        attempt(0)
        return outer


def _seed(request: VisitorRequest, attempt: int) -> int:
    """Reproducible per turn, different for the retry."""
    key = f"{request.session_id}:{request.persona.id}:{len(request.history)}:{attempt}"
    return zlib.crc32(key.encode())


def _fallback_line(request: VisitorRequest) -> str:
    return pick_line(
        request.persona, request.agitation, request.visitor_lines(), request.session_id
    )
