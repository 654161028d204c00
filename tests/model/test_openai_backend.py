"""OpenAIVisitor against a real server process (bot.model.serve), and when the server fails."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from bot.core.persona import Persona
from bot.model import make_visitor
from bot.model.openai_backend import OpenAIVisitor
from bot.settings import PROJECT_ROOT, Settings
from tests.model.conftest import make_request


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(*args: str) -> tuple[subprocess.Popen[str], str]:
    """Run `python -m bot.model.serve` on a free port; returns the process and its /v1 URL."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.model.serve", "--port", str(port), *args],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def scripted_server() -> Iterator[str]:
    proc, url = start_server("--scripted", "--api-key", "sekrit")
    yield url
    stop(proc)


@pytest.mark.parametrize("api", ["chat", "completions"])
def test_visitor_speaks_through_the_server(scripted_server: str, marcus: Persona, api: str) -> None:
    visitor = OpenAIVisitor(scripted_server, api_key="sekrit", api=api)  # type: ignore[arg-type]
    reply = visitor.submit_detailed(make_request(marcus, 8, "Calm down, sir.")).result(30)
    assert reply.source == "model"
    assert reply.text in marcus.lines["high"]  # the scripted server speaks the prompt's examples
    reply = visitor.submit_detailed(make_request(marcus, 2, "She's in bay four.")).result(30)
    assert reply.text in marcus.lines["low"]
    visitor.close()


def test_concurrent_sessions(scripted_server: str, marcus: Persona) -> None:
    visitor = OpenAIVisitor(scripted_server, api_key="sekrit")
    requests = [make_request(marcus, 5, f"Hello {i}.", session=f"s{i}") for i in range(6)]
    with ThreadPoolExecutor(6) as pool:
        lines = list(pool.map(visitor.reply, requests))
    assert all(line in marcus.lines["medium"] for line in lines)
    visitor.close()


def test_factory_builds_the_openai_visitor(scripted_server: str, marcus: Persona) -> None:
    visitor = make_visitor("openai", base_url=scripted_server, api_key="sekrit")
    assert isinstance(visitor, OpenAIVisitor)
    assert visitor.reply(make_request(marcus, 8, "Hello.")) in marcus.lines["high"]


def test_factory_reads_the_openai_settings(scripted_server: str, marcus: Persona) -> None:
    settings = Settings(
        model_backend="openai", openai_base_url=scripted_server, openai_api="completions",
        openai_api_key="sekrit", _env_file=None,
    )  # fmt: skip
    visitor = make_visitor("openai", settings)
    assert isinstance(visitor, OpenAIVisitor) and visitor.api == "completions"
    assert visitor.reply(make_request(marcus, 8, "Hello.")) in marcus.lines["high"]
    visitor.close()


def test_wrong_api_key_falls_back(
    scripted_server: str, marcus: Persona, caplog: pytest.LogCaptureFixture
) -> None:
    visitor = OpenAIVisitor(scripted_server, api_key="wrong")
    with caplog.at_level(logging.WARNING):
        reply = visitor.submit_detailed(make_request(marcus, 8, "Hello.")).result(30)
    assert reply.source == "fallback" and reply.text in marcus.lines["high"]
    assert any("401" in r.getMessage() for r in caplog.records)


def test_server_down_falls_back_with_a_clear_warning(
    marcus: Persona, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    visitor = OpenAIVisitor(url, timeout_s=2)
    with caplog.at_level(logging.WARNING):
        started = time.monotonic()
        line = visitor.reply(make_request(marcus, 8, "Hello."))
    assert line in marcus.lines["high"]
    assert time.monotonic() - started < 5
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "cannot reach the model server" in messages and url in messages
    caplog.clear()
    with caplog.at_level(logging.INFO):
        assert visitor.reply(make_request(marcus, 8, "Hello?")) in marcus.lines["high"]
    # the same failure again is logged, but is not a second warning
    assert caplog.records and all(r.levelno < logging.WARNING for r in caplog.records)


def test_server_errors_fall_back(marcus: Persona, caplog: pytest.LogCaptureFixture) -> None:
    proc, url = start_server("--scripted", "--fail-status", "500")
    try:
        visitor = OpenAIVisitor(url)
        with caplog.at_level(logging.WARNING):
            reply = visitor.submit_detailed(make_request(marcus, 5, "Hello.")).result(30)
        assert reply.source == "fallback" and reply.text in marcus.lines["medium"]
        assert any("answered 500" in r.getMessage() for r in caplog.records)
    finally:
        stop(proc)


def test_server_rejects_bad_requests(scripted_server: str) -> None:
    headers = {"Authorization": "Bearer sekrit"}
    bad = httpx.post(f"{scripted_server}/completions", content=b"{nope", headers=headers)
    assert bad.status_code == 400
    stream = httpx.post(
        f"{scripted_server}/completions", json={"prompt": "x", "stream": True}, headers=headers
    )
    assert stream.status_code == 400 and "stream" in stream.json()["error"]["message"]
    assert httpx.get(f"{scripted_server}/nothing").status_code == 404
