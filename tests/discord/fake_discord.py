"""Discord's REST API and gateway behind aiohttp, as far as Cooldown uses them.

The whole discord.py client runs on top: logging in, rate-limit and retry handling, the gateway
handshake, heartbeats, RESUME after a dropped connection. Only aiohttp's `_request` and
`_ws_connect` are replaced, so a DNS failure, a 401, a gateway close code or a lost answer reaches
the bot exactly as it would from the real Discord. Used by tests/discord/test_service.py and,
in a child process, by tests/discord/offline_bot.py.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import discord
import yarl
from aiohttp.client_reqrep import ConnectionKey
from multidict import CIMultiDict

from tests.discord import payloads as p

BOT_ROLE_ID = 300000000000000009
TOKEN = "MTAxMjM0NTY3ODkwMTIzNDU2.GaBcDe.secret-token-value-0123456789abcdef"
MESSAGE_CONTENT = 1 << 15  # the privileged intent, as sent in IDENTIFY
APP_FLAG_MESSAGE_CONTENT = 1 << 19  # GATEWAY_MESSAGE_CONTENT_LIMITED on the application

Patch = Callable[[Any, str, Any], None]  # monkeypatch.setattr or setattr


@dataclass
class Request:
    """One HTTP request the bot made."""

    method: str
    path: str  # without /api/v10
    body: Any
    authorization: str = ""
    query: dict[str, str] = field(default_factory=dict)
    attempt_failed: bool = False


@dataclass
class Failure:
    """Make the next request matching `when` fail; `after=True` does the work first, the way an
    answer lost on the way back looks to the bot."""

    when: Callable[[Request], bool]
    error: BaseException
    after: bool = False


@dataclass
class FakeResponse:
    """Enough of aiohttp.ClientResponse for discord.py."""

    status: int
    body: Any = None
    reason: str = "OK"
    headers: CIMultiDict[str] = field(default_factory=CIMultiDict)

    def __post_init__(self) -> None:
        if self.body is not None:
            self.headers["Content-Type"] = "application/json"

    async def text(self, encoding: str = "utf-8") -> str:
        return "" if self.body is None else json.dumps(self.body)

    async def read(self) -> bytes:
        return (await self.text()).encode()

    async def __aenter__(self) -> FakeResponse:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    def release(self) -> None:
        return None

    async def wait_for_close(self) -> None:
        return None


def unreachable_error(host: str = "discord.com") -> aiohttp.ClientConnectorDNSError:
    """What aiohttp raises when DNS cannot resolve Discord (an outage, a firewall, no network)."""
    key = ConnectionKey(host, 443, True, True, None, None, None)  # type: ignore[call-arg]
    return aiohttp.ClientConnectorDNSError(key, OSError(-2, "Name or service not known"))


class FakeGatewaySocket:
    """One gateway websocket, as aiohttp's ClientWebSocketResponse looks to discord.py."""

    def __init__(self, discord_: FakeDiscord) -> None:
        self.discord = discord_
        self.inbox: asyncio.Queue[aiohttp.WSMessage] = asyncio.Queue()
        self.closed = False
        self.close_code: int | None = None
        self.identified = False
        self.push({"op": 10, "d": {"heartbeat_interval": 41250}})  # HELLO

    def push(self, payload: dict[str, Any]) -> None:
        """Send a gateway payload to the bot."""
        self.inbox.put_nowait(aiohttp.WSMessage(aiohttp.WSMsgType.TEXT, json.dumps(payload), None))

    async def receive(self, timeout: float | None = None) -> aiohttp.WSMessage:
        if self.closed and self.inbox.empty():
            return aiohttp.WSMessage(aiohttp.WSMsgType.CLOSED, None, None)
        return await asyncio.wait_for(self.inbox.get(), timeout)

    async def send_str(self, data: str, compress: int | None = None) -> None:
        if self.closed:
            raise RuntimeError("websocket is closed")  # what aiohttp raises
        self.discord.received(self, json.loads(data))

    async def close(self, *, code: int = 1000, message: bytes = b"") -> bool:
        if self.close_code is None:
            self.close_code = code
        self.closed = True
        self.inbox.put_nowait(aiohttp.WSMessage(aiohttp.WSMsgType.CLOSED, None, None))
        return True

    def drop(self, code: int) -> None:
        """Discord closes the connection with this code."""
        self.close_code = code
        self.closed = True
        self.inbox.put_nowait(aiohttp.WSMessage(aiohttp.WSMsgType.CLOSE, code, ""))


