"""Text people typed, made safe to keep and to show: no escape sequences, controls or surrogates.

Officers type into a terminal or Discord, and either can hand over bytes no one meant as words:
a NUL, an ANSI escape sequence (clear the screen, set the window title), or bytes that were not
UTF-8 (Python keeps them as lone surrogates, which then fail in the tokenizer, in SQLite and
on output). Input is cleaned once where a reply enters the engine; anything shown in a terminal
is cleaned again on the way out, since it may have been stored before this existed.
"""

from __future__ import annotations

import re

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), and other two-byte ESC sequences; the
# 8-bit CSI/OSC introducers (U+009B, U+009D) too.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?"
    r"|\x1b[@-Z\\-_]?"
)
# C0 and C1 control characters except tab and newline; DEL too.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def clean_typed(text: str) -> str:
    """The text without escape sequences or control characters; undecodable bytes become U+FFFD.

    Carriage returns become newlines, so Windows line ends and pasted text read the same.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = _CONTROL.sub("", text)
    return _SURROGATE.sub(REPLACEMENT, text)


def for_terminal(text: str) -> str:
    """Text that cannot drive the terminal it is printed on (same cleaning as clean_typed)."""
    return clean_typed(text)
