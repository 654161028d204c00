"""What the visitor makes of the officer's line: the moves in it and the facts it touches.

The officer's words are read twice: by the rubric's tone patterns (what trainers listen for:
questions, reasons, offers, orders, threats...) and, when an encoder is given, by a small linear
model over the sentence embedding trained on labelled officer lines (`moves.json`, rebuilt by
`python -m train.moves`). Facts are the persona's q/a pairs closest in meaning (or in words,
without an encoder) to what the officer said.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.core.moves import MOVES, Move
from bot.core.persona import Fact, Persona
from bot.core.rubric.cues import Cues, find_cues
from bot.core.rubric.encoder import Encoder, unit_rows
from bot.core.rubric.text import prepare

WEIGHTS = Path(__file__).with_name("moves.json")
# Fact retrieval, tuned on the training dialogues' questions (bench: train/reader.json): a fact's
# score is its question's cosine to the officer's line + half its answer's + a word-overlap bonus.
MAX_FACTS = 3  # when the officer asked: two-part questions and near misses both need room
MAX_FACTS_UNASKED = 1
FACT_FLOOR = 0.65  # below this a fact is not about what the officer said
FACT_ASKED_FLOOR = 0.30  # lower when the officer asked a question: something must answer it
FACT_GAP = 0.30  # a further fact only when nearly as close as the best
SURE_MATCH = 0.7  # a fact scored this high is what was asked: lines that miss it do not pass
MOVE_THRESHOLD = 0.5

_BREAKS_SCENE = re.compile(
    r"\b(?:are you (?:an? )?(?:ai|bot|robot|chat ?bot|language model|computer|real|human)"
    r"|(?:ignore|forget|disregard) (?:all |your |the |any |previous |prior )*"
    r"(?:instructions|rules|prompt)"
    r"|system prompt|you are (?:now )?(?:an? )?(?:ai|assistant|pirate|chatgpt)|chat ?gpt|openai"
    r"|as an ai|role ?play|pretend (?:to be|you are)"
    r"|(?:write|tell) me (?:a|some) (?:poem|joke|story|code)"
    r"|repeat after me|say (?:something )?(?:as|like) a)\b",
    re.IGNORECASE,
)
_SMALL_TALK = re.compile(
    r"\b(?:weather|football|the match|the game|weekend|holiday|telly|tv|netflix|lottery"
    r"|nice (?:shoes|jacket|coat|hair|watch)|cold (?:out|tonight|today)"
    r"|warm (?:out|tonight|today)|rain(?:ing|y)? (?:out|today|tonight)|traffic (?:was|is)"
    r"|what do you do for (?:a living|work))\b",
    re.IGNORECASE,
)
_NEWS = re.compile(
    r"\b(?:good news|update|i(?:'ve| have) (?:just )?(?:spoken|talked|heard|checked|found)"
    r"|(?:they|we|staff|the (?:nurse|doctor|team|manager|ward|desk|office|control room))"
    r" (?:have|has|'ve|'s)? ?(?:just )?(?:found|confirmed|said|told|located|agreed|called|rung)"
    r"|(?:he|she|they)(?:'s| is| are|'re) "
    r"(?:safe|fine|ok|okay|here|on (?:his|her|their) way|being seen)"
    r"|is on (?:their|his|her|its) way|will be (?:here|down|out) in)\b",
    re.IGNORECASE,
)
_CUE_MOVES: dict[Move, tuple[str, ...]] = {
    Move.ACKNOWLEDGES: ("validation", "reflection", "apology", "generic_ack"),
    Move.EXPLAINS: ("reason",),
    Move.OFFERS: ("offer", "reassurance"),
    Move.LIMIT: ("limit",),
    Move.COMMANDS: ("calm_down", "command", "directive", "curt_imperative"),
    Move.PROVOKES: (
        "threat", "insult", "profanity", "condescending", "sarcasm", "dismissive", "blame",
        "minimizing", "hostile_question", "ultimatum", "irritation",
    ),  # fmt: skip
}
CUE_FEATURES: tuple[str, ...] = tuple(
    sorted({f for fams in _CUE_MOVES.values() for f in fams})
) + ("question", "offer_question", "but_dismissal", "shouting", "news", "small_talk", "breaks")


@dataclass(frozen=True)
class Reading:
    """The officer's moves (main first) and the persona facts their line is about."""

    moves: tuple[Move, ...]
    facts: tuple[Fact, ...] = ()
    match: float = 0.0  # how surely the first fact is what the officer's line is about

    @property
    def answerable(self) -> bool:
        """The officer asked about something the visitor surely knows: the answer must carry it."""
        return self.asked and bool(self.facts) and self.match >= SURE_MATCH

    @property
    def main(self) -> Move:
        """The move the visitor reacts to first."""
        return self.moves[0]

    @property
    def asked(self) -> bool:
        """The officer asked the visitor something."""
        return Move.ASKS in self.moves

    def describe(self) -> str:
        """The moves in plain words: "asked a question and offered help or a choice"."""
        words = [m.plain for m in self.moves[:2]]
        return " and ".join(words)


