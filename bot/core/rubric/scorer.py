"""ReplyRubric: scores officer replies on the nine criteria, with evidence, coaching and flags."""

from __future__ import annotations

import logging
import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.core.rubric.coaching import coaching_for, top_coaching
from bot.core.rubric.context import (
    NOT_APPLICABLE_NOTE,
    OPTIONAL,
    Moment,
    default_applicability,
    read_moment,
    ruled_applicability,
    visitor_features,
)
from bot.core.rubric.cues import Cues, find_cues
from bot.core.rubric.encoder import Encoder, unit_rows
from bot.core.rubric.evidence import evidence_for, no_words_score
from bot.core.rubric.features import (
    context_overlap,
    encoder_features,
    pattern_features,
    refine_ignores_question,
)
from bot.core.rubric.heads import HEADS_PATH, HeadOutput, load_heads
from bot.core.rubric.model import WEIGHTS_PATH, apply_caps, apply_floors, load_models
from bot.core.rubric.prototypes import PROTOTYPES
from bot.core.rubric.strategy import strategy_from
from bot.core.rubric.text import MAX_CHARS, PreparedReply, prepare, strip_markup
from bot.core.scores import CRITERIA, CriterionScore, RubricScore, ScoreContext, dimensions_from

log = logging.getLogger(__name__)

# Cue -> flag on the RubricScore (what a trainer would call out), in reporting order.
TONE_FLAGS = {
    "threat": "threat", "ultimatum": "ultimatum", "insult": "insult", "profanity": "profanity",
    "shouting": "shouting", "sarcasm": "sarcasm", "calm_down": "calm_down", "command": "command",
    "blame": "blame", "dismissive": "dismissive", "rules_bare": "rules_without_reason",
    "but_dismissal": "but_dismissal", "ignores_question": "ignores_question",
    "never_say": "never_say",
}  # fmt: skip
# Which criterion's coaching fixes each cue, for the top-level coaching (most severe first).
SEVERE = (
    ("threat", "composed_tone"), ("ultimatum", "non_commanding"), ("insult", "composed_tone"),
    ("profanity", "composed_tone"), ("shouting", "composed_tone"),
    ("calm_down", "non_commanding"), ("sarcasm", "composed_tone"),
    ("but_dismissal", "acknowledges_emotion"), ("blame", "non_commanding"),
    ("dismissive", "respectful"), ("rules_bare", "explains_reason"),
    ("ignores_question", "shows_understanding"), ("never_say", "non_commanding"),
    ("command", "non_commanding"),
)  # fmt: skip
_PROTOTYPE_CACHE: weakref.WeakKeyDictionary[object, dict[str, tuple[np.ndarray, np.ndarray]]]
_PROTOTYPE_CACHE = weakref.WeakKeyDictionary()
_VISITOR_CACHE_SIZE = 256
APPLIES_AT = 0.5  # head probability at which an optional criterion counts


