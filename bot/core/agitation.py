"""How the visitor's agitation (0-10) moves after each officer reply."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.core.moves import Move
from bot.core.persona import Persona
from bot.core.reading import Reading
from bot.core.scores import RubricScore

MIN_AGITATION, MAX_AGITATION = 0, 10
RESOLVED_AT = 2  # at or below: the visitor is calm enough that the situation is resolved
ESCALATED_AT = MAX_AGITATION

CueMatcher = Callable[[str, Sequence[str]], list[str]]

_STOP = set(
    """a an the to of and or for in on at by with from about into over be being been is are was
    were it its this that these those his her their your my our me him them you he she they we i
    not no without who whom what when where why how than then too very just any some all can will
    would should could do does did has have had told tell telling saying says said""".split()
)
_WORD = re.compile(r"[a-z']+")


def _stem(word: str) -> str:
    word = word.strip("'")
    for suffix in ("ing", "ed", "s", "ly"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    # "rule", "rules", "ruled" and "police"/"policing" should meet on one stem.
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def _content_stems(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2]


def lexical_cue_matcher(reply: str, cues: Sequence[str]) -> list[str]:
    """Cues (persona triggers or soothers) whose key words mostly appear in the reply.

    A cue matches when at least half of its content words (and at least one) occur in the reply,
    compared on crude stems, so "being told to calm down" matches "Calm down, sir".
    """
    said = set(_content_stems(reply))
    matched = []
    for cue in cues:
        words = set(_content_stems(cue))
        if words and len(words & said) * 2 >= len(words):
            matched.append(cue)
    return matched


@dataclass(frozen=True)
class AgitationChange:
    """The visitor's agitation before and after a reply, and why it moved."""

    before: int
    after: int
    reasons: tuple[str, ...]

    @property
    def delta(self) -> int:
        """Signed change (negative = calmer)."""
        return self.after - self.before


def next_agitation(
    current: int,
    score: RubricScore,
    reply: str,
    persona: Persona,
    matcher: CueMatcher = lexical_cue_matcher,
    reading: Reading | None = None,
) -> AgitationChange:
    """Apply one officer reply: overall handling, tone, commands, empathy, triggers, soothers,
    and what the officer did (news calms; small talk while the visitor is upset does not)."""
    reasons: list[tuple[str, int]] = []
    overall = score.overall
    if overall >= 75:
        reasons.append(("handled well overall", -2))
    elif overall >= 60:
        reasons.append(("handled reasonably", -1))
    elif overall < 25:
        reasons.append(("handled badly", +2))
    elif overall < 40:
        reasons.append(("missed what the visitor needs", +1))
    if score.criterion("composed_tone") < 40:
        reasons.append(("lost composure (insult, sarcasm, threat or shouting)", +1))
    if score.criterion("non_commanding") < 40:
        reasons.append(("gave orders or blamed instead of asking", +1))
    if score.criterion("acknowledges_emotion") >= 70:
        reasons.append(("named how the visitor feels", -1))
    if reading is not None:
        if Move.NEWS in reading.moves:
            reasons.append(("heard news", -1))
        if reading.main is Move.SMALL_TALK and current >= 4:
            reasons.append(("small talk while the visitor is upset", +1))
    triggers = matcher(reply, persona.triggers)[:2]
    soothers = matcher(reply, persona.soothers)[:2]
    reasons += [(f"trigger: {t}", +1) for t in triggers]
    reasons += [(f"soother: {s}", -1) for s in soothers]

    # Harder personas calm down more slowly; only an outright insult or threat jumps by 3.
    max_drop = 3 if persona.difficulty <= 2 else 2
    max_rise = 3 if score.criterion("composed_tone") < 25 else 2
    raw = sum(d for _, d in reasons)
    delta = max(-max_drop, min(max_rise, raw))
    after = max(MIN_AGITATION, min(MAX_AGITATION, current + delta))
    labels = tuple(f"{text} ({d:+d})" for text, d in reasons)
    return AgitationChange(before=current, after=after, reasons=labels)
