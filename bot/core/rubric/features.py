"""Turning cues, context and (optionally) embeddings into the numbers the criterion models use."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

from bot.core.rubric import patterns as P
from bot.core.rubric.cues import Cues

_EMO = re.compile(rf"\b{P.EMO}\b", re.IGNORECASE)
_NUMBERS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70",
     "eighty": "80", "ninety": "90", "hundred": "100", "mum": "mother", "mom": "mother",
     "mummy": "mother", "dad": "father", "daddy": "father", "quid": "pound", "hrs": "hour",
     "mins": "minute", "kid": "child", "kids": "child", "son": "child"}  # fmt: skip
# Words too generic to show the officer took in *this* visitor's situation.
_GENERIC = frozenset(
    """a an the to of and or for in on at by with from about into over be being been is are was
    were it its this that these those his her their your my our me him them you he she they we i
    not no without who whom what when where why how than then too very just any some all can will
    would should could do does did has have had told tell telling saying says said get got let
    want need know going gone come came make made take took give gave keep kept nobody anyone
    anything everyone everybody something nothing people thing things way really actually even
    here there now still already again right only one ever never always let's i'm i've i'll you're
    don't can't won't isn't it's that's what's like well okay ok yes yeah please sorry thank
    thanks sir mate just going being doing anybody somebody someone why'd whole also much
    lot""".split()
)

PATTERN_FEATURES: tuple[str, ...] = (
    "validation", "emotion_word", "generic_ack", "apology", "reflection", "overlap",
    "ignores_question", "question", "open_question", "invite", "offer_question", "calm_down",
    "command", "directive", "curt_imperative", "polite_request", "ultimatum", "threat", "insult",
    "profanity", "condescending", "sarcasm", "shouting", "irritation", "dismissive", "rules_bare",
    "blame", "minimizing", "hostile_question", "but_dismissal", "reason", "offer", "limit",
    "limit_calm", "caves", "courtesy", "reassurance", "brevity", "length", "never_say",
)  # fmt: skip
_ENGAGED = ("overlap", "question", "offer", "offer_question", "reflection", "validation", "limit",
            "reason")  # fmt: skip
_HARSH = ("threat", "ultimatum", "insult", "profanity", "command", "calm_down", "sarcasm",
          "never_say")  # fmt: skip


def stem(word: str) -> str:
    """A crude stem so "waiting"/"waited"/"wait" and number words meet."""
    word = _NUMBERS.get(word, word.strip("'"))
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def content_stems(text: str) -> dict[str, str]:
    """Stem -> first surface word, for the visitor's concrete words (numbers included)."""
    out: dict[str, str] = {}
    for token in re.findall(r"[A-Za-z]+(?:'[A-Za-z]+)?|\d+", text.replace("-", " ")):
        low = token.lower()
        if low in _GENERIC or (len(low) < 3 and not low.isdigit() and low not in _NUMBERS):
            continue
        out.setdefault(stem(low), token)
    return out


def context_overlap(reply: str, visitor: str) -> tuple[float, tuple[str, ...]]:
    """Share of the visitor's concrete words (up to four) the reply takes up, and those words."""
    theirs = content_stems(visitor)
    if not theirs:
        return 0.0, ()
    ours = content_stems(reply)
    shared = [ours[s] for s in ours if s in theirs]
    return min(1.0, len(shared) / min(4, len(theirs))), tuple(shared)


def _engages(cues: Cues, f: dict[str, float]) -> bool:
    """Whether a reply takes up the visitor's line at all: their words, a reflection, a
    feeling, a question back, or something done about it."""
    return (
        f["overlap"] > 0
        or cues.questions > 0
        or any(
            cues.has(family)
            for family in ("reflection", "validation", "offer", "limit", "reason", "apology")
        )
    )


def _asks(visitor: str) -> bool:
    return "?" in visitor or bool(P.QUESTION_OPENERS.search(visitor.strip()))


def pattern_features(cues: Cues, reply: str, visitor: str) -> dict[str, float]:
    """The pattern-only features of one reply answering one visitor line."""
    c = cues.count
    f = {name: float(min(c(name), 2)) for name in PATTERN_FEATURES}
    f["emotion_word"] = float(min(len(_EMO.findall(reply)), 2))
    f["overlap"], _ = context_overlap(reply, visitor)
    f["question"] = float(min(cues.questions, 2))
    f["open_question"] = float(min(cues.open_questions, 2))
    f["offer_question"] = float(min(cues.offer_questions, 1))
    f["shouting"] = cues.shouting
    f["offer"] = float(min(c("offer") + cues.offer_questions, 3)) / 1.5
    harsh = any(cues.has(h) for h in _HARSH) or cues.shouting >= 0.6
    f["limit"] = float(cues.has("limit"))
    f["limit_calm"] = f["limit"] * (0.0 if harsh else 1.0)
    for flag in ("but_dismissal", "caves", "directive", "calm_down", "threat", "ultimatum",
                 "insult", "profanity", "condescending", "irritation", "minimizing",
                 "never_say"):  # fmt: skip
        f[flag] = float(cues.has(flag))
    # Rules quoted bare: a stated reason elsewhere in the reply turns it into an explanation.
    f["rules_bare"] = float(cues.has("rules_bare") and not cues.has("reason"))
    f["ignores_question"] = float(bool(visitor) and _asks(visitor) and not _engages(cues, f))
    f["brevity"] = 1.0 if cues.words <= 4 else 0.5 if cues.words <= 8 else 0.0
    f["length"] = min(1.0, math.log1p(cues.words) / math.log1p(60))
    return f


def top_k_mean(sims: np.ndarray, k: int = 3) -> np.ndarray:
    """Mean of the k largest similarities per row."""
    k = min(k, sims.shape[1])
    return np.sort(sims, axis=1)[:, -k:].mean(axis=1)


def encoder_features(
    replies: np.ndarray,
    visitors: np.ndarray | None,
    prototypes: dict[str, tuple[np.ndarray, np.ndarray]],
) -> list[dict[str, float]]:
    """Per reply: closeness to each criterion's prototypes (done minus missed) and similarity
    to the visitor's line."""
    cols: dict[str, np.ndarray] = {}
    for criterion, (pos, neg) in prototypes.items():
        cols[f"proto_{criterion}"] = top_k_mean(replies @ pos.T) - top_k_mean(replies @ neg.T)
    if visitors is not None:
        cols["ctx_sim"] = np.einsum("ij,ij->i", replies, visitors)
    else:
        cols["ctx_sim"] = np.zeros(len(replies))
    return [{name: float(col[i]) for name, col in cols.items()} for i in range(len(replies))]


def refine_ignores_question(
    features: Sequence[dict[str, float]], has_visitor: Sequence[bool]
) -> None:
    """With embeddings: a reply close in meaning to the visitor's line is not ignoring it, and one
    far from it is, unless it still reflects, validates, asks, explains or offers something."""
    for f, has in zip(features, has_visitor, strict=True):
        if not has:
            continue
        if f.get("ctx_sim", 0.0) >= 0.3:
            f["ignores_question"] = 0.0
        elif f.get("ctx_sim", 1.0) < 0.1 and not any(f[n] for n in _ENGAGED):
            f["ignores_question"] = 1.0
