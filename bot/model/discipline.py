"""Output discipline: turn a raw generation into one clean visitor utterance, or reject it.

Pure text processing (no model imports) so every backend shares it and tests stay instant.
Cleaning removes what can be removed safely (labels, stage directions, markdown, mentions);
anything that would need guessing (a URL, AI talk, the officer's voice) rejects the output.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from bot.model import patterns as P

MAX_SENTENCES = 3
REPEATS = "repeats an earlier line"
MAX_WORDS = 60


@dataclass(frozen=True)
class Context:
    """What the checks need to know about the turn being generated."""

    visitor_name: str
    officer_line: str = ""
    previous: frozenset[str] = frozenset()  # visitor lines already said this session


@dataclass(frozen=True)
class Verdict:
    """A cleaned utterance, or None with the reason it was rejected."""

    text: str | None
    reason: str = ""

    @property
    def ok(self) -> bool:
        """Whether the generation produced a usable line."""
        return self.text is not None


class Rejected(ValueError):
    """A generation that cannot be turned into an in-character line."""


def clean(raw: str, ctx: Context) -> Verdict:
    """One in-character utterance of 1-3 sentences from a raw generation, or a rejection."""
    try:
        return Verdict(_clean(raw, ctx))
    except Rejected as exc:
        return Verdict(None, str(exc))


def clean_utterance(
    raw: str, visitor_name: str, officer_line: str = "", previous: Iterable[str] = ()
) -> str | None:
    """Shorthand for clean(): the utterance or None."""
    return clean(raw, Context(visitor_name, officer_line, frozenset(previous))).text


def _clean(raw: str, ctx: Context) -> str:
    text = _normalise(raw)
    text = P.TURN_END.split(text, maxsplit=1)[0]
    if P.CODE_FENCE.search(text):
        raise Rejected("code block")
    if P.MD_LINK.search(text) or P.URL.search(text):
        raise Rejected("url")
    text = _neutralise_mentions(text)
    text = _first_turn(text, ctx.visitor_name)
    text = _strip_markup(text)
    text = _cut_inline_turn(text, ctx.visitor_name)
    text = P.SPACES.sub(" ", text).strip()
    text = _unquote(text)
    _check_content(text, ctx)
    sentences = _drop_echoes(split_sentences(text), ctx.officer_line)
    text = _limit(sentences)
    if officer_voice(text, ctx.visitor_name):
        raise Rejected("officer's voice")
    if line_key(text) in {line_key(line) for line in ctx.previous}:
        raise Rejected(REPEATS)
    return text


def _normalise(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw or "")
    text = P.INVISIBLE.sub("", text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _first_turn(text: str, name: str) -> str:
    """The first speaker turn: up to a blank line or the next labelled line."""
    own = P.own_label(name)
    kept: list[str] = []
    for line in text.split("\n"):
        stripped = P.EMPHASIS_MARKS.sub("", line).strip()
        if not stripped:
            if kept:
                break
            continue
        if kept and P.any_label(stripped):
            break
        if not kept:
            stripped = own.sub("", stripped, count=1).strip()
            if P.any_label(stripped) and not own.match(stripped):
                raise Rejected("starts as another speaker")
        kept.append(stripped)
    return " ".join(kept)


def _cut_inline_turn(text: str, name: str) -> str:
    """Cut where another speaker's label starts mid-line ('... now. Officer: Sir, ...')."""
    match = P.inline_label(name).search(text)
    return text[: match.start()] if match else text


def _strip_markup(text: str) -> str:
    for pattern in P.STAGE_DIRECTIONS:
        text = pattern.sub(" ", text)
    text = P.LINE_MARKUP.sub("", text)
    text = P.EMPHASIS_MARKS.sub("", text)
    text = P.UNDERSCORE_EMPHASIS.sub(r"\1", text)
    return P.STRAY_MARKUP.sub("", text)


