"""Text people typed, shown in Discord exactly as typed: their markdown stays inert.

An officer's reply quoted in /review reaches a trainer; `[Click to verify your badge](https://...)`
in it rendered as a live masked link, and `# big` or `||spoiler||` restyled the transcript. The
bot only formats its own words; everything quoted from officers or the model goes through here.
"""

from __future__ import annotations

import re

import discord

_BRACKET = re.compile(r"(?<!\\)([\[\]<])")
_LINE_START = re.compile(r"^(\s*)(#{1,3}\s|-#\s|\d+\.\s)", re.MULTILINE)


def literal(text: str) -> str:
    """The text with every markdown character escaped: no links, headings, quotes or styling.

    Bare URLs stay as they are (Discord shows where they go); masked links, mentions, custom
    emoji and timestamps (all written with [ ] or < >) are shown as the characters typed.
    """
    escaped = discord.utils.escape_markdown(text or "")
    escaped = _BRACKET.sub(r"\\\1", escaped)
    return _LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", escaped)
