"""The model server (`python -m bot.model.serve`) under bad HTTP: floods, huge or missing
bodies, nonsense lengths, deep JSON, wrong types. It answers each, and keeps serving."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx
import pytest

from bot.core.persona import Persona
from bot.model.openai_backend import OpenAIVisitor
from tests.model.conftest import make_request
from tests.model.test_openai_backend import start_server, stop

CHAT = {"messages": [{"role": "user", "content": 'How Dana talks: "Where is my car?"\n'}]}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    proc, url = start_server("--scripted")
    yield url
    stop(proc)


@pytest.fixture(scope="module")
def impatient_server() -> Iterator[str]:
    """Gives a body 1 s to arrive (10 s by default), so the timeout is quick to test."""
    proc, url = start_server("--scripted", "--body-timeout", "1")
    yield url
    stop(proc)


def raw(url: str, data: bytes, *, wait: float = 5.0) -> tuple[int, bytes, float]:
    """Send raw bytes on a new connection; (status, body, seconds until the answer came)."""
    parts = urlsplit(url)
    started = time.monotonic()
    with socket.create_connection((parts.hostname, parts.port), timeout=wait) as sock:
        sock.sendall(data)
        received = b""
        while b"\r\n\r\n" not in received or not _complete(received):
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body, time.monotonic() - started


def _complete(received: bytes) -> bool:
    head, _, body = received.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def post_head(path: str, length: str, extra: str = "") -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\n{extra}\r\n"
    ).encode()


def test_200_requests_20_at_a_time_all_answered(server: str) -> None:
    def one(i: int) -> int:
        # a new connection each time: the listen backlog is what is being tested
        return httpx.post(
            f"{server}/chat/completions", json={**CHAT, "seed": i}, timeout=30
        ).status_code

    with ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(one, range(200)))
    assert statuses == [200] * 200


def test_a_body_over_the_limit_is_refused_before_it_is_read(server: str) -> None:
    path = urlsplit(server).path + "/chat/completions"
    status, body, seconds = raw(server, post_head(path, str(200 * 1024 * 1024)) + b'{"mess')
    assert status == 413 and seconds < 3
    assert "at most" in json.loads(body)["error"]["message"]
    status, _, seconds = raw(server, post_head(path, str(2 * 1024**3)))  # a claimed 2 GB
    assert status == 413 and seconds < 3


def test_a_real_oversized_body_is_refused(server: str) -> None:
    big = {"messages": [{"role": "user", "content": "x" * (3 * 1024 * 1024)}]}
    response = httpx.post(f"{server}/chat/completions", json=big, timeout=30)
    assert response.status_code == 413


@pytest.mark.parametrize("length", ["-1", "abc", "1e3"])
def test_nonsense_lengths_are_refused_at_once(server: str, length: str) -> None:
    path = urlsplit(server).path + "/completions"
    status, _, seconds = raw(server, post_head(path, length) + b"{}")
    assert status == 400 and seconds < 3


def test_a_body_that_never_arrives_times_out(impatient_server: str) -> None:
    server = impatient_server
    path = urlsplit(server).path + "/completions"
    status, body, seconds = raw(server, post_head(path, "100") + b'{"prompt": "', wait=10)
    assert status == 408 and 0.8 < seconds < 5
    assert "did not arrive" in json.loads(body)["error"]["message"]


def test_deep_json_gets_a_400_with_a_reason(server: str) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    response = httpx.post(
        f"{server}/chat/completions",
        content=deep,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "route, body, field",
    [
        ("chat/completions", {**CHAT, "max_tokens": "abc"}, "max_tokens"),
        ("chat/completions", {**CHAT, "seed": 1.5}, "seed"),
        ("chat/completions", {"messages": "hello"}, "messages"),
        ("chat/completions", {"messages": [{"role": "user", "content": 5}]}, "messages.0.content"),
        ("chat/completions", {**CHAT, "stop": [1, 2]}, "stop"),
        ("completions", {"prompt": 5}, "prompt"),
        ("completions", {"prompt": "x", "max_tokens": -3}, "max_tokens"),
        ("completions", {}, "prompt"),
    ],
)
def test_wrong_types_are_a_400_naming_the_field(
    server: str, route: str, body: dict, field: str
) -> None:
    response = httpx.post(f"{server}/{route}", json=body, timeout=30)
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert f"field '{field}" in message


@pytest.mark.parametrize("payload", [b"[1, 2]", b"NaN", b'{"prompt": "x"', b"\xff\xfe"])
def test_bodies_that_are_not_a_json_object(server: str, payload: bytes) -> None:
    response = httpx.post(f"{server}/completions", content=payload, timeout=30)
    assert response.status_code == 400 and response.json()["error"]["message"]


def test_still_serving_after_the_abuse(server: str) -> None:
    response = httpx.post(f"{server}/chat/completions", json=CHAT, timeout=30)
    assert response.status_code == 200
    assert response.json()["choices"][0]["message"]["content"].strip() == "Where is my car?"


# --- the other direction: OpenAIVisitor reading a server that answers nonsense ---------------

BAD_ANSWERS: dict[str, tuple[int, bytes]] = {
    "huge": (200, b'{"choices": [{"text": "' + b"x" * (3 * 1024 * 1024) + b'"}]}'),
    "deep": (200, b"[" * 100_000 + b"]" * 100_000),
    "not-text": (200, b'{"choices": [{"text": 5, "message": {"content": ["a"]}}]}'),
    "html": (200, b"<html><body>Welcome to the intranet</body></html>"),
    "error": (503, b"<html>" + b"busy " * 10_000 + b"</html>"),
}


class _Nonsense(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, body = BAD_ANSWERS[self.path.split("/")[1]]
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def nonsense() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Nonsense)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("case", list(BAD_ANSWERS))
@pytest.mark.parametrize("api", ["chat", "completions"])
def test_the_visitor_survives_a_server_that_answers_nonsense(
    nonsense: str, marcus: Persona, case: str, api: str
) -> None:
    visitor = OpenAIVisitor(f"{nonsense}/{case}/v1", api=api, timeout_s=10)  # type: ignore[arg-type]
    try:
        reply = visitor.submit_detailed(make_request(marcus, 8, "Calm down.")).result(30)
        assert reply.source == "fallback" and reply.text in marcus.lines["high"]
        assert visitor.problem.startswith("generation failed: ")
        assert len(visitor.problem) < 400  # a sentence, not the 3 MB body
    finally:
        visitor.close()