def cue_vector(cues: Cues, text: str) -> np.ndarray:
    """0/1 per CUE_FEATURES entry for one officer line (input of the move model)."""
    on = {f for f in CUE_FEATURES if cues.has(f)}
    if cues.questions:
        on.add("question")
    if cues.offer_questions:
        on.add("offer_question")
    if cues.but_dismissal is not None:
        on.add("but_dismissal")
    if cues.shouting >= 0.6:
        on.add("shouting")
    if _NEWS.search(text):
        on.add("news")
    if _SMALL_TALK.search(text):
        on.add("small_talk")
    if _BREAKS_SCENE.search(text):
        on.add("breaks")
    return np.array([1.0 if f in on else 0.0 for f in CUE_FEATURES], dtype=np.float32)


def moves_from_cues(cues: Cues, text: str) -> tuple[Move, ...]:
    """Moves from the tone patterns alone (no encoder): ordered by how strongly they show."""
    if _BREAKS_SCENE.search(text):
        return (Move.BREAKS_SCENE,)
    provoking = [f for f in _CUE_MOVES[Move.PROVOKES] if cues.has(f)]
    chatting = bool(_SMALL_TALK.search(text))
    if chatting and provoking == ["hostile_question"]:
        provoking = []  # "Lovely weather, isn't it?" is chatter, not a hostile question
    found: list[Move] = []
    if provoking or cues.shouting >= 0.6:
        found.append(Move.PROVOKES)
    if any(cues.has(f) for f in _CUE_MOVES[Move.COMMANDS]):
        found.append(Move.COMMANDS)
    if chatting:
        found.append(Move.SMALL_TALK)
    if _NEWS.search(text):
        found.append(Move.NEWS)
    if cues.questions and not chatting:
        found.append(Move.ASKS)
    for move in (Move.ACKNOWLEDGES, Move.OFFERS, Move.EXPLAINS, Move.LIMIT):
        if any(cues.has(f) for f in _CUE_MOVES[move]) and move not in found:
            found.append(move)
    if cues.offer_questions and Move.OFFERS not in found:
        found.append(Move.OFFERS)
    if cues.but_dismissal is not None and Move.ACKNOWLEDGES in found:
        found.remove(Move.ACKNOWLEDGES)
    if not found:  # nothing a trainer listens for: a question, or a plain "okay"
        found.append(Move.ASKS if text.rstrip().endswith("?") else Move.ACKNOWLEDGES)
    return tuple(found[:3])


@dataclass(frozen=True)
class MoveModel:
    """One-vs-rest logistic regression over [embedding, cue features] per move."""

    weights: np.ndarray  # [moves, dim + cues]
    bias: np.ndarray  # [moves]
    moves: tuple[Move, ...]
    encoder: str

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> MoveModel | None:
        """The trained model, or None when no weights were built yet."""
        if not path.exists():
            return None
        data = json.loads(path.read_text())
        return cls(
            np.asarray(data["weights"], dtype=np.float32),
            np.asarray(data["bias"], dtype=np.float32),
            tuple(Move(m) for m in data["moves"]),
            data.get("encoder", ""),
        )

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """[n, moves] probabilities for feature rows [n, dim + cues]."""
        return 1.0 / (1.0 + np.exp(-(features @ self.weights.T + self.bias)))


@lru_cache(maxsize=1)
def _move_model() -> MoveModel | None:
    return MoveModel.load()


