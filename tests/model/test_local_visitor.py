"""LocalVisitor without a model: retry, fallback, load failure, fair batched serving."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.core.persona import Persona
from bot.core.reading import Reader
from bot.core.visitor import Line, VisitorRequest
from bot.model.base import CANDIDATES, Reply
from bot.model.local import LocalVisitor
from bot.model.local.engine import TextJob
from bot.model.local.worker import ModelWorker
from bot.model.prompt import Prompt
from tests.model.conftest import make_request

GARBAGE = "Officer: As an AI language model I must decline. https://example.com"


class FakeEngine:
    """An engine that answers from a script and records the batches it was given."""

    chat = False

    def __init__(self, answer: Callable[[TextJob, int], str], max_batch: int = 4) -> None:
        self.answer, self.max_batch = answer, max_batch
        self.batches: list[list[TextJob]] = []
        self.calls = 0

    def job(self, prompt: Prompt, seed: int) -> TextJob:
        return TextJob(prompt.prefix, prompt.suffix, seed)

    def generate(self, jobs: Sequence[TextJob]) -> list[str]:
        self.batches.append(list(jobs))
        out = []
        for job in jobs:
            out.append(self.answer(job, self.calls))
            self.calls += 1
        return out


def detailed(visitor: LocalVisitor, request: object) -> Reply:
    return visitor.submit_detailed(request).result(timeout=10)  # type: ignore[arg-type]


def asked(persona: Persona, officer: str, agitation: int = 6) -> VisitorRequest:
    """The visitor's turn after the officer's line, read as a session reads it (no encoder)."""
    reading = Reader().read(persona, officer)
    history = (Line("visitor", persona.opening_lines[0]), Line("officer", officer, agitation,
                                                               reading))  # fmt: skip
    return VisitorRequest(persona, agitation, history, "s1")


def test_good_output_is_cleaned(marcus: Persona) -> None:
    visitor = LocalVisitor(engine=FakeEngine(lambda job, n: " Where is she?\nOfficer: Wait."))
    reply = detailed(visitor, make_request(marcus, 8, "Please wait outside."))
    assert reply.text == "Where is she?" and reply.source == "model"
    assert reply.raw == (" Where is she?\nOfficer: Wait.",) * CANDIDATES
    visitor.close()


def test_candidates_are_sampled_in_one_batch_and_the_one_answering_the_question_wins(
    marcus_with_facts: Persona,
) -> None:
    answers = [GARBAGE, " I don't know what you want from me.",
               " Her name's Maureen Bell. She's seventy-eight.", " Where is she?"]  # fmt: skip
    engine = FakeEngine(lambda job, n: answers[n % 4])
    visitor = LocalVisitor(engine=engine)
    request = asked(marcus_with_facts, "What's your mum's name? I'll ring through.")
    reply = detailed(visitor, request)
    assert reply.text == "Her name's Maureen Bell. She's seventy-eight."
    assert reply.source == "model" and reply.reasons  # the garbage sample was rejected
    assert len(engine.batches) == 1 and len(engine.batches[0]) == CANDIDATES
    assert len({job.seed for job in engine.batches[0]}) == CANDIDATES
    visitor.close()


def test_when_no_sample_answers_the_question_the_persona_fact_is_said(
    marcus_with_facts: Persona,
) -> None:
    visitor = LocalVisitor(engine=FakeEngine(lambda job, n: " Why does that matter?"))
    reply = detailed(visitor, asked(marcus_with_facts, "What's your mother's name?"))
    assert reply.source == "fallback"
    assert reply.text == "Maureen Bell. She's seventy-eight."
    visitor.close()


def test_a_line_already_said_is_not_said_again(marcus: Persona) -> None:
    said = marcus.lines["high"][0]
    history = (
        Line("visitor", marcus.opening_lines[0]),
        Line("officer", "Calm down."),
        Line("visitor", said),
        Line("officer", "Please wait outside."),
    )
    visitor = LocalVisitor(engine=FakeEngine(lambda job, n: " " + said))
    reply = detailed(visitor, VisitorRequest(marcus, 8, history, "s1"))
    assert reply.reasons == ("repeats an earlier line",) * CANDIDATES
    assert reply.source == "fallback" and reply.text != said and reply.text in marcus.lines["high"]
    visitor.close()


def test_garbage_falls_back_to_a_persona_line(
    marcus: Persona, caplog: pytest.LogCaptureFixture
) -> None:
    visitor = LocalVisitor(engine=FakeEngine(lambda job, n: GARBAGE))
    with caplog.at_level(logging.INFO, logger="bot.model.base"):
        reply = detailed(visitor, make_request(marcus, 8, "Please wait outside."))
    assert reply.source == "fallback" and len(reply.raw) == len(reply.reasons) == CANDIDATES
    assert reply.text in marcus.lines["high"]
    fallbacks = [r for r in caplog.records if "persona line" in r.getMessage()]
    # a small model's misses are routine: logged for the operator, not printed to a practising
    # officer's terminal (which shows warnings only)
    assert fallbacks and all(r.levelno == logging.INFO for r in fallbacks)
    assert visitor.reply(make_request(marcus, 2, "She is fine.")) in marcus.lines["low"]
    assert visitor.problem == ""  # the model works; only its samples missed
    visitor.close()


def test_engine_exception_falls_back(marcus: Persona, caplog: pytest.LogCaptureFixture) -> None:
    def boom(job: TextJob, n: int) -> str:
        raise RuntimeError("out of memory")

    visitor = LocalVisitor(engine=FakeEngine(boom))
    with caplog.at_level(logging.WARNING):
        reply = detailed(visitor, make_request(marcus, 5, "Hello."))
    assert reply.source == "fallback" and reply.text in marcus.lines["medium"]
    assert any("out of memory" in r.getMessage() for r in caplog.records)
    visitor.close()


def test_model_that_fails_to_load_falls_back(
    marcus: Persona, tmp_path: object, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        visitor = LocalVisitor(model="no/such-model-anywhere", cache_dir=str(tmp_path))
        assert visitor.wait_ready(timeout=60) is False
        line = visitor.reply(make_request(marcus, 8, "Hello."))
    assert line in marcus.lines["high"]
    assert any("failed to load" in r.getMessage() for r in caplog.records)
    visitor.close()


def test_sessions_are_served_round_robin() -> None:
    release = threading.Event()

    def answer(job: TextJob, n: int) -> str:
        if job.suffix == "block":
            release.wait(5)
        return job.suffix

    engine = FakeEngine(answer, max_batch=2)
    worker = ModelWorker(lambda: engine)
    first = worker.submit("z", TextJob("", "block", 0))
    while not engine.batches:
        threading.Event().wait(0.01)  # the blocker is being served; queue the rest behind it
    futures = [worker.submit("a", TextJob("", f"a{i}", 0)) for i in range(4)]
    futures += [worker.submit("b", TextJob("", "b0", 0)), worker.submit("c", TextJob("", "c0", 0))]
    release.set()
    assert first.result(5) == "block"
    assert [f.result(5) for f in futures] == ["a0", "a1", "a2", "a3", "b0", "c0"]
    order = [[job.suffix for job in batch] for batch in engine.batches[1:]]
    assert order == [["a0", "b0"], ["c0", "a1"], ["a2", "a3"]]
    worker.close()


def test_concurrent_replies_are_batched_and_thread_safe(marcus: Persona) -> None:
    engine = FakeEngine(lambda job, n: f"Answer number {n} for you.")
    visitor = LocalVisitor(engine=engine)
    requests = [make_request(marcus, 8, f"Hello {i}.", session=f"s{i}") for i in range(8)]
    with ThreadPoolExecutor(8) as pool:
        lines = list(pool.map(visitor.reply, requests))
    assert len(set(lines)) == 8 and all(line.startswith("Answer number") for line in lines)
    assert max(len(batch) for batch in engine.batches) > 1
    assert all(len(batch) <= 4 for batch in engine.batches)
    futures = [visitor.submit(r) for r in requests[:3]]
    assert all(f.result(5).startswith("Answer number") for f in futures)
    visitor.close()


def test_closed_worker_refuses_new_work() -> None:
    worker = ModelWorker(lambda: FakeEngine(lambda job, n: "x"))
    worker.wait_ready(5)
    worker.close()
    with pytest.raises(RuntimeError, match="closed"):
        worker.submit("s", TextJob("", "x", 0))


def test_a_dead_worker_is_replaced_and_a_restart_loses_no_reply(marcus: Persona) -> None:
    loads = []

    def engine() -> FakeEngine:
        loads.append(1)
        return FakeEngine(lambda job, n: " Where is she?")

    visitor = LocalVisitor(engine=FakeEngine(lambda job, n: " Where is she?"))
    visitor._load = engine  # a fresh engine per load, as a real restart reloads the model
    visitor.restart_worker()  # the fault: the worker is killed and a new one loads the model
    assert detailed(visitor, make_request(marcus, 8, "Please wait.")).source == "model"
    visitor.worker.close()  # the worker stops without being asked to (as if its thread died)
    reply = detailed(visitor, make_request(marcus, 8, "Please wait."))
    assert reply.source == "model" and visitor.restarts == 2 and len(loads) == 2
    assert visitor.problem == ""
    visitor.close()
