"""OpenAIVisitor: the visitor spoken by an OpenAI-compatible server (vLLM, llama.cpp, TGI, Ollama).

Prompting, output discipline, the retry and the persona-line fallback are the same as for the
local model (bot.model.base); only the transport differs.
"""

from __future__ import annotations

import hashlib
import json
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Literal

import httpx

from bot.core.pick import LinePicker
from bot.model.base import CANDIDATES, BackendError, GeneratingVisitor
from bot.model.prompt import Prompt

log = logging.getLogger(__name__)

Api = Literal["chat", "completions"]
MAX_TOKENS = 60
TEMPERATURE = 0.8
TOP_P = 0.92
MAX_RESPONSE_BYTES = 1024 * 1024  # a completion is a line of text; a megabyte is not one


class OpenAIVisitor(GeneratingVisitor):
    """Visitor over `/v1/chat/completions` (chat models) or `/v1/completions` (base models)."""

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8000/v1",
        model: str = "default",
        api_key: str | None = None,
        timeout_s: float = 30.0,
        api: Api = "chat",
        max_tokens: int = MAX_TOKENS,
        concurrency: int = 8,
        picker: LinePicker | None = None,
        candidates: int = CANDIDATES,
    ) -> None:
        super().__init__(2 * timeout_s + 5, picker, candidates)
        self.base_url = base_url.rstrip("/")
        self.model, self.api, self.max_tokens = model, api, max_tokens
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout_s)
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="cooldown-openai")

    def close(self) -> None:
        """Close the HTTP connections and the request threads."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._client.close()

    def _generate(self, prompt: Prompt, seed: int, session: str) -> Future[str]:
        return self._pool.submit(self.complete, prompt, seed, session)

    def complete(self, prompt: Prompt, seed: int, session: str = "") -> str:
        """One raw completion from the server; BackendError with the reason when it fails."""
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "temperature": TEMPERATURE,
            "top_p": TOP_P,
            "seed": seed,
        }
        if session:  # lets a server keep sessions apart (fair scheduling) without the real id
            body["user"] = hashlib.sha256(session.encode()).hexdigest()[:16]
        if self.api == "chat":
            path = "/chat/completions"
            body["messages"] = prompt.messages()
        else:
            path = "/completions"
            body["prompt"] = prompt.text
            body["stop"] = ["\n"]
        url = f"{self.base_url}{path}"
        try:
            with self._client.stream("POST", path, json=body) as response:
                data = _read_capped(response, url)
        except httpx.TimeoutException as exc:
            raise BackendError(f"{url} did not answer in time ({exc})") from exc
        except httpx.TransportError as exc:
            raise BackendError(f"cannot reach the model server at {url}: {exc}") from exc
        shown = data[:200].decode("utf-8", "replace")
        if response.status_code >= 400:
            raise BackendError(f"{url} answered {response.status_code}: {shown}")
        try:
            choice = json.loads(data)["choices"][0]
            text = choice["message"]["content"] if self.api == "chat" else choice["text"]
        except (ValueError, KeyError, IndexError, TypeError, RecursionError) as exc:
            raise BackendError(f"{url} sent an unexpected answer: {shown}") from exc
        if text is not None and not isinstance(text, str):
            raise BackendError(f"{url} sent a completion that is not text: {shown}")
        return text or ""


def _read_capped(response: httpx.Response, url: str) -> bytes:
    """The response body, refused past MAX_RESPONSE_BYTES (a wrong URL can serve anything)."""
    data = bytearray()
    for chunk in response.iter_bytes():
        data += chunk
        if len(data) > MAX_RESPONSE_BYTES:
            raise BackendError(
                f"{url} sent more than {MAX_RESPONSE_BYTES:,} bytes; is it a model server?"
            )
    return bytes(data)
