"""Drive the Cooldown bot through real discord.py objects with both network layers recorded.

`client.http` is replaced by RecordingHTTP and the webhook adapter behind interaction responses
by RecordingWebhook (tests/discord/recorder.py); nothing touches the network. Slash commands go
through `bot.tree._call`, messages through `parse_message_create`, buttons and modals through
`parse_interaction_create`. Used by tests/discord and bench/discord.py.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import discord
from discord.webhook.async_ import async_context

from bot.discord.app import CooldownBot
from bot.runtime import App
from bot.settings import Settings
from tests.discord import payloads as p
from tests.discord.recorder import (
    Call,
    Recorder,
    RecordingGateway,
    RecordingHTTP,
    RecordingWebhook,
    discord_error,
)

__all__ = ["Call", "Harness", "Recorder", "Upload", "UserOption", "discord_error", "start_bot"]

# Tasks discord.py names when it dispatches an event or a UI interaction (timeouts are unnamed).
DISPATCH_TASKS = (
    "discord.py:",
    "discord-ui-modal-dispatch",
    "discord-ui-view-dispatch",
    "discord-ui-dynamic-item",
)


@dataclass
class Upload:
    """An attachment option for a slash command."""

    filename: str
    data: bytes


@dataclass
class UserOption:
    """A user/member option for a slash command."""

    user_id: int


class Harness:
    """A started CooldownBot plus the recorders; slash commands and messages in, calls out."""

    def __init__(self, bot: CooldownBot, recorder: Recorder, webhook: RecordingWebhook) -> None:
        self.bot, self.recorder, self.webhook = bot, recorder, webhook
        self.app_permissions = p.BOT_PERMISSIONS

    @property
    def calls(self) -> list[Call]:
        """Every request so far, in order."""
        return self.recorder.calls

    def messages(self, channel_id: int | None = None) -> list[Call]:
        """Messages the bot posted in channels (not interaction responses)."""
        return [
            c
            for c in self.calls
            if c.method == "POST"
            and c.path == "/channels/{channel_id}/messages"
            and (channel_id is None or c.channel_id == channel_id)
        ]

    def responses(self) -> list[Call]:
        """Interaction responses and follow-ups (anything with a message body)."""
        return [c for c in self.calls if "webhook" in c.path or c.path.endswith("/callback")]

    def sent(self) -> list[Call]:
        """Every call that carried a message the bot said."""
        return [c for c in self.calls if c.message is not None]

    def assert_no_pings(self) -> None:
        """Every message the bot sent carried allowed_mentions that ping nobody."""
        for call in self.sent():
            mentions = (call.message or {}).get("allowed_mentions")
            assert mentions is not None, f"no allowed_mentions on {call.method} {call.path}"
            assert mentions.get("parse") == [], (call.path, mentions)
            assert not mentions.get("users") and not mentions.get("roles"), mentions
            assert not mentions.get("replied_user", False), mentions

    def threads(self) -> list[dict[str, Any]]:
        """Threads the bot created."""
        return list(self.recorder.threads.values())

    def _channel_payload(self, channel_id: int) -> dict[str, Any]:
        if channel_id in self.recorder.threads:
            return self.recorder.threads[channel_id]
        return p.text_channel(channel_id)

    async def slash(
        self,
        command: str,
        user_id: int,
        *,
        channel_id: int = p.PRACTICE_CHANNEL_ID,
        focused: str | None = None,
        settle: bool = True,
        **options: Any,
    ) -> discord.Interaction:
        """Run a slash command ("practice start") as this user, to completion."""
        name, *sub = command.split()
        resolved: dict[str, Any] = {}
        opts = [self._option(k, v, resolved, focused) for k, v in options.items() if v is not None]
        for part in reversed(sub):
            opts = [{"type": 1, "name": part, "options": opts}]
        data: dict[str, Any] = {"id": str(p.snowflake()), "name": name, "type": 1, "options": opts}
        if resolved:
            data["resolved"] = resolved
        kind = 4 if focused else 2
        payload = p.interaction(
            kind, data, user_id, self._channel_payload(channel_id), self.app_permissions
        )
        async_context.set(self.webhook)
        interaction = discord.Interaction(data=payload, state=self.bot._connection)  # type: ignore[arg-type]
        await self.bot.tree._call(interaction)
        if settle:
            await self.settle()
        return interaction

    def _option(
        self, name: str, value: Any, resolved: dict[str, Any], focused: str | None
    ) -> dict[str, Any]:
        option: dict[str, Any] = {"name": name}
        if isinstance(value, UserOption):
            option.update(type=6, value=str(value.user_id))
            resolved.setdefault("users", {})[str(value.user_id)] = p.user(value.user_id)
            resolved.setdefault("members", {})[str(value.user_id)] = p.member(
                value.user_id, with_user=False
            )
        elif isinstance(value, Upload):
            data = p.attachment(value.filename, len(value.data))
            self.recorder.cdn[data["url"]] = value.data
            option.update(type=11, value=data["id"])
            resolved.setdefault("attachments", {})[data["id"]] = data
        elif isinstance(value, bool):
            option.update(type=5, value=value)
        elif isinstance(value, int):
            option.update(type=4, value=value)
        else:
            option.update(type=3, value=str(value))
        if focused == name:
            option["focused"] = True
        return option

    async def submit_modal(self, user_id: int, values: dict[str, str]) -> None:
        """Submit the modal the bot last opened, filling text inputs by their label text."""
        opened = [c for c in self.calls if c.path.endswith("/callback") and c.payload["type"] == 9]
        modal = opened[-1].payload["data"]
        components = []
        for row in modal["components"]:
            label, inner = row.get("label"), row.get("component")
            components.append(
                {
                    "type": 18,
                    "id": row.get("id", 0),
                    "component": {
                        "type": 4,
                        "custom_id": inner["custom_id"],
                        "value": values[label],
                    },
                }
            )
        data = {"custom_id": modal["custom_id"], "components": components}
        payload = p.interaction(
            5, data, user_id, self._channel_payload(p.PRACTICE_CHANNEL_ID), self.app_permissions
        )
        async_context.set(self.webhook)
        self.bot._connection.parse_interaction_create(payload)
        await self.settle()

    async def click(
        self, user_id: int, message: Call, label: str, *, channel_id: int | None = None
    ) -> None:
        """Press the button with this label on a message the bot sent."""
        sent = message.response
        button = next(
            b for row in sent["components"] for b in row["components"] if b.get("label") == label
        )
        await self._component(user_id, sent, {"custom_id": button["custom_id"],
                                               "component_type": 2}, channel_id)  # fmt: skip

    async def choose(
        self, user_id: int, message: Call, values: list[str], *, channel_id: int | None = None
    ) -> None:
        """Pick these values in the (first) select menu of a message the bot sent."""
        sent = message.response
        select = next(
            c for row in sent["components"] for c in row["components"] if c.get("type") == 3
        )
        data = {"custom_id": select["custom_id"], "component_type": 3, "values": values}
        await self._component(user_id, sent, data, channel_id)

    async def _component(
        self, user_id: int, sent: dict[str, Any], data: dict[str, Any], channel_id: int | None
    ) -> None:
        channel = self._channel_payload(channel_id or int(sent["channel_id"]))
        payload = p.interaction(3, data, user_id, channel, self.app_permissions)
        payload["message"] = sent
        async_context.set(self.webhook)
        self.bot._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
        await self.settle()

    async def say(self, user_id: int, channel_id: int, content: str, *, settle: bool = True) -> int:
        """Someone writes a message in a channel or thread; waits for the bot unless told not to.

        Returns the message id (the bot's answer references it).
        """
        data = p.message(channel_id, user_id, content)
        self.bot._connection.parse_message_create(data)  # type: ignore[arg-type]
        if settle:
            await self.settle()
        return int(data["id"])

    async def settle(self) -> None:
        """Wait until every event handler and UI task the message or command started is done."""
        current = asyncio.current_task()
        while True:
            pending = [
                t
                for t in asyncio.all_tasks()
                if t is not current and not t.done() and t.get_name().startswith(DISPATCH_TASKS)
            ]
            if not pending:
                return
            await asyncio.wait(pending)

    def thread_created(self, data: dict[str, Any]) -> None:
        """Discord sends THREAD_CREATE to the bot for a thread it made."""
        self.bot._connection.parse_thread_create(data)  # type: ignore[arg-type]

    async def close(self) -> None:
        """Stop the bot (the store is the caller's)."""
        await self.settle()
        await self.bot.close()


async def start_bot(
    settings: Settings,
    app: App,
    recorder: Recorder | None = None,
    **bot_options: Any,
) -> Harness:
    """A CooldownBot that went through setup_hook against the recorders, in the training server."""
    recorder = recorder or Recorder()
    bot = CooldownBot(settings, app, **bot_options)
    await bot._async_setup_hook()  # gives the client its loop, as login() would
    http = RecordingHTTP(bot.loop, recorder)
    bot.http = http
    bot._connection.http = http
    bot.tree._http = http  # the tree keeps its own reference for syncing
    bot.ws = RecordingGateway(recorder)  # type: ignore[assignment]
    bot._connection.user = discord.ClientUser(state=bot._connection, data=p.user(p.BOT_ID))
    bot._connection.application_id = p.APP_ID
    bot.owner_id = p.OWNER_ID
    bot._connection._add_guild_from_data(p.guild())  # type: ignore[arg-type]
    webhook = RecordingWebhook(recorder)
    async_context.set(webhook)
    harness = Harness(bot, recorder, webhook)
    recorder.on_thread_created = harness.thread_created
    await bot.setup_hook()
    await harness.settle()
    return harness
