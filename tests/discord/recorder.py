"""The two network layers of discord.py replaced by recorders that answer like Discord.

RecordingHTTP stands in for `client.http` (channels, threads, messages, CDN downloads) and
RecordingWebhook for the adapter behind interaction responses and follow-ups; both write every
request into one Recorder, which can also be told to fail a request the way Discord would.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import discord
from discord.http import HTTPClient, Route
from discord.webhook.async_ import AsyncWebhookAdapter

from tests.discord import payloads as p

EPHEMERAL = 64  # the message flag for "only you can see this"


@dataclass
class Call:
    """One request the bot made."""

    method: str
    path: str  # the route template, e.g. /channels/{channel_id}/messages
    url: str
    payload: dict[str, Any] | None
    files: list[str] = field(default_factory=list)
    channel_id: int | None = None
    at: float = field(default_factory=time.perf_counter)  # when the bot made the request
    response: Any = None  # what the recorder answered

    @property
    def message(self) -> dict[str, Any] | None:
        """The message body of a send/edit (interaction callbacks keep it under "data")."""
        if self.payload is None:
            return None
        if self.path.endswith("/callback"):
            return self.payload.get("data") if self.payload.get("type") in (4, 7) else None
        if self.method in ("POST", "PATCH") and (
            "/messages" in self.path or "webhook" in self.path
        ):
            return self.payload
        return None

    @property
    def ephemeral(self) -> bool:
        """Whether this response or follow-up is visible only to the user."""
        body = self.payload or {}
        data = body.get("data", body) if self.path.endswith("/callback") else body
        return bool((data or {}).get("flags", 0) & EPHEMERAL)

    def text(self) -> str:
        """Content and embed text of a message call, for assertions."""
        msg = self.message or {}
        parts = [msg.get("content") or ""]
        for embed in msg.get("embeds") or []:
            parts += [embed.get("title", ""), embed.get("description", "")]
            parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields", [])]
            parts.append((embed.get("footer") or {}).get("text", ""))
        return "\n".join(x for x in parts if x)


class _FakeResponse:
    def __init__(self, status: int, reason: str) -> None:
        self.status, self.reason = status, reason


def discord_error(status: int, code: int, message: str) -> discord.HTTPException:
    """A discord.py exception as a real HTTP error would produce it."""
    response = _FakeResponse(status, message)
    body = {"code": code, "message": message}
    if status == 403:
        return discord.Forbidden(response, body)  # type: ignore[arg-type]
    if status == 404:
        return discord.NotFound(response, body)  # type: ignore[arg-type]
    return discord.HTTPException(response, body)  # type: ignore[arg-type]


def _body(payload: dict[str, Any] | None, form: Any) -> dict[str, Any] | None:
    if form:
        for part in form:
            if part.get("name") == "payload_json":
                return json.loads(part["value"])
    return payload


class Recorder:
    """What both layers share: the call log, planned failures, threads created, CDN files."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.failures: list[tuple[Callable[[Call], bool], discord.HTTPException]] = []
        self.threads: dict[int, dict[str, Any]] = {}
        self.cdn: dict[str, bytes] = {}
        self.on_thread_created: Callable[[dict[str, Any]], None] | None = None
        self.delay: float = 0.0  # simulated Discord latency per request
        self.presences: list[dict[str, Any]] = []  # presence updates sent over the gateway

    def fail(self, when: Callable[[Call], bool], error: discord.HTTPException) -> None:
        """Make the next request matching `when` raise `error`."""
        self.failures.append((when, error))

    async def record(self, call: Call) -> None:
        self.calls.append(call)
        if self.delay:
            await asyncio.sleep(self.delay)
        for i, (when, error) in enumerate(self.failures):
            if when(call):
                del self.failures[i]
                raise error


class RecordingGateway:
    """client.ws: the gateway socket, recording presence updates (the only thing the bot sends
    on it by itself). `open` is False so closing the bot does not try to close a socket."""

    open = False

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    async def change_presence(
        self,
        *,
        activity: discord.BaseActivity | None = None,
        status: str | None = None,
        since: float = 0.0,
    ) -> None:
        """Record the presence the bot asked for, as Discord would receive it."""
        self.recorder.presences.append(
            {"status": status, "activities": [activity.to_dict()] if activity else []}
        )