class FakeDiscord:
    """The API and the gateway; tests set what Discord thinks and read what the bot did."""

    def __init__(self) -> None:
        self.token = TOKEN  # the token Discord accepts
        self.unreachable = 0  # requests (and gateway connections) that fail with a DNS error
        self.message_content_enabled = True
        self.bot_permissions = p.BOT_PERMISSIONS
        self.requests: list[Request] = []
        self.failures: list[Failure] = []
        self.messages: list[dict[str, Any]] = []  # what the bot posted
        self.said: list[dict[str, Any]] = []  # what people wrote (MESSAGE_CREATE by say())
        self.threads: dict[int, dict[str, Any]] = {}
        self.sockets: list[FakeGatewaySocket] = []
        self.identifies = 0
        self.resumes = 0
        self.on_message_posted: Callable[[dict[str, Any]], None] | None = None
        self.on_ready: Callable[[], None] | None = None
        self._events: list[tuple[int, str, Any]] = []
        self._seq = 0
        self._nonces: dict[str, dict[str, Any]] = {}
        self._sessions = itertools.count(1)
        self.session_id = ""

    # --- installing ----------------------------------------------------------------------

    def install(self, patch: Patch) -> None:
        """Put this fake behind every aiohttp session (and keep discord.py's ready wait short)."""
        fake = self

        async def request(session: aiohttp.ClientSession, method: str, url: Any, **kw: Any) -> Any:
            url = yarl.URL(str(url)).update_query(kw.get("params") or {})
            return await fake.http(method, str(url), kw.get("data"), kw.get("headers") or {})

        async def ws_connect(session: aiohttp.ClientSession, url: Any, **kw: Any) -> Any:
            return fake.connect_gateway()

        patch(aiohttp.ClientSession, "_request", request)
        patch(aiohttp.ClientSession, "_ws_connect", ws_connect)
        original = discord.state.ConnectionState.__init__

        def state_init(self: discord.state.ConnectionState, *args: Any, **kw: Any) -> None:
            kw.setdefault("guild_ready_timeout", 0.05)  # the real default waits 2 s per start
            original(self, *args, **kw)

        patch(discord.state.ConnectionState, "__init__", state_init)

    # --- what tests look at -------------------------------------------------------------

    def posted(self, channel_id: int | None = None) -> list[dict[str, Any]]:
        """Messages created in channels (thread messages included), in order."""
        return [m for m in self.messages
                if channel_id is None or int(m["channel_id"]) == channel_id]  # fmt: skip

    def calls(self, method: str, pattern: str) -> list[Request]:
        """Requests whose path matches the regex."""
        return [r for r in self.requests if r.method == method and re.search(pattern, r.path)]

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        """Until `condition()` holds (checked between the bot's steps)."""
        end = asyncio.get_running_loop().time() + timeout
        while not condition():
            if asyncio.get_running_loop().time() > end:
                raise AssertionError("the bot never got there")
            await asyncio.sleep(0.01)

    # --- REST ----------------------------------------------------------------------------

    async def http(
        self, method: str, url: str, data: Any, headers: dict[str, str]
    ) -> FakeResponse:
        await asyncio.sleep(0)
        path = yarl.URL(url).path.removeprefix("/api/v10")
        request = Request(method, path, _body(data), headers.get("Authorization", ""),
                          query=dict(yarl.URL(url).query))  # fmt: skip
        self.requests.append(request)
        if self.unreachable > 0:
            self.unreachable -= 1
            raise unreachable_error()
        failure = next((f for f in self.failures if f.when(request)), None)
        if failure is not None:
            self.failures.remove(failure)
            request.attempt_failed = True
            if not failure.after:
                raise failure.error
        response = self._answer(request)
        if failure is not None:
            raise failure.error
        return response

    def _answer(self, r: Request) -> FakeResponse:
        needs_bot = r.path.startswith(("/users/@me", "/oauth2", "/channels", "/applications"))
        if needs_bot and r.authorization != f"Bot {self.token}":
            return FakeResponse(401, {"message": "401: Unauthorized", "code": 0}, "Unauthorized")
        if (r.method, r.path) == ("GET", "/users/@me"):
            return FakeResponse(200, p.user(p.BOT_ID))
        if (r.method, r.path) == ("GET", "/oauth2/applications/@me"):
            return FakeResponse(200, self.application())
        if (r.method, r.path) == ("GET", "/users/@me/guilds"):
            guild = {"id": str(p.GUILD_ID), "name": "Training", "icon": None, "owner": False,
                     "permissions": str(self.bot_permissions.value), "features": []}  # fmt: skip
            return FakeResponse(200, [guild])
        if (m := re.fullmatch(r"/channels/(\d+)/messages", r.path)) and r.method == "GET":
            return FakeResponse(200, self._history(int(m[1]), r.query))
        if m := re.fullmatch(r"/channels/(\d+)/messages", r.path):
            return FakeResponse(200, self._create_message(int(m[1]), r.body or {}))
        if m := re.fullmatch(r"/channels/(\d+)/threads", r.path):
            return FakeResponse(201, self._create_thread(int(m[1]), r.body or {}))
        if re.fullmatch(r"/channels/\d+/(typing|thread-members/\d+)", r.path):
            return FakeResponse(204)
        if (m := re.fullmatch(r"/channels/(\d+)", r.path)) and r.method == "GET":
            channel = self.threads.get(int(m[1])) or p.text_channel(int(m[1]))
            return FakeResponse(200, channel)
        if m := re.fullmatch(r"/interactions/(\d+)/[^/]+/callback", r.path):
            flags = ((r.body or {}).get("data") or {}).get("flags", 0)
            interaction = {"id": m[1], "type": 2,
                           "response_message_loading": (r.body or {}).get("type") == 5,
                           "response_message_ephemeral": bool(flags & 64)}  # fmt: skip
            return FakeResponse(200, {"interaction": interaction})
        if re.fullmatch(r"/webhooks/\d+/[^/]+(/messages/[^/]+)?", r.path):
            if r.method == "DELETE":
                return FakeResponse(204)
            body = r.body or {}
            content, embeds = body.get("content") or "", body.get("embeds")
            return FakeResponse(200, p.message(p.PRACTICE_CHANNEL_ID, p.BOT_ID, content,
                                               embeds=embeds))  # fmt: skip
        if re.fullmatch(r"/applications/\d+(/guilds/\d+)?/commands", r.path):
            return FakeResponse(200, [dict(c, id=str(p.snowflake()), application_id=str(p.APP_ID),
                                           version="1") for c in r.body or []])  # fmt: skip
        return FakeResponse(404, {"message": f"Unknown route {r.method} {r.path}", "code": 0},
                            "Not Found")  # fmt: skip

    def application(self) -> dict[str, Any]:
        """GET /oauth2/applications/@me."""
        flags = APP_FLAG_MESSAGE_CONTENT if self.message_content_enabled else 0
        return {"id": str(p.APP_ID), "name": "Cooldown", "icon": None, "description": "",
                "rpc_origins": [], "bot_public": False, "bot_require_code_grant": False,
                "owner": p.user(p.OWNER_ID), "summary": "", "verify_key": "0" * 64,
                "team": None, "flags": flags}  # fmt: skip

    def _create_message(self, channel_id: int, body: dict[str, Any]) -> dict[str, Any]:
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce") and nonce in self._nonces:
            return self._nonces[nonce]  # Discord's answer to a nonce it has seen: the same message
        message = p.message(channel_id, p.BOT_ID, body.get("content") or "",
                            embeds=body.get("embeds"))  # fmt: skip
        message["nonce"] = nonce
        if nonce is not None:
            self._nonces[nonce] = message
        self.messages.append(message)
        if self.on_message_posted is not None:
            self.on_message_posted(message)
        return message

    def _history(self, channel_id: int, query: dict[str, str]) -> list[dict[str, Any]]:
        """GET messages after an id: the oldest `limit` of them, newest first, as Discord does."""
        after, limit = int(query.get("after", 0)), int(query.get("limit", 50))
        found = [m for m in self.written if int(m["channel_id"]) == channel_id
                 and int(m["id"]) > after]  # fmt: skip
        found.sort(key=lambda m: int(m["id"]))
        return list(reversed(found[:limit]))

    @property
    def written(self) -> list[dict[str, Any]]:
        """Every message in every channel: the bot's and people's."""
        return self.messages + self.said

    def _create_thread(self, channel_id: int, body: dict[str, Any]) -> dict[str, Any]:
        thread = p.thread(p.snowflake(), channel_id, body["name"], body.get("type", 12))
        self.threads[int(thread["id"])] = thread
        self.dispatch("THREAD_CREATE", dict(thread, newly_created=True))
        return thread

    # --- gateway -------------------------------------------------------------------------

    def connect_gateway(self) -> FakeGatewaySocket:
        if self.unreachable > 0:
            self.unreachable -= 1
            raise unreachable_error("gateway.discord.gg")
        socket = FakeGatewaySocket(self)
        self.sockets.append(socket)
        return socket

    @property
    def socket(self) -> FakeGatewaySocket | None:
        """The open gateway connection that has identified or resumed, if any."""
        live = [s for s in self.sockets if not s.closed and s.identified]
        return live[-1] if live else None

    def received(self, socket: FakeGatewaySocket, payload: dict[str, Any]) -> None:
        op, data = payload.get("op"), payload.get("d")
        if op == 1:  # heartbeat
            socket.push({"op": 11})
        elif op == 2:  # IDENTIFY
            self.identifies += 1
            if data["token"] != self.token:
                socket.drop(4004)  # authentication failed
            elif data["intents"] & MESSAGE_CONTENT and not self.message_content_enabled:
                socket.drop(4014)  # disallowed intent
            else:
                self._ready(socket)
        elif op == 6:  # RESUME
            self.resumes += 1
            if data["session_id"] != self.session_id:
                socket.push({"op": 9, "d": False})  # INVALID_SESSION, not resumable
                return
            socket.identified = True
            for seq, event, body in self._events:
                if seq > (data["seq"] or 0):
                    socket.push({"op": 0, "t": event, "s": seq, "d": body})
            self._send(socket, "RESUMED", {})

    def _ready(self, socket: FakeGatewaySocket) -> None:
        socket.identified = True
        self._events.clear()
        self.session_id = f"fake-session-{next(self._sessions)}"
        self._send(socket, "READY", {
            "v": 10, "user": p.user(p.BOT_ID), "guilds": [{"id": str(p.GUILD_ID),
                                                          "unavailable": True}],
            "session_id": self.session_id, "resume_gateway_url": "wss://resume.fake.gg",
            "application": {"id": str(p.APP_ID), "flags": self.application()["flags"]},
        })  # fmt: skip
        self._send(socket, "GUILD_CREATE", self.guild())
        if self.on_ready is not None:
            self.on_ready()

    def guild(self) -> dict[str, Any]:
        """The training server, where the bot's own role carries `bot_permissions`."""
        guild = copy.deepcopy(p.guild())
        guild["roles"].append({"id": str(BOT_ROLE_ID), "name": "Cooldown", "position": 2,
                               "permissions": str(self.bot_permissions.value), "color": 0,
                               "hoist": False, "managed": True, "mentionable": False,
                               "flags": 0})  # fmt: skip
        guild["roles"][0]["permissions"] = "0"  # @everyone gives the bot nothing by itself
        guild["members"][0]["roles"] = [str(BOT_ROLE_ID)]
        guild["threads"] = list(self.threads.values())
        return guild

    def _send(self, socket: FakeGatewaySocket, event: str, data: Any) -> None:
        self._seq += 1
        self._events.append((self._seq, event, data))
        socket.push({"op": 0, "t": event, "s": self._seq, "d": data})

    def dispatch(self, event: str, data: Any) -> None:
        """A gateway event; kept for replay when no connection is up (Discord holds them)."""
        self._seq += 1
        self._events.append((self._seq, event, data))
        if self.socket is not None:
            self.socket.push({"op": 0, "t": event, "s": self._seq, "d": data})

    def drop_connection(self, code: int = 1001, *, resumable: bool = True) -> None:
        """Discord (or the network) drops the gateway connection; discord.py resumes it, or,
        when Discord no longer keeps the session, identifies anew (events meanwhile are lost)."""
        assert self.socket is not None, "no connection to drop"
        if not resumable:
            self.session_id = "expired"
        self.socket.drop(code)

    # --- what users do -------------------------------------------------------------------

    def slash(self, user_id: int, command: str, **options: Any) -> None:
        """Someone runs a slash command in #practice."""
        name, *sub = command.split()
        opts = [{"name": k, "type": 4 if isinstance(v, int) else 3, "value": v}
                for k, v in options.items()]  # fmt: skip
        for part in reversed(sub):
            opts = [{"type": 1, "name": part, "options": opts}]
        data = {"id": str(p.snowflake()), "name": name, "type": 1, "options": opts}
        self.dispatch("INTERACTION_CREATE",
                      p.interaction(2, data, user_id, p.text_channel(), self.bot_permissions))

    def say(self, user_id: int, channel_id: int, content: str) -> int:
        """Someone writes in a channel or thread; the message id."""
        message = p.message(channel_id, user_id, content)
        self.said.append(message)
        self.dispatch("MESSAGE_CREATE", message)
        return int(message["id"])


def _body(data: Any) -> Any:
    if data is None:
        return None
    if isinstance(data, bytes | str):
        try:
            return json.loads(data)
        except ValueError:
            return data
    if isinstance(data, aiohttp.FormData):
        for options, _headers, value in data._fields:
            if options.get("name") == "payload_json":
                return json.loads(value)
    return None
