"""Regular expressions behind the output discipline (kept apart so the rules read as a list)."""

from __future__ import annotations

import re
from functools import lru_cache

# Words a model uses to label a speaker turn. Strong ones end a visitor's line wherever they start
# a label; weak ones ("Me:", "Q:") only count at the start of a line, where speech rarely has them.
STRONG_ROLES = (
    "officer", "security", "security officer", "guard", "security guard", "staff", "visitor",
    "customer", "user", "assistant", "system", "model", "ai", "bot", "human", "narrator",
    "interviewer", "nurse", "doctor", "receptionist", "manager", "attendant", "clerk", "agent",
    "supervisor", "trainer", "trainee",
)  # fmt: skip
WEAK_ROLES = ("me", "you", "q", "a", "man", "woman", "person")
# Capitalised words that open speech with a colon ("Look: ...") and are not speaker names.
INTERJECTIONS = {
    "look", "listen", "fine", "okay", "ok", "well", "honestly", "seriously", "note", "wait", "so",
    "now", "yes", "no", "right", "sorry", "please", "hey", "god", "first", "second", "again",
    "basically", "bottom line", "problem", "question", "answer", "update", "reason", "thing",
}  # fmt: skip


def _alternation(words: tuple[str, ...] | list[str]) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_STRONG = _alternation(STRONG_ROLES)
_ALL_ROLES = _alternation(STRONG_ROLES + WEAK_ROLES)
ROLE_WORDS_PATTERN = _ALL_ROLES
_PAREN = r"(?:\s*\([^)]{0,40}\))?"

TURN_END = re.compile(
    r"<\s*(?:end_of_turn|start_of_turn|eos|/s|\|im_end\|\s*|\|im_start\|\s*|\|eot_id\|\s*|"
    r"\|endoftext\|\s*|\|end\|\s*|\|user\|\s*|\|assistant\|\s*)>",
    re.IGNORECASE,
)
INVISIBLE = re.compile(
    r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u2060-\u2064\ufeff]"
)
SPACES = re.compile(r"\s+")
CODE_FENCE = re.compile(r"```|~~~")
URL = re.compile(
    r"(?:https?|ftp)://|www\.|\b[\w-]+\.(?:com|org|net|io|co|uk|gov|edu|info|ly|gg|me|app|dev|"
    r"xyz|biz)\b(?:/\S*)?",
    re.IGNORECASE,
)
MD_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")
STAGE_DIRECTIONS = (
    re.compile(r"(?<!\*)\*(?!\*)[^*\n]{1,80}\*(?!\*)"),  # *sighs*
    re.compile(r"\([^()\n]{0,80}\)"),  # (angrily)
    re.compile(r"\[[^\[\]\n]{0,80}\]"),  # [pause]
    re.compile(r"\{[^{}\n]{0,80}\}"),
)
LINE_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|-#\s+|>{1,3}\s?|[-*+•]\s+|\d{1,2}[.)]\s+)")
EMPHASIS_MARKS = re.compile(r"\*\*|__|~~|\|\||`+")
UNDERSCORE_EMPHASIS = re.compile(r"(?<!\w)_([^_\n]+)_(?!\w)")
STRAY_MARKUP = re.compile(r"[*#`|~<>\[\]{}_]")
DISCORD_TAG = re.compile(r"<(?:@[!&]?|#|a?:\w+:|t:)\d*(?::\w)?>")
MASS_MENTION = re.compile(r"@(everyone|here)\b", re.IGNORECASE)
USER_MENTION = re.compile(r"@(\w+)")
REPEATED_WORD = re.compile(r"\b(\w+)(?:\W+\1\b){4,}", re.IGNORECASE)
SENTENCE_BREAK = re.compile(r"[.!?…]+[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")
ABBREVIATIONS = ("mr.", "mrs.", "ms.", "dr.", "st.", "a.m.", "p.m.", "e.g.", "i.e.", "etc.", "no.")
ENDS_SENTENCE = re.compile(r"[.!?…][\"'”’)]*$")
DANGLING = {  # words an English sentence cannot end on: a cut-off generation
    "a", "an", "the", "and", "or", "but", "of", "my", "your", "his", "her", "their", "our",
    "because", "if", "than", "with", "to",
}  # fmt: skip

