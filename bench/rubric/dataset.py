"""Training table for the rubric heads: corpus + devset rows as features, vectors and targets.

Sentence vectors are cached on disk (keyed by the encoder and the texts), so repeated training
and evaluation runs on this 2-core machine embed each text once.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.rubric import SUPPLEMENT, load_devset
from bench.rubric.corpus import LEAPS, STRATEGIES
from bench.rubric.corpus import load as load_corpus
from bot.core.rubric import ReplyRubric
from bot.core.rubric.context import OPTIONAL, read_moment, visitor_features
from bot.core.rubric.cues import find_cues
from bot.core.rubric.features import context_overlap, pattern_features
from bot.core.rubric.text import MAX_CHARS, prepare, strip_markup
from bot.core.scores import CRITERIA

CACHE = Path(os.environ.get("COOLDOWN_CACHE", "/tmp/cooldown-rubric-cache"))
# Devset labels predate the not-applicable guideline (they rate "no reason given" where none was
# owed), so devset rows teach only the criteria that always apply plus explores and options.
DEVSET_CRITERIA = ("acknowledges_emotion", "shows_understanding", "explores", "composed_tone",
                   "non_commanding", "respectful", "offers_options")  # fmt: skip


@dataclass
class Table:
    """Rows with everything the heads read and everything they are trained to say."""

    rows: list[dict]
    features: list[dict[str, float]]  # pattern + visitor + prototype features per row
    replies: np.ndarray  # (n, d) reply vectors (zeros in pattern-only tables)
    visitors: np.ndarray  # (n, d) visitor vectors (zeros where there is no visitor line)
    groups: dict[str, list[str]] = field(default_factory=dict)  # author / source per row

    def score_target(self, criterion: str) -> np.ndarray:
        """0-100 label per row, NaN where not applicable or not labelled."""
        out = []
        for r in self.rows:
            value = r["labels"].get(criterion)
            out.append(np.nan if value is None else (value - 1) * 25.0)
        return np.array(out)

    def applies_target(self, criterion: str) -> np.ndarray:
        """1 applicable, 0 not, NaN where the row does not say (devset)."""
        return np.array([np.nan if r["kind"] != "corpus" else
                         float(r["labels"][criterion] is not None) for r in self.rows])  # fmt: skip

    def strategy_target(self) -> np.ndarray:
        """Strategy index per row, -1 where unlabelled."""
        return np.array([STRATEGIES.index(r["strategy"]) if r.get("strategy") else -1
                         for r in self.rows])  # fmt: skip

    def leaps_target(self, step: str) -> np.ndarray:
        """1 when the row performs the step, NaN where unlabelled."""
        return np.array([np.nan if r["kind"] != "corpus" else float(step in r["leaps"])
                         for r in self.rows])  # fmt: skip


def corpus_rows() -> list[dict]:
    """The corpus as training rows (visitor = the line replied to)."""
    return [{**r, "visitor": r["context"], "kind": "corpus"} for r in load_corpus()]


def devset_rows(split: str = "train") -> list[dict]:
    """Devset rows of one split with their usable labels."""
    out = []
    for r in load_devset():
        if r["split"] != split:
            continue
        labels = {c: (r["criteria"][c] if c in DEVSET_CRITERIA else None) for c in CRITERIA}
        out.append({**r, "labels": labels, "kind": "devset", "author": "devset",
                    "source": "security-devset"})  # fmt: skip
    return out


def supplement_rows() -> list[dict]:
    """supplement.jsonl (everyday settings, devset-style labels) as training rows."""
    return [{**r, "labels": {c: (r["criteria"][c] if c in DEVSET_CRITERIA else None)
                             for c in CRITERIA},
             "kind": "devset", "author": "supplement", "source": "supplement"}
            for r in load_devset(SUPPLEMENT)]  # fmt: skip


def mismatch_rows(rows: list[dict]) -> list[dict]:
    """Replies that speak to their own visitor's specifics, paired with another setting's
    visitor line and rated 1 for understanding (and nothing else): every corpus reply answers
    its own line, so without these the models never learn that understanding is about *this*
    visitor (GUIDELINES: a reply that does not address what the person said shows none)."""
    corpus = [r for r in rows if r["kind"] == "corpus"]
    out = []
    for i, r in enumerate(corpus):
        rating = r["labels"].get("shows_understanding")
        if rating is None or rating < 3 or i % 2:
            continue
        overlap, _ = context_overlap(r["reply"], r["visitor"])
        if overlap <= 0:
            continue
        other = next(o for k in range(1, len(corpus))
                     if (o := corpus[(i + len(corpus) // 2 + k) % len(corpus)])["source"]
                     != r["source"])  # fmt: skip
        out.append({**r, "id": f"{r['id']}:mismatch", "visitor": other["visitor"],
                    "context": other["visitor"], "kind": "mismatch", "strategy": None,
                    "leaps": [], "labels": {c: (1 if c == "shows_understanding" else None)
                                            for c in CRITERIA}})  # fmt: skip
    return out


class CachedEncoder:
    """The rubric encoder with every vector it made kept on disk: repeated training and
    held-out runs embed each text once (the real encoder loads only when a text is new)."""

    def __init__(self, load: object) -> None:
        self._load = load
        self._model: object | None = None
        self.name = "all-MiniLM-L6-v2"
        self._path = CACHE / f"vectors-{self.name}.npz"
        self._memo: dict[str, np.ndarray] = {}
        if self._path.exists():
            data = np.load(self._path, allow_pickle=False)
            self._memo = dict(zip((str(t) for t in data["texts"]), data["vectors"], strict=True))
        self._dirty = False

    def encode(self, texts: list[str]) -> np.ndarray:
        """Vectors for texts, from the memo where it has them."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._memo))
        if missing:
            if self._model is None:
                self._model = self._load()  # type: ignore[operator]
            for text, vec in zip(missing, self._model.encode(missing), strict=True):  # type: ignore[attr-defined]
                self._memo[text] = np.asarray(vec, dtype=np.float32)
            self._dirty = True
        if not texts:
            return np.zeros((0, 384), np.float32)
        return np.stack([self._memo[t] for t in texts])

    def save(self) -> None:
        """Write new vectors to the cache file."""
        if not self._dirty:
            return
        CACHE.mkdir(parents=True, exist_ok=True)
        texts = list(self._memo)
        vectors = np.stack([self._memo[t] for t in texts])
        np.savez(self._path, texts=np.array(texts), vectors=vectors)
        self._dirty = False