class RecordingHTTP(HTTPClient):
    """client.http: records every route and payload and answers with plausible JSON."""

    def __init__(self, loop: asyncio.AbstractEventLoop, recorder: Recorder) -> None:
        super().__init__(loop)
        self.recorder = recorder

    async def request(
        self, route: Route, *, files: Any = None, form: Any = None, **kwargs: Any
    ) -> Any:
        body = _body(kwargs.get("json"), form)
        channel_id = int(route.channel_id) if route.channel_id else None
        call = Call(
            route.method, route.path, route.url, body, [f.filename for f in files or []], channel_id
        )
        await self.recorder.record(call)
        call.response = self._answer(call, route)
        return call.response

    def _answer(self, call: Call, route: Route) -> Any:
        key = (call.method, call.path)
        if key == ("POST", "/channels/{channel_id}/threads"):
            assert call.channel_id is not None and call.payload is not None
            data = p.thread(
                p.snowflake(), call.channel_id, call.payload["name"], call.payload["type"]
            )
            self.recorder.threads[int(data["id"])] = data
            if self.recorder.on_thread_created:
                self.recorder.on_thread_created(data)
            return data
        if key == ("POST", "/channels/{channel_id}/messages"):
            assert call.channel_id is not None
            return _message_reply(call.channel_id, call.payload or {}, call.files)
        if key == ("GET", "/channels/{channel_id}"):
            assert call.channel_id is not None
            return self.recorder.threads.get(call.channel_id) or p.text_channel(call.channel_id)
        if call.path.startswith("/applications/{application_id}") and call.method == "PUT":
            return [
                dict(cmd, id=str(p.snowflake()), application_id=str(p.APP_ID), version="1")
                for cmd in call.payload or []
            ]
        return None

    async def get_from_cdn(self, url: str) -> bytes:
        """Attachment downloads come from the recorder's CDN, never the network."""
        call = Call("GET", "cdn", url, None)
        await self.recorder.record(call)
        try:
            return self.recorder.cdn[url]
        except KeyError:
            raise discord_error(404, 0, "Not Found") from None


def _message_reply(channel_id: int, body: dict[str, Any], files: list[str]) -> dict[str, Any]:
    attachments = [
        dict(p.attachment(name, 1000), content_type="application/octet-stream") for name in files
    ]
    reply = p.message(
        channel_id,
        p.BOT_ID,
        body.get("content") or "",
        embeds=body.get("embeds"),
        attachments=attachments,
        flags=body.get("flags", 0),
    )
    reply["components"] = body.get("components", [])  # buttons and selects, as Discord keeps them
    return reply


class RecordingWebhook(AsyncWebhookAdapter):
    """The adapter behind interaction.response / interaction.followup."""

    def __init__(self, recorder: Recorder) -> None:
        super().__init__()
        self.recorder = recorder

    async def request(
        self,
        route: Route,
        session: Any,
        *,
        payload: dict[str, Any] | None = None,
        multipart: Any = None,
        files: Any = None,
        **kwargs: Any,
    ) -> Any:
        body = _body(payload, multipart)
        call = Call(route.method, route.path, route.url, body, [f.filename for f in files or []])
        await self.recorder.record(call)
        if call.path.endswith("/callback"):
            flags = ((body or {}).get("data") or {}).get("flags", 0)
            # defer() needs this "interaction" body to know the response was accepted.
            return {
                "interaction": {
                    "id": str(route.webhook_id),
                    "type": 2,
                    "response_message_loading": (body or {}).get("type") == 5,
                    "response_message_ephemeral": bool(flags & EPHEMERAL),
                }
            }
        if call.method == "DELETE":
            return None
        call.response = _message_reply(p.PRACTICE_CHANNEL_ID, body or {}, call.files)
        call.response["components"] = (body or {}).get("components", [])
        return call.response
