"""Discord's size limits, and trimming that keeps every message and embed inside them."""

from __future__ import annotations

import discord

CONTENT = 2000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR = 256
EMBED_TOTAL = 6000
EMBED_FIELDS = 25
ELLIPSIS = "…"

# One value for every send: the bot quotes officers and a model, so nothing it says may ping.
NO_PINGS = discord.AllowedMentions.none()


def clip(text: str, limit: int) -> str:
    """The text cut to at most `limit` characters, at a word boundary when one is near."""
    text = text or ""
    if len(text) <= limit:
        return text
    fence = "\n```"
    # Room for closing a code block: an unclosed ``` would swallow the rest of the message.
    room = max(0, limit - len(ELLIPSIS) - (len(fence) if "```" in text else 0))
    cut = text[:room]
    # Prefer a whole word unless that would throw away a fifth of the room.
    boundary = max(cut.rfind(" "), cut.rfind("\n"))
    if boundary >= len(cut) * 0.8:
        cut = cut[:boundary]
    cut = cut.rstrip() + ELLIPSIS
    return cut + fence if cut.count("```") % 2 else cut


def quote(text: str, limit: int) -> str:
    """The text as a Discord block quote, clipped to `limit` characters in all."""
    lines = (text or "").strip().splitlines() or [""]
    return clip("\n".join(f"> {line}" for line in lines), limit)


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """The embed with every part clipped to its limit and the total kept under 6000 characters."""
    if embed.title:
        embed.title = clip(embed.title, EMBED_TITLE)
    if embed.description:
        embed.description = clip(embed.description, EMBED_DESCRIPTION)
    fields = [(f.name or "", f.value or "", bool(f.inline)) for f in embed.fields][:EMBED_FIELDS]
    embed.clear_fields()
    for name, value, inline in fields:
        embed.add_field(name=clip(name, FIELD_NAME), value=clip(value, FIELD_VALUE), inline=inline)
    if embed.footer.text:
        embed.set_footer(text=clip(embed.footer.text, FOOTER), icon_url=embed.footer.icon_url)
    if embed.author.name:
        embed.set_author(
            name=clip(embed.author.name, AUTHOR),
            url=embed.author.url,
            icon_url=embed.author.icon_url,
        )
    # Over the total: drop trailing fields first (they hold the least important detail).
    while len(embed) > EMBED_TOTAL and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    if len(embed) > EMBED_TOTAL and embed.description:
        room = EMBED_TOTAL - (len(embed) - len(embed.description))
        embed.description = clip(embed.description, max(0, room))
    return embed