def _neutralise_mentions(text: str) -> str:
    text = P.DISCORD_TAG.sub("", text)
    text = P.MASS_MENTION.sub(lambda m: m.group(1), text)
    text = P.USER_MENTION.sub(lambda m: m.group(1).replace("_", " "), text)
    return text.replace("@", "")


def _unquote(text: str) -> str:
    quotes = "\"'“”‘’"
    while len(text) > 1 and text[0] in quotes and text[-1] in quotes:
        text = text[1:-1].strip()
    if text.count('"') == 1:
        text = text.replace('"', "")
    return text.strip()


def _check_content(text: str, ctx: Context) -> None:
    letters = sum(ch.isalpha() for ch in text)
    visible = sum(not ch.isspace() for ch in text)
    if letters == 0:
        raise Rejected("empty")
    if letters / visible < 0.6:
        raise Rejected("not words")
    if P.REPEATED_WORD.search(text):
        raise Rejected("repetition loop")
    if P.META.search(text):
        raise Rejected("talks about being an AI or about instructions")
    bait = P.adopted_identity(ctx.officer_line, text)
    if bait:
        raise Rejected(f"took on the identity '{bait}' the officer asked for")


def officer_voice(text: str, visitor_name: str) -> bool:
    """Whether a line sounds like the officer: addresses the visitor by name, officer phrases."""
    return bool(P.OFFICER_PHRASES.search(text) or P.vocative(visitor_name).search(text))


def has_leak(text: str, visitor_name: str) -> bool:
    """Whether a final line still carries a role label, markup, a mention, a URL or AI talk."""
    return bool(
        P.any_label(text)
        or P.inline_label(visitor_name).search(text)
        or P.URL.search(text)
        or P.META.search(text)
        or any(ch in text for ch in "@*#`[]<>|~_")
        or officer_voice(text, visitor_name)
    )


def split_sentences(text: str) -> list[str]:
    """Sentences of a line (a final fragment without end punctuation is its own item)."""
    sentences, start = [], 0
    for match in P.SENTENCE_BREAK.finditer(text):
        words = text[start : match.end()].split()
        if words and words[-1].lower() in P.ABBREVIATIONS:
            continue  # "Mr. Patel", "2 a.m. and" do not end a sentence
        sentences.append(text[start : match.end()].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def _drop_echoes(sentences: list[str], officer_line: str) -> list[str]:
    if not officer_line:
        return sentences
    officer = line_key(officer_line)
    officer_words = set(officer.split())
    kept = []
    for sentence in sentences:
        words = line_key(sentence).split()
        overlap = len(set(words) & officer_words) / max(len(set(words)), 1)
        if len(words) >= 4 and (" ".join(words) in officer or overlap >= 0.8):
            continue  # the officer's words handed back as if the visitor said them
        kept.append(sentence)
    if not kept:
        raise Rejected("only echoes the officer")
    return kept


def _limit(sentences: list[str]) -> str:
    kept = sentences[:MAX_SENTENCES]
    if not P.ENDS_SENTENCE.search(kept[-1]):
        if len(kept) > 1:
            kept = kept[:-1]  # generation stopped mid-sentence: drop the unfinished part
        else:
            kept = [_finish(kept[0])]
    while len(kept) > 1 and len(" ".join(kept).split()) > MAX_WORDS:
        kept = kept[:-1]
    text = " ".join(kept)
    if len(text.split()) > MAX_WORDS:
        raise Rejected("too long")
    return text


def _finish(fragment: str) -> str:
    words = fragment.rstrip(" ,;:-").split()
    while words and words[-1].lower().strip(",;:-") in P.DANGLING:
        words.pop()
    if len(words) < 3:
        raise Rejected("unfinished sentence")
    return " ".join(words).rstrip(",;:-") + "."


def line_key(text: str) -> str:
    """A line reduced to lowercase words, for comparing lines regardless of punctuation."""
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))
