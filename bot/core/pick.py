"""Choosing the visitor's line among candidates: the model's samples, or the persona's lines.

A line is good when it answers what the officer just did (carries the asked-for fact, reacts to
the officer's words rather than fitting after anything), sounds as agitated as the visitor is
now, and is new. The same scorer picks among the model's best-of-N samples and, for the scripted
visitor and the fallback, among the persona's own lines and fact answers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.core.rubric.encoder import Encoder, unit_rows
from bot.core.visitor import VisitorRequest

AGITATION_WEIGHTS = Path(__file__).with_name("line_agitation.json")
BAND_CENTRE = {"high": 8.5, "medium": 5.0, "low": 1.5}
REPEAT_SIMILARITY = 0.86  # cosine above which a line says again what was already said
FACT_CARRIED = 0.5  # share of a fact's key words a line must hold to carry it

# Officer lines of every kind: a line that fits these as well as the real one fits after anything.
GENERIC_OFFICER = (
    "Calm down.",
    "What's your name?",
    "I understand how you feel.",
    "I can't let you through, I'm afraid.",
    "Let me find out for you.",
    "You need to leave now or I'll call the police.",
    "Nice weather today, isn't it?",
    "Are you an AI?",
    "The manager is on her way down now.",
    "That's the policy, because of safety.",
    "Would you like to take a seat while I check?",
    "Okay.",
)
_WORD = re.compile(r"[A-Za-z0-9']+")
_STOP = frozenset(
    """a an the to of and or for in on at by with from is are was were be been it its it's this
    that you your i i'm me my we our he she his her they them their what when where who how why
    which do does did can could would will have has had there here just please sir okay ok so
    yes no not don't i've i'll she's he's that's know got get about""".split()
)
_HIGH = re.compile(r"!|\b(?:ridiculous|disgrace|joke|bloody|damn|hell|unbelievable|sick of|"
                   r"how dare|don't you|won't|right now|useless)\b", re.I)  # fmt: skip
_LOW = re.compile(r"\b(?:thank|thanks|sorry|okay|alright|fine|appreciate|that helps|fair)\b", re.I)


@dataclass(frozen=True)
class PickWeights:
    """How much each part of a line's score counts (tuned on judged dev scenarios)."""

    fact_sure: float = 2.0  # carrying a fact that surely answers the question
    fact_asked: float = 0.8  # carrying a maybe-relevant fact after a question
    fact_other: float = 0.4  # carrying a fact when nothing was asked
    responds: float = 2.0  # closer to the officer's line than to unrelated officer lines
    mood: float = 0.25  # per point between the line's agitation and the visitor's
    short: float = 0.5  # under three words
    long: float = 0.3  # over forty words
    repeat: float = 3.0  # says an earlier line again
    invents: float = 0.6  # per number or name the persona and the conversation never mention


@dataclass(frozen=True)
class Scored:
    """A candidate line with its score and the parts it is made of (for logs and the bench)."""

    text: str
    score: float
    parts: dict[str, float] = field(default_factory=dict)
    carries: bool | None = None  # holds the asked-for fact (None when no fact was asked)
    repeat: bool = False

    @property
    def passes(self) -> bool:
        """Good enough to say: carries an asked-for fact and says something new."""
        return not self.repeat and self.carries is not False


def key_words(text: str) -> set[str]:
    """The words of a fact that carry it: names, numbers, nouns (no function words)."""
    return {w.lower() for w in _WORD.findall(text) if w.lower() not in _STOP and len(w) > 1}


_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20",
    "thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70",
    "eighty": "80", "ninety": "90",
}  # fmt: skip


def _norm_words(words: set[str]) -> set[str]:
    return {_NUMBER_WORDS.get(w, w) for w in words}


_DIGIT_WORDS = {digit: word for word, digit in _NUMBER_WORDS.items()}
_NAMEISH = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+\b")
_NUMBERISH = re.compile(
    r"\b(?:\d+(?:[.:]\d+)?|" + "|".join(_NUMBER_WORDS) + r"|hundred|thousand)\b", re.I
)
_COMMON_CAPS = frozenset("I I'm I've I'll Mr Mrs Ms Dr Sir Madam God Jesus Christ Mum Dad".split())


def invented(line: str, known: str) -> list[str]:
    """Numbers and names in a line that the persona's text and the conversation never mention.

    A small model likes to make up ages, times and places ("sixty-four", "in Sydney"); those
    clash with what the visitor knows. `known` is everything the visitor could have taken them
    from, lowercased.
    """
    found = [m.group(0) for m in _NUMBERISH.finditer(line)]
    found += [m.group(0) for m in _NAMEISH.finditer(line) if m.group(0) not in _COMMON_CAPS]
    words = set(re.findall(r"[a-z0-9']+", known))

    def said(word: str) -> bool:
        w = word.lower()
        forms = {w, _NUMBER_WORDS.get(w, w), _DIGIT_WORDS.get(w, w)}
        return bool(forms & words) or w in known

    return [w for w in found if not said(w)]


def fact_share(answer: str, line: str) -> float:
    """Share of the answer's key words that the line holds (number words = digits)."""
    want = _norm_words(key_words(answer))
    if not want:
        return 0.0
    have = _norm_words(key_words(line.replace("-", " ")))
    return len(want & have) / len(want)