class Reader:
    """Reads officer lines for the visitor: moves and relevant facts (encoder optional)."""

    def __init__(self, encoder: Encoder | None = None, model: MoveModel | None = None) -> None:
        self.encoder = encoder
        self.model = model if model is not None else (_move_model() if encoder else None)
        self._fact_vectors: dict[tuple[str, tuple[Fact, ...]], np.ndarray] = {}

    def read(self, persona: Persona, text: str) -> Reading:
        """The reading of one officer line for this persona."""
        return self.read_many(persona, [text])[0]

    def read_many(self, persona: Persona, texts: Sequence[str]) -> list[Reading]:
        """Readings of several officer lines (one encoder call)."""
        prepared = [prepare(t).text or t for t in texts]
        cues = [find_cues(prepare(t)) for t in texts]
        vectors = self._encode(prepared)
        readings = []
        for i, text in enumerate(prepared):
            moves = self._moves(cues[i], text, None if vectors is None else vectors[i])
            asked = Move.ASKS in moves
            vector = None if vectors is None else vectors[i]
            facts, match = self.scored_facts(persona, text, vector, asked)
            readings.append(Reading(moves, facts, match))
        return readings

    def _encode(self, texts: list[str]) -> np.ndarray | None:
        if self.encoder is None:
            return None
        return unit_rows(np.asarray(self.encoder.encode(texts)))

    def _moves(self, cues: Cues, text: str, vector: np.ndarray | None) -> tuple[Move, ...]:
        if vector is None or self.model is None or vector.shape[0] + len(CUE_FEATURES) != (
            self.model.weights.shape[1]
        ):
            return moves_from_cues(cues, text)
        features = np.concatenate([vector, cue_vector(cues, text)])[None]
        probs = self.model.probabilities(features)[0]
        order = np.argsort(-probs)
        chosen = [self.model.moves[j] for j in order if probs[j] >= MOVE_THRESHOLD][:3]
        return tuple(chosen) or (self.model.moves[int(order[0])],)

    def scored_facts(
        self, persona: Persona, text: str, vector: np.ndarray | None = None, asked: bool = False
    ) -> tuple[tuple[Fact, ...], float]:
        """Up to MAX_FACTS persona facts about what the officer said, best first, and how surely
        the first one is what was meant (a score on the SURE_MATCH scale)."""
        if not persona.facts:
            return (), 0.0
        if vector is None or self.encoder is None:
            return _facts_by_words(persona.facts, text, asked)
        key = (persona.id, persona.facts)
        if key not in self._fact_vectors:
            self._fact_vectors[key] = unit_rows(
                np.asarray(self.encoder.encode([f.q for f in persona.facts] +
                                               [f.a for f in persona.facts]))  # fmt: skip
            )
        matrix = self._fact_vectors[key]
        n = len(persona.facts)
        sims = matrix @ vector
        said = _key_words(text)
        overlap = np.array([len(said & _key_words(f"{f.q} {f.a}")) / max(1, len(said))
                            for f in persona.facts])  # fmt: skip
        score = sims[:n] + 0.5 * sims[n:] + 0.15 * overlap
        floor, most = (FACT_ASKED_FLOOR, MAX_FACTS) if asked else (FACT_FLOOR, MAX_FACTS_UNASKED)
        order = [int(j) for j in np.argsort(-score) if score[j] >= floor]
        if not order:
            return (), 0.0
        keep = order[:1] + [j for j in order[1:most] if score[j] >= score[order[0]] - FACT_GAP]
        return tuple(persona.facts[j] for j in keep), float(score[order[0]])


_WORD = re.compile(r"[a-z0-9']+")
_STOP = frozenset(
    """a an the to of and or for in on at by with from is are was were be been it its this that
    you your i me my we our he she his her they them their what when where who how why which do
    does did can could would will have has had there here just please sir madam mate okay ok so
    tell know let if not no yes any some""".split()
)


def _key_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 1}


def _facts_by_words(
    facts: Sequence[Fact], text: str, asked: bool
) -> tuple[tuple[Fact, ...], float]:
    said = _key_words(text)
    scored = []
    for fact in facts:
        words = _key_words(fact.q)
        shared = len(words & said)
        if words and shared and shared / len(words) >= (0.34 if asked else 0.5):
            scored.append((shared / len(words), shared, fact))
    scored.sort(key=lambda s: (-s[1], -s[0]))
    kept = scored[: MAX_FACTS if asked else MAX_FACTS_UNASKED]
    # every key word of the question said: as sure as words alone can be
    return tuple(f for _, _, f in kept), (SURE_MATCH if kept and kept[0][0] == 1.0 else 0.0)


__all__ = ["MOVES", "Reader", "Reading", "cue_vector", "moves_from_cues"]
