"""Rubric development data (devset.jsonl) and the agreement measures used to judge the rubric.

devset.jsonl: one officer reply per line, answering a visitor line, rated by a trainer on a 1-5
scale per criterion and per dimension (see README.md in this folder). `split` is "train" (what
bench/train_rubric.py fits on, with supplement.jsonl) or "heldout" (never used for fitting;
whole visitor lines are held out).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

from scipy.stats import spearmanr

DEVSET = Path(__file__).with_name("devset.jsonl")
# Training-only replies from everyday settings (peer support, customer service, workplace), so
# the embedding probes learn empathy and courtesy beyond security wording. Never evaluated on.
SUPPLEMENT = Path(__file__).with_name("supplement.jsonl")
SPLITS = ("train", "heldout")


def load_devset(path: Path = DEVSET) -> list[dict]:
    """The labelled rows of the devset."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def group_of(row: dict) -> str:
    """The visitor line a row belongs to (rows answering one line share a split)."""
    return row["id"].rsplit("-", 1)[0]


def to_percent(label: int) -> float:
    """A 1-5 trainer rating on the rubric's 0-100 scale."""
    return (label - 1) * 25.0


def pairwise_accuracy(human: Sequence[float], model: Sequence[float]) -> float:
    """Share of pairs the human ranked differently that the model orders the same way (ties 1/2)."""
    agree = total = 0.0
    for i in range(len(human)):
        for j in range(i + 1, len(human)):
            if human[i] == human[j]:
                continue
            total += 1
            d = (model[i] - model[j]) * (human[i] - human[j])
            agree += 1.0 if d > 0 else 0.5 if d == 0 else 0.0
    return agree / total if total else math.nan


def spearman(human: Sequence[float], model: Sequence[float]) -> float:
    """Spearman rank correlation (nan when either side is constant)."""
    if len(set(human)) < 2 or len(set(model)) < 2:
        return math.nan
    return float(spearmanr(human, model).statistic)


PROBES = Path(__file__).with_name("probes.jsonl")


def load_probes(path: Path = PROBES) -> list[dict]:
    """Contrast pairs outside the security setting: `better` should beat `worse` on `target`."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
