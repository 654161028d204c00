"""What every model-backed visitor shares: prompt, N samples, discipline, a picker, a fallback."""

from __future__ import annotations

import logging
import threading
import zlib
from abc import ABC, abstractmethod
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, replace
from typing import Literal

from bot.core.pick import LinePicker, Scored
from bot.core.visitor import VisitorRequest
from bot.model import discipline
from bot.model.prompt import Prompt, build_prompt
from bot.model.scripted import scripted_line

log = logging.getLogger(__name__)

# model: a sample won; persona: the persona's own line won the pick against the samples;
# fallback: no sample was usable (or the backend failed), so the persona's line stood in
Source = Literal["model", "persona", "fallback"]
CANDIDATES = 4  # samples per turn; the picker keeps the best (one batch on the local runner)


@dataclass(frozen=True)
class Reply:
    """A visitor line and how it was obtained (for logs and the benchmark)."""

    text: str
    source: Source
    raw: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()  # why samples were rejected by the output check
    ranked: tuple[Scored, ...] = ()  # the clean samples as the picker scored them, best first


class BackendError(RuntimeError):
    """A backend could not produce any text (server down, model failed to load, ...)."""


class GeneratingVisitor(ABC):
    """A Visitor over a text generator; subclasses only implement `_generate`."""

    def __init__(
        self,
        reply_timeout_s: float = 120.0,
        picker: LinePicker | None = None,
        candidates: int = CANDIDATES,
    ) -> None:
        self.reply_timeout_s = reply_timeout_s
        self.picker = picker or LinePicker()
        self.candidates = candidates
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
            return scripted_line(request, self.picker)

    def submit(self, request: VisitorRequest) -> Future[str]:
        """Like reply(), without blocking: a future of the line."""
        outer: Future[str] = Future()
        self.submit_detailed(request).add_done_callback(
            lambda done: outer.set_result(done.result().text)
        )
        return outer

    def submit_detailed(self, request: VisitorRequest) -> Future[Reply]:
        """A future of the line with its source: the best model sample, or a persona line."""
        outer: Future[Reply] = Future()
        outer.set_running_or_notify_cancel()
        prompt = build_prompt(request)
        ctx = discipline.Context(
            prompt.visitor_name, request.last_officer_line, frozenset(request.visitor_lines())
        )
        n = max(1, self.candidates)
        done_count = [0]
        results: list[str | BaseException | None] = [None] * n
        guard = threading.Lock()

        def collect(i: int, done: Future[str]) -> None:
            exc = done.exception()
            with guard:
                results[i] = exc if exc is not None else done.result()
                done_count[0] += 1
                last = done_count[0] == n
            if last:
                try:
                    outer.set_result(self._choose(request, ctx, results))
                except Exception as exc:  # noqa: BLE001 - the officer still gets a line
                    log.exception("choosing the visitor line failed")
                    outer.set_result(self._fallback(request, f"choosing failed: {exc}"))

        for i in range(n):
            try:
                future = self._generate(prompt, _seed(request, i), request.session_id)
            except Exception as exc:  # noqa: BLE001 - any backend failure becomes a fallback
                failed: Future[str] = Future()
                failed.set_exception(exc)
                future = failed
            future.add_done_callback(lambda done, i=i: collect(i, done))
        return outer

    def _choose(
        self, request: VisitorRequest, ctx: discipline.Context, results: list
    ) -> Reply:
        errors = [r for r in results if isinstance(r, BaseException)]
        raws = tuple(r for r in results if isinstance(r, str))
        if not raws:
            return self._fallback(request, f"generation failed: {errors[0]}", backend=True)
        self._backend_problem = ""
        verdicts = [discipline.clean(raw, ctx) for raw in raws]
        clean = [v.text for v in verdicts if v.text is not None]
        reasons = tuple(v.reason for v in verdicts if v.text is None)
        ranked = self._rank(request, clean)
        best = next((s for s in ranked if s.passes), None)
        if best is not None:
            source: Source = "model" if best.text in clean else "persona"
            return Reply(best.text, source, raws, reasons, ranked)
        # expected now and then from a small model: logged, but not as a problem
        why = "; ".join(reasons) or "no sample carried the asked-for fact or said something new"
        reply = self._fallback(request, f"no usable sample ({why})")
        return Reply(reply.text, "fallback", raws, reasons, ranked)

    def _rank(self, request: VisitorRequest, clean: list[str]) -> tuple[Scored, ...]:
        """The clean samples scored, best first; with PickWeights.persona_line set, the
        persona's own best line competes with them (a small model's line that says the fact
        wrong or garbles it loses to the persona's plain answer)."""
        bonus = self.picker.weights.persona_line
        if bonus is None:
            return tuple(self.picker.rank(request, clean)) if clean else ()
        persona = scripted_line(request, self.picker)
        scored = []
        for s in self.picker.rank(request, [*clean, persona]):
            if s.text == persona and persona not in clean:
                s = replace(s, score=s.score + bonus, parts={**s.parts, "persona_line": bonus})
            scored.append(s)
        return tuple(sorted(scored, key=lambda s: -s.score))

    def _fallback(self, request: VisitorRequest, why: str, backend: bool = False) -> Reply:
        """A persona line chosen the way the scripted visitor chooses it."""
        level = logging.INFO
        if backend:  # the backend failed, not a sample: a warning, once per distinct failure
            self._backend_problem = why
            level = logging.INFO if why == self._last_failure else logging.WARNING
            self._last_failure = why
        log.log(level, "visitor %s: %s; using a persona line", request.persona.id, why)
        return Reply(scripted_line(request, self.picker), "fallback")


def _seed(request: VisitorRequest, attempt: int) -> int:
    """Reproducible per turn, different for the retry."""
    key = f"{request.session_id}:{request.persona.id}:{len(request.history)}:{attempt}"
    return zlib.crc32(key.encode())


