"""An OpenAI-compatible server: the local visitor model (or scripted lines) over HTTP.

    python -m bot.model.serve --port 8000             # the local model (MODEL setting)
    python -m bot.model.serve --port 8000 --scripted  # persona example lines, no model

Serves POST /v1/chat/completions, POST /v1/completions and GET /v1/models; no streaming.
Outputs are raw completions: the client (OpenAIVisitor) applies the output discipline.

FastAPI on uvicorn rather than http.server: the hand-rolled server had a listen backlog of 5
(connections reset under 20 concurrent clients), no body limit, a thread held forever by a
`Content-Length: -1` or a claimed 2 GB body, no answer to a deeply nested body and a 500 for
wrong-typed fields. Here the body is bounded in size and in time before it is parsed, parsing
errors of every kind are a 400 in the OpenAI error shape, and fields are validated strictly.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from bot.model.prompt import example_lines, split_at_conversation

log = logging.getLogger(__name__)

MAX_TOKENS_CAP = 256
MAX_BODY_BYTES = 1024 * 1024  # a visitor prompt is a few KB; a 1 MB body is already absurd
BODY_TIMEOUT_S = 10.0  # a client that claims a body and never sends it is cut off
BACKLOG = 2048  # queued connections before the kernel refuses (uvicorn's default)


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


# --- request bodies: strict, so a wrong type is a 400 naming the field --------------------------


class _Body(BaseModel):
    # Unknown fields are allowed (OpenAI clients send many); known ones must have the right type.
    model_config = ConfigDict(extra="allow", strict=True)
    model: str | None = None
    max_tokens: int | None = Field(default=None, ge=1, le=32768)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    seed: int | None = None
    stop: str | list[str] | None = None
    user: str | None = Field(default=None, max_length=256)
    stream: bool | None = None


class _Message(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)
    role: str = Field(max_length=32)
    content: str


class ChatBody(_Body):
    """POST /v1/chat/completions."""

    messages: list[_Message] = Field(min_length=1, max_length=256)


class CompletionBody(_Body):
    """POST /v1/completions."""

    prompt: str


class BadRequest(Exception):
    """A request the server refuses, with the status and a message for the client."""

    def __init__(self, status: int, message: str) -> None:
        self.status, self.message = status, message
        super().__init__(message)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"message": message, "type": "invalid_request_error", "code": status}},
        status_code=status,
    )


def _declared_length(request: Request) -> int | None:
    raw = request.headers.get("content-length")
    if raw is None:
        return None
    if not raw.isdigit():
        raise BadRequest(400, f"bad Content-Length: {raw[:20]!r}")
    return int(raw)


async def read_json(
    request: Request, limit: int = MAX_BODY_BYTES, timeout_s: float = BODY_TIMEOUT_S
) -> Any:
    """The JSON body, bounded in size (declared and actual) and in time; BadRequest otherwise."""
    declared = _declared_length(request)
    if declared is not None and declared > limit:
        raise BadRequest(413, f"the body is {declared:,} bytes; at most {limit:,} are accepted")
    chunks: list[bytes] = []
    size = 0

    async def collect() -> None:
        nonlocal size
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise BadRequest(413, f"the body is over {limit:,} bytes")
            chunks.append(chunk)

    try:
        await asyncio.wait_for(collect(), timeout_s)
    except TimeoutError:
        raise BadRequest(408, f"the body did not arrive within {timeout_s:g} s") from None
    try:
        return json.loads(b"".join(chunks) or b"{}", parse_constant=_no_constant)
    except RecursionError:
        raise BadRequest(400, "bad request body: JSON nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(400, f"bad request body: {str(exc)[:200]}") from None


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


def _validation_message(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "(body)"
    return f"bad request body: field '{where}': {first['msg']}"


def _response(route: str, model: str, text: str) -> dict[str, Any]:
    created = int(time.time())
    if route == "/chat/completions":
        choice: dict[str, Any] = {"index": 0, "message": {"role": "assistant", "content": text}}
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


def build_app(
    completer: Completer,
    api_key: str = "",
    fail_status: int = 0,
    max_body: int = MAX_BODY_BYTES,
    body_timeout_s: float = BODY_TIMEOUT_S,
) -> FastAPI:
    """The ASGI app serving a completer; `fail_status` answers every completion with that status
    (tests of the client's failure handling)."""
    app = FastAPI(title="cooldown-model", docs_url=None, redoc_url=None, openapi_url=None)

    @app.exception_handler(BadRequest)
    async def _bad_request(_: Request, exc: BadRequest) -> JSONResponse:
        return _error(exc.status, exc.message)

    @app.exception_handler(HTTPException)
    async def _http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail))

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/models")
    @app.get("/models")
    async def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": completer.name, "object": "model"}]}

    async def complete(request: Request, route: str) -> JSONResponse:
        if api_key and request.headers.get("authorization") != f"Bearer {api_key}":
            return _error(401, "invalid or missing API key")
        if fail_status:
            return _error(fail_status, "the server was started to fail (--fail-status)")
        data = await read_json(request, max_body, body_timeout_s)
        if not isinstance(data, dict):
            raise BadRequest(400, "bad request body: a JSON object is expected")
        schema = ChatBody if route == "/chat/completions" else CompletionBody
        try:
            body = schema.model_validate(data)
        except ValidationError as exc:
            raise BadRequest(400, _validation_message(exc)) from None
        if body.stream:
            raise BadRequest(400, "streaming is not supported")
        fields = body.model_dump(exclude_none=True)
        chat = fields.pop("messages", None)
        text = "" if chat is not None else fields["prompt"]
        try:
            out = await run_in_threadpool(completer.complete, text, chat, fields)
        except Exception as exc:  # noqa: BLE001 - reported to the client as a 500
            log.exception("completion failed")
            return _error(500, f"completion failed: {exc}")
        return JSONResponse(_response(route, completer.name, out))

    for prefix in ("/v1", ""):
        for route in ("/chat/completions", "/completions"):

            async def endpoint(request: Request, route: str = route) -> JSONResponse:
                return await complete(request, route)

            app.add_api_route(prefix + route, endpoint, methods=["POST"])
    return app


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
    parser.add_argument(
        "--body-timeout", type=float, default=BODY_TIMEOUT_S, help=argparse.SUPPRESS
    )
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
    config = uvicorn.Config(
        build_app(completer, args.api_key, args.fail_status, body_timeout_s=args.body_timeout),
        host=args.host,
        port=args.port,
        backlog=BACKLOG,
        log_level="warning",
        timeout_keep_alive=5,
        h11_max_incomplete_event_size=64 * 1024,  # request line and headers
    )
    print(f"serving {completer.name} on http://{args.host}:{args.port}/v1", flush=True)
    uvicorn.Server(config).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