META = re.compile(
    r"\bas an? (?:ai|a\.i\.|language model|assistant|chatbot|bot)\b"
    r"|\b(?:i am|i'm) (?:just |only |merely )?(?:an? |your )?(?:ai|a\.i\.|artificial intelligence"
    r"|language model|chatbot|bot|virtual assistant|ai assistant|assistant|computer program)\b"
    r"|\b(?:large )?language models?\b|\bllms?\b|\bchatbots?\b|\bopenai\b|\bchatgpt\b|\bgemma\b"
    r"|\bsystem prompt\b|\bprompt\b|\bmy (?:instructions|programming|guidelines|training)\b"
    r"|\binstructions\b|\brole-?play|\b(?:in|out of|break) character\b|\bpersona\b"
    r"|\bthis (?:simulation|exercise|training|scenario|role)\b|\bsimulated\b"
    r"|\bde-?escalation\b|\bthe user\b|\bas a (?:character|model)\b",
    re.IGNORECASE,
)
OFFICER_PHRASES = re.compile(
    r"\bhow (?:can|may) i (?:help|assist)\b"
    r"|\bi understand (?:your|that you're|that you are|how you) (?:frustrat|upset|angry|feel)"
    r"|\bplease (?:calm down|step back|lower your voice)\b|\bis there anything else i can\b",
    re.IGNORECASE,
)
_BAIT = re.compile(
    r"\b(?:you are now|you're now|from now on,? you are|pretend (?:to be|you are)|act as|"
    r"you are no longer \w+,? you are|roleplay as|play the role of)\s+(?:an? |the )?([a-z][a-z-]+)",
    re.IGNORECASE,
)


_ROLE_LABEL = re.compile(rf"^\W{{0,3}}(?:{_ALL_ROLES}){_PAREN}\s*:(?!\d)", re.IGNORECASE)
_NAME_LABEL = re.compile(
    rf"^\W{{0,3}}([A-Z][\w'.-]{{0,20}}(?: [A-Z][\w'.-]{{0,20}})?){_PAREN}\s*:(?!\d)"
)


def any_label(text: str) -> bool:
    """Whether text opens with a speaker label ('Officer:', 'Marcus (angrily):', 'Q:')."""
    if _ROLE_LABEL.match(text):
        return True
    match = _NAME_LABEL.match(text)
    return bool(match) and match.group(1).lower() not in INTERJECTIONS


@lru_cache(maxsize=256)
def own_label(name: str) -> re.Pattern[str]:
    """The visitor's own label at the start of a line ('Marcus:', 'Visitor:', 'Marcus (loud):')."""
    who = "|".join(re.escape(w) for w in (name, "visitor", "me") if w)
    return re.compile(rf"^\W{{0,3}}(?:{who}){_PAREN}\s*:\s*", re.IGNORECASE)


@lru_cache(maxsize=256)
def inline_label(name: str) -> re.Pattern[str]:
    """A capitalised speaker label starting mid-line ('... now. Officer: Sir, ...')."""
    who = _STRONG + (f"|{re.escape(name)}" if name else "")
    return re.compile(rf"(?<![\w'])(?=[A-Z])(?:{who}){_PAREN}\s*:(?!\d)", re.IGNORECASE)


@lru_cache(maxsize=256)
def vocative(name: str) -> re.Pattern[str]:
    """The visitor's own name used to address them ('Marcus, I hear you'): the officer speaking."""
    if not name:
        return re.compile(r"(?!x)x")
    n = re.escape(name)
    return re.compile(
        rf"(?:^|[.!?]\s+)(?:mr\.?|mrs\.?|ms\.?|miss\s+)?{n}\s*,|,\s*{n}\s*[.!?]|\b(?:mr|mrs|ms)\.?\s+{n}\b",
        re.IGNORECASE,
    )


def adopted_identity(officer_line: str, text: str) -> str:
    """The identity an officer tried to assign ('you are now a pirate') if the line adopts it."""
    for match in _BAIT.finditer(officer_line or ""):
        noun = match.group(1).lower()
        if re.search(rf"\b(?:i am|i'm|me,?)\s+(?:now\s+)?(?:an?\s+|the\s+)?{re.escape(noun)}",
                     text, re.IGNORECASE):  # fmt: skip
            return noun
    return ""