class ReplyRubric:
    """The rubric (implements bot.core.scores.Rubric); pass an Encoder for the full-quality mode."""

    def __init__(
        self, encoder: Encoder | None = None, weights: Path | None = None, heads: Path | None = None
    ) -> None:
        self.encoder = encoder
        self.mode = "encoder" if encoder is not None else "patterns"
        self._weights = weights or WEIGHTS_PATH
        self._heads = heads or HEADS_PATH
        self._prototypes: dict[str, tuple[np.ndarray, np.ndarray]] | None = None
        self._visitors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def score(
        self, reply: str, visitor_line: str = "", context: ScoreContext | None = None
    ) -> RubricScore:
        """Score one reply against the visitor line it answers (and the conversation so far)."""
        return self.score_many([(reply, visitor_line)], [context])[0]

    def score_many(
        self,
        pairs: Sequence[tuple[str, str]],
        contexts: Sequence[ScoreContext | None] | None = None,
    ) -> list[RubricScore]:
        """Score (reply, visitor_line) pairs in one batch (one encoder call for all of them)."""
        batch = self._analyse(pairs, contexts)
        modes = load_models(self._weights)
        models = modes["encoder"] if batch.encoded else modes["patterns"]
        return [
            self._assemble(p, batch, i, models) if p.scorable else no_words_score(p)
            for i, p in enumerate(batch.prepared)
        ]

    def features(self, pairs: Sequence[tuple[str, str]]) -> list[dict[str, float] | None]:
        """The model inputs per pair (None where the reply has no words); for training and debug."""
        batch = self._analyse(pairs)
        return [batch.features.get(i) for i in range(len(batch.prepared))]

    def prototype_features(self, replies: np.ndarray) -> list[dict[str, float]]:
        """Closeness of reply vectors to each criterion's prototypes (for training the heads)."""
        return encoder_features(unit_rows(replies), None, self._prototype_vectors())

    def _analyse(
        self,
        pairs: Sequence[tuple[str, str]],
        contexts: Sequence[ScoreContext | None] | None = None,
    ) -> _Batch:
        prepared = [prepare(reply) for reply, _ in pairs]
        visitors = [strip_markup(str(v or ""))[:MAX_CHARS] for _, v in pairs]
        contexts = list(contexts) if contexts is not None else [None] * len(pairs)
        live = [i for i, p in enumerate(prepared) if p.scorable]
        cues = {i: find_cues(prepared[i]) for i in live}
        # One reading per distinct moment: a batch often answers the same line many times.
        seen: dict[tuple[str, int], Moment] = {}
        moments = {}
        for i in live:
            key = (visitors[i], id(contexts[i]))
            if key not in seen:
                seen[key] = read_moment(visitors[i], contexts[i])
            moments[i] = seen[key]
        feats = {i: pattern_features(cues[i], prepared[i].text, visitors[i]) for i in live}
        for i in live:
            feats[i].update(visitor_features(moments[i], bool(visitors[i])))
        encoded = self._encoder_features(live, prepared, visitors) if live else None
        if encoded is not None:
            for i, extra in zip(live, encoded[0], strict=True):
                feats[i].update(extra)
            refine_ignores_question([feats[i] for i in live], [bool(visitors[i]) for i in live])
        # An empty batch "encoded" fine; a failed encoder falls back to the pattern models.
        ok = self.encoder is not None and (encoded is not None or not live)
        heads = load_heads(self._heads).get("encoder" if ok else "patterns")
        outputs: dict[int, HeadOutput] = {}
        if heads is not None and live:
            rows = [feats[i] for i in live]
            vectors = (encoded[1], encoded[2]) if encoded is not None else (None, None)
            for i, out in zip(live, heads.predict(heads.matrix(rows, *vectors)), strict=True):
                outputs[i] = out
                feats[i].update({f"head_{c}": v / 100.0 for c, v in out.scores.items()})
        return _Batch(prepared, visitors, cues, feats, ok, moments, outputs)

    # -- encoder ---------------------------------------------------------------------------
    def _encoder_features(
        self, live: list[int], prepared: list[PreparedReply], visitors: list[str]
    ) -> tuple[list[dict[str, float]], np.ndarray, np.ndarray] | None:
        if self.encoder is None:
            return None
        try:
            prototypes = self._prototype_vectors()
            replies = self._encode([prepared[i].text for i in live])
            visitor_vecs = self._visitor_vectors([visitors[i] for i in live], replies.shape[1])
            heads = load_heads(self._heads).get("encoder")
            if heads is not None and heads.dim != replies.shape[1]:
                raise ValueError(
                    f"encoder gives {replies.shape[1]}-d vectors; the heads expect {heads.dim}-d "
                    "ones, from the encoder they were trained with"
                )
        except Exception:  # a broken encoder must not break practice: score on patterns alone
            log.exception("rubric encoder failed; scoring this batch on patterns only")
            return None
        return encoder_features(replies, visitor_vecs, prototypes), replies, visitor_vecs

    def _encode(self, texts: list[str]) -> np.ndarray:
        assert self.encoder is not None
        matrix = np.asarray(self.encoder.encode(list(texts)))
        if matrix.ndim != 2 or matrix.shape[0] != len(texts) or not np.isfinite(matrix).all():
            raise ValueError(f"encoder returned shape {matrix.shape} for {len(texts)} texts")
        return unit_rows(matrix)

    def _prototype_vectors(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        if self._prototypes is None:
            try:
                cached = _PROTOTYPE_CACHE.get(self.encoder)
            except TypeError:  # encoder objects that cannot be weakly referenced
                cached = None
            if cached is None:
                cached = self._embed_prototypes()
                try:
                    _PROTOTYPE_CACHE[self.encoder] = cached
                except TypeError:
                    pass
            self._prototypes = cached
        return self._prototypes

    def _embed_prototypes(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        texts = [t for pos, neg in PROTOTYPES.values() for t in pos + neg]
        vectors = self._encode(texts)
        out, at = {}, 0
        for criterion, (pos, neg) in PROTOTYPES.items():
            out[criterion] = (
                vectors[at : at + len(pos)],
                vectors[at + len(pos) : at + len(pos) + len(neg)],
            )
            at += len(pos) + len(neg)
        return out

    def _visitor_vectors(self, lines: list[str], dim: int) -> np.ndarray:
        with self._lock:
            missing = list(dict.fromkeys(v for v in lines if v and v not in self._visitors))
        fresh = dict(zip(missing, self._encode(missing), strict=True)) if missing else {}
        with self._lock:
            self._visitors.update(fresh)
            for line in lines:
                if line in self._visitors:
                    self._visitors.move_to_end(line)
            while len(self._visitors) > _VISITOR_CACHE_SIZE:
                self._visitors.popitem(last=False)
            zero = np.zeros(dim, dtype=np.float32)
            return np.stack(
                [self._visitors.get(v, fresh.get(v, zero)) if v else zero for v in lines]
            )

    # -- assembly --------------------------------------------------------------------------
    def _assemble(self, reply: PreparedReply, batch: _Batch, i: int, models: dict) -> RubricScore:
        cues, feats, visitor = batch.cues[i], batch.features[i], batch.visitors[i]
        moment, head = batch.moments[i], batch.heads.get(i)
        raw = {c: models[c].predict(feats) for c in CRITERIA}
        # The cues that count: strong shouting only, bare rules only when no reason was given.
        present = {f for f in cues.hits if f != "shouting"}
        if cues.shouting >= 0.6:
            present.add("shouting")
        if feats.get("ignores_question", 0) >= 1:
            present.add("ignores_question")
        if feats.get("rules_bare", 0) == 0:
            present.discard("rules_bare")
        capped = apply_floors(apply_caps(raw, present), present)
        values = {c: int(round(v)) for c, v in capped.items()}
        applies = applicability(cues, moment, head)
        overlap, shared = context_overlap(reply.text, visitor)
        criteria: dict[str, CriterionScore] = {}
        lines: dict[str, tuple[int, str]] = {}
        for c in CRITERIA:
            if not applies.get(c, True):
                criteria[c] = CriterionScore(c, values[c], (), NOT_APPLICABLE_NOTE[c], False)
                continue
            evidence = evidence_for(c, values[c], cues, shared, reply.sentences)
            tip = coaching_for(c, values[c], cues, present, evidence, moment.stage)
            criteria[c] = CriterionScore(c, values[c], evidence, tip)
            lines[c] = (values[c], tip)
        severe = [c for c in dict.fromkeys(crit for cue, crit in SEVERE if cue in present)
                  if c in lines]  # fmt: skip
        flags = reply.flags + tuple(flag for cue, flag in TONE_FLAGS.items() if cue in present)
        na = [c for c in CRITERIA if not criteria[c].applicable]
        return RubricScore(
            criteria,
            dimensions_from(values, na),
            top_coaching(lines, severe),
            flags,
            strategy_from(cues, overlap, head),
        )


def applicability(cues: Cues, moment: Moment, head: HeadOutput | None) -> dict[str, bool]:
    """Which optional criteria the moment calls for: the rules where they decide (a refusal owes
    a reason, a goodbye needs no question), the trained heads otherwise, else the defaults."""
    ruled = ruled_applicability(cues, moment)
    if head is None or not head.applies:
        return default_applicability(cues, moment)
    return {
        c: bool(ruled[c]) if ruled[c] is not None else head.applies.get(c, 1.0) >= APPLIES_AT
        for c in OPTIONAL
    }


@dataclass
class _Batch:
    """Everything computed for a batch before the models run."""

    prepared: list[PreparedReply]
    visitors: list[str]
    cues: dict[int, Cues]
    features: dict[int, dict[str, float]]
    encoded: bool
    moments: dict[int, Moment]
    heads: dict[int, HeadOutput]
