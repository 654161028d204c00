"""Trains what the visitor pipeline reads with: the officer-move model and the line-agitation probe.

Run: .venv/bin/python -m train.reader
Writes bot/core/moves.json (one-vs-rest logistic regression over the MiniLM embedding of an
officer line plus the rubric's tone cues, per move) and bot/core/line_agitation.json (ridge
regression from a visitor line's embedding to the agitation it is spoken at). Data: the officer
lines and visitor lines of train/visitor/data (moves and agitation labelled by their writers)
and the shipped personas' band lines. One persona in six is kept aside to report accuracy on
personas the model has not seen; the benchmark's scenarios are never used.
"""

from __future__ import annotations

import argparse
import json
import logging
import zlib
from pathlib import Path

import numpy as np

from bot.core.moves import MOVES
from bot.core.persona import BANDS, PersonaLibrary
from bot.core.pick import AGITATION_WEIGHTS, BAND_CENTRE
from bot.core.reading import CUE_FEATURES, WEIGHTS, cue_vector
from bot.core.rubric.cues import find_cues
from bot.core.rubric.text import prepare
from bot.settings import PROJECT_ROOT
from train.visitor.data_format import load_dialogues

log = logging.getLogger(__name__)


def _aside(persona_id: str) -> bool:
    """One persona in six (by a stable hash) is kept aside for the report."""
    return zlib.crc32(persona_id.encode()) % 6 == 0


def officer_rows(dialogues: list) -> tuple[list[str], np.ndarray, list[str]]:
    """Officer lines, their move labels [n, moves] and their personas."""
    texts, labels, personas = [], [], []
    for d in dialogues:
        for t in d.turns:
            texts.append(t.officer)
            labels.append([1.0 if m in t.moves else 0.0 for m in MOVES])
            personas.append(d.persona)
    return texts, np.asarray(labels, dtype=np.float32), personas


def features(encoder: object, texts: list[str]) -> np.ndarray:
    """[embedding, cue features] rows, as the Reader builds them."""
    from bot.core.rubric.encoder import unit_rows

    prepared = [prepare(t).text or t for t in texts]
    vectors = unit_rows(np.asarray(encoder.encode(prepared)))  # type: ignore[attr-defined]
    pairs = zip(texts, prepared, strict=True)
    cues = np.stack([cue_vector(find_cues(prepare(t)), p) for t, p in pairs])
    return np.concatenate([vectors, cues], axis=1)


def fit_logistic(x: np.ndarray, y: np.ndarray, c: float = 4.0) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest L2 logistic regression (scikit-learn), weights [moves, dim] and bias."""
    from sklearn.linear_model import LogisticRegression

    weights, bias = [], []
    for j in range(y.shape[1]):
        target = y[:, j]
        if target.min() == target.max():  # a move nobody labelled: never predicted
            weights.append(np.zeros(x.shape[1]))
            bias.append(-8.0)
            continue
        model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
        model.fit(x, target)
        weights.append(model.coef_[0])
        bias.append(float(model.intercept_[0]))
    return np.asarray(weights, dtype=np.float32), np.asarray(bias, dtype=np.float32)


def move_report(probs: np.ndarray, y: np.ndarray, main: np.ndarray) -> dict[str, float]:
    """Main-move accuracy (the writer's first move) and per-move F1 at the Reader's threshold."""
    from bot.core.reading import MOVE_THRESHOLD

    report = {"main_move_accuracy": round(float((probs.argmax(1) == main).mean()), 3)}
    predicted = probs >= MOVE_THRESHOLD
    for j, move in enumerate(MOVES):
        tp = float((predicted[:, j] & (y[:, j] > 0)).sum())
        fp = float((predicted[:, j] & (y[:, j] == 0)).sum())
        fn = float((~predicted[:, j] & (y[:, j] > 0)).sum())
        report[f"f1_{move.value}"] = round(2 * tp / max(1.0, 2 * tp + fp + fn), 3)
    return report


def main(argv: list[str] | None = None) -> int:
    """Train both models and write their weights and a report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, default=PROJECT_ROOT / "train" / "reader.json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from bot.model.encoder import load_encoder

    encoder = load_encoder()
    dialogues = load_dialogues()
    texts, y, personas = officer_rows(dialogues)
    main = np.asarray([MOVES.index(t.moves[0]) for d in dialogues for t in d.turns])
    x = features(encoder, texts)
    aside = np.asarray([_aside(p) for p in personas])
    report: dict[str, object] = {"officer_lines": len(texts), "aside_lines": int(aside.sum())}
    w, b = fit_logistic(x[~aside], y[~aside])
    probs = 1 / (1 + np.exp(-(x[aside] @ w.T + b)))
    report["moves_on_unseen_personas"] = move_report(probs, y[aside], main[aside])
    w, b = fit_logistic(x, y)  # the shipped model learns from every persona
    WEIGHTS.write_text(json.dumps({
        "encoder": "all-MiniLM-L6-v2", "moves": [m.value for m in MOVES],
        "features": ["embedding"] * (x.shape[1] - len(CUE_FEATURES)) + list(CUE_FEATURES),
        "weights": np.round(w, 5).tolist(), "bias": np.round(b, 5).tolist(),
    }) + "\n")  # fmt: skip

    # line agitation: writers' visitor lines at their level, persona band lines at band centres
    lines, levels, owners = [], [], []
    for d in dialogues:
        for t in d.turns:
            lines.append(t.visitor)
            levels.append(float(t.agitation))
            owners.append(d.persona)
    library = PersonaLibrary.from_directory(PROJECT_ROOT / "personas")
    for persona in library.personas.values():
        for band in BANDS:
            for line in persona.lines[band]:
                lines.append(line)
                levels.append(BAND_CENTRE[band])
                owners.append(persona.id)
    from sklearn.linear_model import Ridge

    from bot.core.rubric.encoder import unit_rows

    vectors = unit_rows(np.asarray(encoder.encode(lines)))
    target = np.asarray(levels)
    held = np.asarray([_aside(p) for p in owners])
    ridge = Ridge(alpha=1.0).fit(vectors[~held], target[~held])
    pred = np.clip(ridge.predict(vectors[held]), 0, 10)
    report["agitation_on_unseen_personas"] = {
        "lines": int(held.sum()),
        "mean_abs_error": float(np.abs(pred - target[held]).mean()),
        "spearman": float(_spearman(pred, target[held])),
    }
    ridge = Ridge(alpha=1.0).fit(vectors, target)
    AGITATION_WEIGHTS.write_text(json.dumps({
        "encoder": "all-MiniLM-L6-v2", "weights": np.round(ridge.coef_, 5).tolist(),
        "bias": round(float(ridge.intercept_), 5), "lines": len(lines),
    }) + "\n")  # fmt: skip
    args.report.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(a, b).statistic)


if __name__ == "__main__":
    raise SystemExit(main())