@dataclass(frozen=True)
class AgitationProbe:
    """Ridge regression from a line's embedding to the agitation it is spoken at."""

    weights: np.ndarray
    bias: float

    @classmethod
    def load(cls, path: Path = AGITATION_WEIGHTS) -> AgitationProbe | None:
        """The trained probe, or None when none was built yet."""
        if not path.exists():
            return None
        data = json.loads(path.read_text())
        return cls(np.asarray(data["weights"], dtype=np.float32), float(data["bias"]))

    def predict(self, vectors: np.ndarray) -> np.ndarray:
        """Agitation 0-10 per row."""
        return np.clip(vectors @ self.weights + self.bias, 0.0, 10.0)


@lru_cache(maxsize=1)
def _probe() -> AgitationProbe | None:
    return AgitationProbe.load()


def agitation_by_words(line: str) -> float:
    """A crude agitation estimate without an encoder: exclamations and anger vs thanks."""
    high = len(_HIGH.findall(line)) + (2 if sum(c.isupper() for c in line) > 12 else 0)
    low = len(_LOW.findall(line))
    return float(np.clip(5.0 + 1.5 * high - 1.5 * low, 0.0, 10.0))


def _known_text(request: VisitorRequest) -> str:
    p = request.persona
    texts = [
        p.name, p.setting, p.backstory, p.wants, *p.triggers, *p.soothers, *p.opening_lines,
        *(line for band in p.lines.values() for line in band),
        *(f"{f.q} {f.a}" for f in p.facts), *(line.text for line in request.history),
    ]  # fmt: skip
    return " ".join(texts).lower()


class LinePicker:
    """Scores visitor lines for a request; the best passing one is what the visitor says."""

    def __init__(
        self,
        encoder: Encoder | None = None,
        probe: AgitationProbe | None = None,
        weights: PickWeights | None = None,
    ) -> None:
        self.encoder = encoder
        self.weights = weights or PickWeights()
        self.probe = probe if probe is not None else (_probe() if encoder else None)
        self._generic: np.ndarray | None = None

    def rank(
        self,
        request: VisitorRequest,
        lines: Sequence[str],
        levels: dict[str, float] | None = None,
    ) -> list[Scored]:
        """The lines scored for this request, best first.

        `levels`: the agitation a line is known to be spoken at (a persona line's band);
        other lines are estimated.
        """
        lines = [line for line in dict.fromkeys(lines) if line.strip()]
        if not lines:
            return []
        officer = request.last_officer_line
        earlier = sorted(request.visitor_lines())
        reading = request.reading
        facts = reading.facts if reading is not None else ()
        asked = bool(facts) and reading is not None and reading.asked
        must = reading is not None and reading.answerable
        vectors = self._encode([*lines, officer, *earlier, *(f.a for f in facts)])
        n = len(lines)
        w = self.weights
        known = _known_text(request)
        scored = []
        for i, line in enumerate(lines):
            parts: dict[str, float] = {}
            carries = None
            if facts:
                share = max(fact_share(f.a, line) for f in facts)
                if vectors is not None:
                    fact_vecs = vectors[n + 1 + len(earlier) :]
                    share = max(share, float((fact_vecs @ vectors[i]).max()) - 0.25)
                # a fact that surely answers the question counts most; a maybe-relevant one less
                weight = w.fact_sure if must else w.fact_asked if asked else w.fact_other
                parts["fact"] = weight * min(1.0, share)
                if must:
                    carries = share >= FACT_CARRIED
            if vectors is not None:
                own = float(vectors[i] @ vectors[n])
                generic = float((self._generic_vectors() @ vectors[i]).mean())
                parts["responds"] = w.responds * (own - generic)
                similar = [float(vectors[i] @ vectors[n + 1 + j]) for j in range(len(earlier))]
                repeat = bool(similar) and max(similar) >= REPEAT_SIMILARITY
            else:
                overlap = len(key_words(line) & key_words(officer))
                parts["responds"] = 0.3 * min(overlap, 3)
                repeat = line in earlier
            if levels and line in levels:
                level = levels[line]
            else:
                level = self._agitation(line, None if vectors is None else vectors[i])
            parts["mood"] = -w.mood * abs(level - request.agitation)
            words = len(line.split())
            parts["length"] = -w.short if words < 3 else (-w.long if words > 40 else 0.0)
            if repeat:
                parts["repeat"] = -w.repeat
            made_up = invented(line, known)
            if made_up:
                parts["invents"] = -w.invents * min(3, len(made_up))
            scored.append(Scored(line, sum(parts.values()), parts, carries, repeat))
        return sorted(scored, key=lambda s: -s.score)

    def best(
        self,
        request: VisitorRequest,
        lines: Sequence[str],
        levels: dict[str, float] | None = None,
    ) -> Scored | None:
        """The best passing line, or None when none passes."""
        return next((s for s in self.rank(request, lines, levels) if s.passes), None)

    def _agitation(self, line: str, vector: np.ndarray | None) -> float:
        if vector is None or self.probe is None or vector.shape[0] != self.probe.weights.shape[0]:
            return agitation_by_words(line)
        return float(self.probe.predict(vector[None])[0])

    def _encode(self, texts: list[str]) -> np.ndarray | None:
        if self.encoder is None:
            return None
        return unit_rows(np.asarray(self.encoder.encode(texts)))

    def _generic_vectors(self) -> np.ndarray:
        if self._generic is None:
            assert self.encoder is not None
            self._generic = unit_rows(np.asarray(self.encoder.encode(list(GENERIC_OFFICER))))
        return self._generic
