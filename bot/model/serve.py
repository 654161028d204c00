"""A minimal OpenAI-compatible server: the local visitor model (or scripted lines) over HTTP.

    python -m bot.model.serve --port 8000             # the local model (MODEL setting)
    python -m bot.model.serve --port 8000 --scripted  # persona example lines, no model

Serves POST /v1/chat/completions, POST /v1/completions and GET /v1/models; no streaming.
Outputs are raw completions: the client (OpenAIVisitor) applies the output discipline.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import time
import uuid
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol

from bot.model.prompt import example_lines, split_at_conversation

log = logging.getLogger(__name__)

MAX_TOKENS_CAP = 256


class Completer(Protocol):
    """Turns a prompt into raw text for the server."""

    name: str

    def complete(self, text: str, chat: list[dict[str, str]] | None, body: dict[str, Any]) -> str:
        """Raw completion for a text prompt, or for chat messages when `chat` is given."""
        ...


class ScriptedCompleter:
    """Speaks one of the persona example lines found in the prompt (no model at all)."""

    name = "cooldown-scripted"

    def complete(self, text: str, chat: list[dict[str, str]] | None, body: dict[str, Any]) -> str:
        """A line from the prompt's examples that the conversation has not used yet."""
        if chat is not None:
            text = "\n\n".join(str(m.get("content", "")) for m in chat)
        lines = example_lines(text) or ["Sorry, what did you say?"]
        return " " + random.Random(body.get("seed", 0)).choice(lines)


class LocalCompleter:
    """The local model through the model worker (batched with other requests)."""

    def __init__(self, model: str, cache_dir: Path, device: str, threads: int | None) -> None:
        from bot.model.local.engine import build_engine
        from bot.model.local.worker import ModelWorker

        self.name = model or "gemma-3-270m"
        self.worker = ModelWorker(lambda: build_engine(model, cache_dir, device, threads))
        if not self.worker.wait_ready():
            raise SystemExit(f"cannot load the model: {self.worker.load_error}")

    def complete(self, text: str, chat: list[dict[str, str]] | None, body: dict[str, Any]) -> str:
        """Raw completion from the local model."""
        from bot.model.local.engine import TextJob, render_chat, stable_end

        engine = self.worker.engine
        assert engine is not None
        stop = body.get("stop") or []
        newline = "\n" in ([stop] if isinstance(stop, str) else stop)
        templated = chat is not None and engine.chat
        if templated:
            text, newline = render_chat(engine.tokenizer, chat), False  # type: ignore[attr-defined]
        elif chat is not None:
            text, newline = "\n\n".join(str(m.get("content", "")) for m in chat), True
        prefix, suffix = split_at_conversation(text)  # our prompts: the persona part is cacheable
        job = TextJob(
            prefix,
            suffix,
            int(body.get("seed") or 0),
            min(int(body.get("max_tokens") or 40), MAX_TOKENS_CAP),
            newline,
            0 if templated else stable_end(suffix, ""),
        )
        return self.worker.submit(str(body.get("user", "")), job).result()


def make_handler(completer: Completer, api_key: str = "", fail_status: int = 0) -> type:
    """The request handler class bound to a completer."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "cooldown-model/1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
            log.debug("%s %s", self.address_string(), format % args)

        def do_GET(self) -> None:  # noqa: N802 - stdlib name
            if self.path.rstrip("/") in ("/v1/models", "/models"):
                self._send(200, {"object": "list", "data": [{"id": completer.name}]})
            elif self.path == "/health":
                self._send(200, {"status": "ok"})
            else:
                self._error(404, f"no route {self.path}")

        def do_POST(self) -> None:  # noqa: N802 - stdlib name
            if api_key and self.headers.get("Authorization") != f"Bearer {api_key}":
                return self._error(401, "invalid or missing API key")
            route = self.path.rstrip("/").removeprefix("/v1")
            if route not in ("/chat/completions", "/completions"):
                return self._error(404, f"no route {self.path}")
            if fail_status:
                return self._error(fail_status, "the server was started to fail (--fail-status)")
            try:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                chat = body["messages"] if route == "/chat/completions" else None
                text = "" if chat is not None else str(body["prompt"])
            except (ValueError, KeyError, TypeError) as exc:
                return self._error(400, f"bad request body: {exc}")
            if body.get("stream"):
                return self._error(400, "streaming is not supported")
            try:
                out = completer.complete(text, chat, body)
            except Exception as exc:  # noqa: BLE001 - reported to the client as a 500
                log.exception("completion failed")
                return self._error(500, f"completion failed: {exc}")
            self._send(200, _response(route, completer.name, out))

        def _error(self, status: int, message: str) -> None:
            self._send(status, {"error": {"message": message, "code": status}})

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _response(route: str, model: str, text: str) -> dict[str, Any]:
    created = int(time.time())
    if route == "/chat/completions":
        choice = {"index": 0, "message": {"role": "assistant", "content": text}}
        kind, prefix = "chat.completion", "chatcmpl"
    else:
        choice = {"index": 0, "text": text}
        kind, prefix = "text_completion", "cmpl"
    choice["finish_reason"] = "stop"
    return {
        "id": f"{prefix}-{uuid.uuid4().hex[:12]}",
        "object": kind,
        "created": created,
        "model": model,
        "choices": [choice],
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m bot.model.serve", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--scripted", action="store_true", help="persona lines, no model")
    parser.add_argument("--model", default=None, help="MODEL setting by default")
    parser.add_argument("--device", default=None, help="auto, cpu or cuda (DEVICE by default)")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads for the model")
    parser.add_argument("--api-key", default="", help="require this bearer token")
    parser.add_argument("--fail-status", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    completer: Completer
    if args.scripted:
        completer = ScriptedCompleter()
    else:
        from bot.settings import get_settings

        settings = get_settings()
        model = settings.model if args.model is None else args.model
        completer = LocalCompleter(
            model,
            settings.path(settings.model_cache_dir),
            args.device or settings.device,
            args.threads,
        )
    server = ThreadingHTTPServer(
        (args.host, args.port), make_handler(completer, args.api_key, args.fail_status)
    )
    server.daemon_threads = True
    print(f"serving {completer.name} on http://{args.host}:{server.server_port}/v1", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