def _cached_encode(encoder: object, texts: list[str]) -> np.ndarray:
    present = [t for t in texts if t]
    vectors = encoder.encode(present) if present else np.zeros((0, 384), np.float32)  # type: ignore[attr-defined]
    dim = vectors.shape[1]
    lookup = dict(zip(present, vectors, strict=True))
    return np.stack([lookup[t] if t else np.zeros(dim, np.float32) for t in texts])


def build(rows: list[dict], encoder: object | None) -> Table:
    """Features, vectors and prototype closeness for the rows (encoder None: patterns only)."""
    features = []
    texts, visitors = [], []
    for r in rows:
        prepared = prepare(r["reply"])
        visitor = strip_markup(str(r.get("visitor") or ""))[:MAX_CHARS]
        cues = find_cues(prepared)
        f = pattern_features(cues, prepared.text, visitor)
        f.update(visitor_features(read_moment(visitor), bool(visitor)))
        features.append(f)
        texts.append(prepared.text)
        visitors.append(visitor)
    if encoder is None:
        zeros = np.zeros((len(rows), 1), np.float32)
        return Table(rows, features, zeros, zeros, _groups(rows))
    replies = _cached_encode(encoder, texts)
    visitor_vecs = _cached_encode(encoder, visitors)
    rubric = ReplyRubric(encoder=encoder)  # type: ignore[arg-type]
    protos = rubric.prototype_features(replies)
    for f, p, r, v in zip(features, protos, replies, visitor_vecs, strict=True):
        f.update(p)
        f["ctx_sim"] = float(r @ v)
    return Table(rows, features, replies, visitor_vecs, _groups(rows))


def _groups(rows: list[dict]) -> dict[str, list[str]]:
    return {"author": [r["author"] for r in rows], "source": [r["source"] for r in rows]}


TARGET_NAMES = (
    tuple(f"score:{c}" for c in CRITERIA) + tuple(f"applies:{c}" for c in OPTIONAL)
    + tuple(f"strategy:{s}" for s in STRATEGIES) + tuple(f"leaps:{s}" for s in LEAPS)
)  # fmt: skip


def describe(table: Table) -> str:
    """One line about the table, for logs."""
    kinds: dict[str, int] = {}
    for r in table.rows:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    return json.dumps(kinds)
