"""The trained heads: what the rubric learned from 2,103 labelled replies (bench/rubric/corpus).

One small model per mode reads a reply, the visitor line it answers and the pattern cues, and
estimates every criterion (0-100), whether each optional criterion applies, the strategy
(cooperative / competitive / mixed / neutral) and the LEAPS steps. Encoder mode reads the
sentence vectors of both lines (reply, visitor, and their product: whether the reply speaks to
*this* visitor); pattern mode only the cue counts. Plain numpy: the weights are a file in the
repo (heads.npz, written by bench/train_rubric.py), the encoder is injected as before.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

HEADS_PATH = Path(__file__).with_name("heads.npz")
MODES = ("encoder", "patterns")
BLOCKS = ("r", "v", "rv")  # reply vector, visitor vector, their elementwise product


@dataclass(frozen=True)
class HeadOutput:
    """Everything the heads say about one reply."""

    scores: dict[str, float]  # criterion -> 0..100 estimate
    applies: dict[str, float]  # optional criterion -> probability it applies
    strategy: dict[str, float]  # label -> probability
    leaps: dict[str, float]  # step -> probability


@dataclass(frozen=True)
class Heads:
    """A standardised input, an optional ReLU hidden layer and linear outputs."""

    inputs: tuple[str, ...]  # scalar features, after the embedding blocks (if any)
    blocks: tuple[str, ...]  # embedding blocks read, in order (empty in pattern mode)
    outputs: tuple[str, ...]  # "score:<criterion>", "applies:<c>", "strategy:<l>", "leaps:<s>"
    mean: np.ndarray
    scale: np.ndarray
    layers: tuple[tuple[np.ndarray, np.ndarray], ...]  # (W, b) per layer; ReLU between
    score_link: str = "linear"  # "sigmoid": score outputs are logits of score/100

    @property
    def dim(self) -> int | None:
        """Embedding size the heads expect (None in pattern mode)."""
        if not self.blocks:
            return None
        return (self.mean.shape[0] - len(self.inputs)) // len(self.blocks)

    def matrix(
        self,
        features: Sequence[Mapping[str, float]],
        replies: np.ndarray | None = None,
        visitors: np.ndarray | None = None,
    ) -> np.ndarray:
        """The raw input rows, in the order the heads were trained on."""
        scalars = np.array(
            [[float(f.get(name, 0.0)) for name in self.inputs] for f in features], dtype=np.float32
        ).reshape(len(features), len(self.inputs))
        if not self.blocks:
            return scalars
        assert replies is not None and visitors is not None
        parts = {"r": replies, "v": visitors, "rv": replies * visitors}
        return np.hstack([parts[b] for b in self.blocks] + [scalars]).astype(np.float32)

    def predict(self, x: np.ndarray) -> list[HeadOutput]:
        """Head outputs for raw input rows."""
        h = (x - self.mean) / self.scale
        for i, (w, b) in enumerate(self.layers):
            h = h @ w + b
            if i < len(self.layers) - 1:
                h = np.maximum(h, 0.0)
        return [self._read(row) for row in h]

    def _read(self, row: np.ndarray) -> HeadOutput:
        groups: dict[str, dict[str, float]] = {"score": {}, "applies": {}, "strategy": {},
                                               "leaps": {}}  # fmt: skip
        for name, value in zip(self.outputs, row, strict=True):
            kind, label = name.split(":", 1)
            groups[kind][label] = float(value)
        if self.score_link == "sigmoid":
            scores = {c: 100.0 * _sigmoid(v) for c, v in groups["score"].items()}
        else:
            scores = {c: min(100.0, max(0.0, v)) for c, v in groups["score"].items()}
        applies = {c: _sigmoid(v) for c, v in groups["applies"].items()}
        leaps = {s: _sigmoid(v) for s, v in groups["leaps"].items()}
        logits = np.array(list(groups["strategy"].values()), dtype=np.float64)
        probs = np.exp(logits - logits.max()) if len(logits) else logits
        probs = probs / probs.sum() if len(probs) else probs
        strategy = dict(zip(groups["strategy"], map(float, probs), strict=True))
        return HeadOutput(scores, applies, strategy, leaps)


def _sigmoid(x: float) -> float:
    return float(1.0 / (1.0 + np.exp(-x)))


@lru_cache(maxsize=4)
def load_heads(path: Path = HEADS_PATH) -> dict[str, Heads]:
    """The heads per mode; an empty dict when the file is missing (rubric runs without them)."""
    if not path.exists():
        log.warning("no trained heads at %s; the rubric runs on its linear models alone", path)
        return {}
    data = np.load(path, allow_pickle=False)
    out: dict[str, Heads] = {}
    for mode in MODES:
        if f"{mode}/outputs" not in data:
            continue
        layers = []
        while f"{mode}/W{len(layers)}" in data:
            n = len(layers)
            layers.append((data[f"{mode}/W{n}"].astype(np.float32),
                           data[f"{mode}/b{n}"].astype(np.float32)))  # fmt: skip
        out[mode] = Heads(
            inputs=tuple(str(s) for s in data[f"{mode}/inputs"]),
            blocks=tuple(str(s) for s in data[f"{mode}/blocks"]),
            outputs=tuple(str(s) for s in data[f"{mode}/outputs"]),
            mean=data[f"{mode}/mean"].astype(np.float32),
            scale=data[f"{mode}/scale"].astype(np.float32),
            layers=tuple(layers),
            score_link=str(data[f"{mode}/score_link"]) if f"{mode}/score_link" in data
            else "linear",
        )
    return out


def save_heads(path: Path, heads: Mapping[str, Heads], meta: str = "") -> None:
    """Write heads as float16 weights (the file stays small; scores move by < 0.1 point)."""
    arrays: dict[str, np.ndarray] = {"meta": np.array(meta)}
    for mode, h in heads.items():
        arrays[f"{mode}/inputs"] = np.array(h.inputs)
        arrays[f"{mode}/blocks"] = np.array(h.blocks, dtype="<U4")
        arrays[f"{mode}/outputs"] = np.array(h.outputs)
        arrays[f"{mode}/mean"] = h.mean.astype(np.float32)
        arrays[f"{mode}/scale"] = h.scale.astype(np.float32)
        arrays[f"{mode}/score_link"] = np.array(h.score_link)
        for n, (w, b) in enumerate(h.layers):
            arrays[f"{mode}/W{n}"] = w.astype(np.float16)
            arrays[f"{mode}/b{n}"] = b.astype(np.float32)
    np.savez_compressed(path, **arrays)
