"""OpenAIVisitor against a server nobody here wrote: `transformers serve` with the embedded model.

Why transformers serve rather than llama-cpp-python's server: it is in the dev extra
(transformers[serving]), it serves the very folder the local backend loads (models/gemma-3-270m)
fully offline (HF_HUB_OFFLINE=1, a local path as the model), and it needs no compiler or second
copy of the weights; llama-cpp-python is not installed and would need a build plus a GGUF. The
embedded model is a base model without a chat template, so the test gives it a minimal Gemma
turn template in a folder of links to the same weights (nothing is copied or downloaded).

Covered: chat and completions, a server that goes away mid-session (and comes back), and a slow
server (a proxy that holds every answer back).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.core.persona import Persona, PersonaLibrary
from bot.core.practice import PracticeRoom
from bot.model.openai_backend import OpenAIVisitor
from bot.model.prompt import build_prompt
from bot.settings import get_settings
from tests.conftest import FakeRubric
from tests.model.conftest import make_request

pytestmark = pytest.mark.slow

# The console script next to this Python (the venv's), else whichever is on PATH.
_BESIDE = Path(sys.executable).with_name("transformers")
SERVE = str(_BESIDE) if _BESIDE.exists() else shutil.which("transformers") or "transformers"
START_TIMEOUT_S = 600  # a cold model load on a busy 2-core machine
ANSWER_TIMEOUT_S = 300.0
# Gemma's turn format; the base model ships without a chat template.
CHAT_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}<start_of_turn>"
    "{{ 'model' if m['role'] == 'assistant' else 'user' }}\n{{ m['content'] | trim }}"
    "<end_of_turn>\n{% endfor %}{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def model_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded model as the bot runs it (with the shipped visitor adapter merged in, when
    there is one), linked file by file, plus a chat template."""
    from bot.model.local.adapter import merged_model, resolve_adapter
    from bot.model.local.loading import ensure_embedded

    settings = get_settings()
    cache = settings.path(settings.model_cache_dir)
    source = ensure_embedded(cache)
    adapter = resolve_adapter("", "")
    if adapter is not None:
        source = merged_model(source, adapter, cache)
    folder = tmp_path_factory.mktemp("gemma-3-270m-chat")
    for item in source.iterdir():
        if item.name != "tokenizer_config.json":
            (folder / item.name).symlink_to(item.resolve())
    config = json.loads((source / "tokenizer_config.json").read_text())
    config["chat_template"] = CHAT_TEMPLATE
    (folder / "tokenizer_config.json").write_text(json.dumps(config))
    return folder


class Served:
    """A `transformers serve` process for one model folder, on a fixed port (restartable)."""

    def __init__(self, folder: Path, port: int, log: Path) -> None:
        self.folder, self.port, self.log = folder, port, log
        self.url = f"http://127.0.0.1:{port}/v1"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Served:
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [SERVE, "serve", str(self.folder), "--host", "127.0.0.1",
                 "--port", str(self.port), "--device", "cpu", "--default-seed", "0"],
                stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"transformers serve exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/models", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError("transformers serve did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)  # gone at once, as a crashed server is
            self.proc.wait(30)


@pytest.fixture(scope="module")
def served(model_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    server = Served(model_folder, free_port(), tmp_path_factory.mktemp("log") / "serve.log")
    server.start()
    yield server
    server.stop()


def visitor_for(url: str, folder: Path, api: str, timeout_s: float = ANSWER_TIMEOUT_S):  # noqa: ANN201
    return OpenAIVisitor(url, model=str(folder), api=api, timeout_s=timeout_s, candidates=2)  # type: ignore[arg-type]


@pytest.mark.parametrize("api", ["chat", "completions"])
def test_chat_and_completions(served: Served, marcus: Persona, api: str) -> None:
    visitor = visitor_for(served.url, served.folder, api)
    request = make_request(marcus, 6, "What's your mum's name? I'll ring triage now.")
    try:
        raw = visitor.complete(build_prompt(request), seed=7, session="s1")
        assert isinstance(raw, str) and raw.strip()  # our body (seed, user, stop...) accepted
        reply = visitor.submit_detailed(request).result(2 * ANSWER_TIMEOUT_S)
        assert visitor.problem == ""  # every sample came back from the server
        assert reply.raw and all(isinstance(r, str) for r in reply.raw)
        assert reply.text.strip()
    finally:
        visitor.close()


def room_with(visitor: OpenAIVisitor, persona: Persona) -> PracticeRoom:
    library = PersonaLibrary()
    library.add(persona)
    return PracticeRoom(library, visitor, FakeRubric())


def test_a_server_that_goes_away_mid_session(
    model_folder: Path, marcus: Persona, tmp_path: Path
) -> None:
    server = Served(model_folder, free_port(), tmp_path / "serve.log").start()
    visitor = visitor_for(server.url, model_folder, "completions")
    room = room_with(visitor, marcus)
    try:
        session = room.start("cli:kim", marcus.id)
        room.reply("cli:kim", "I'm sorry, I can see you're worried. What's her name?")
        assert visitor.problem == ""
        server.stop()  # killed mid-session
        turn = room.reply("cli:kim", "Okay, give me a moment to ring through.")
        assert turn.visitor_reply in {line for band in marcus.lines.values() for line in band}
        assert "cannot reach the model server" in visitor.problem
        assert len(session.turns) == 2  # the officer lost nothing
        server.start()  # and back again
        room.reply("cli:kim", "Thanks for waiting. Triage say a nurse is coming out.")
        assert visitor.problem == ""
    finally:
        server.stop()
        visitor.close()


class SlowProxy(socketserver.ThreadingTCPServer):
    """Forwards to `upstream`, holding every answer back by `delay` seconds."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, upstream: int, delay: float) -> None:
        self.upstream, self.delay = upstream, delay
        super().__init__(("127.0.0.1", 0), _Pipe)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _Pipe(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        proxy: SlowProxy = self.server  # type: ignore[assignment]
        with socket.create_connection(("127.0.0.1", proxy.upstream)) as up:

            def forward() -> None:
                try:
                    while data := self.request.recv(65536):
                        up.sendall(data)
                except OSError:
                    pass

            threading.Thread(target=forward, daemon=True).start()
            first = True
            try:
                while data := up.recv(65536):
                    if first:
                        time.sleep(proxy.delay)
                        first = False
                    self.request.sendall(data)
            except OSError:
                pass


def test_a_slow_server(served: Served, marcus: Persona) -> None:
    proxy = SlowProxy(served.port, delay=4.0)
    impatient = visitor_for(proxy.url, served.folder, "completions", timeout_s=1.0)
    patient = visitor_for(proxy.url, served.folder, "completions")
    try:
        room = room_with(impatient, marcus)
        room.start("cli:kim", marcus.id)
        started = time.monotonic()
        turn = room.reply("cli:kim", "I'm sorry. What's your mum's name?")
        assert time.monotonic() - started < 30  # the officer is not kept waiting on it
        assert turn.visitor_reply  # a persona line instead
        assert "did not answer in time" in impatient.problem

        request = make_request(marcus, 6, "I'm sorry. What's your mum's name?")
        reply = patient.submit_detailed(request).result(2 * ANSWER_TIMEOUT_S)
        assert patient.problem == "" and reply.raw  # slow, but it answered
    finally:
        impatient.close()
        patient.close()
        proxy.shutdown()
        proxy.server_close()
