"""Fit the rubric's criterion models on the devset's train split and write weights.json.

Run: .venv/bin/python -m bench.train_rubric  (about a minute on 2 CPU cores; deterministic)

Each criterion is a ridge regression on its own few features (bot/core/rubric/model.py SPEC),
with coefficients constrained to the sign the SPEC gives them, so training decides how much a
cue matters, never whether "calm down" helps. Alpha is picked by grouped cross-validation
(whole visitor lines held out per fold). The held-out split is never read here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
from pathlib import Path

import numpy as np
from sklearn.linear_model import Ridge
from sklearn.model_selection import GroupKFold, cross_val_predict, cross_val_score

from bench.rubric import DEVSET, SUPPLEMENT, group_of, load_devset, to_percent
from bot.core.rubric import ReplyRubric
from bot.core.rubric.model import ENCODER_FEATURES, WEIGHTS_PATH, spec_for
from bot.core.rubric.text import prepare
from bot.core.scores import CRITERIA

log = logging.getLogger("bench.train_rubric")
ALPHAS = (0.3, 1.0, 3.0, 10.0, 30.0)
PROBE_ALPHAS = (0.3, 1.0, 3.0, 10.0)
# Patterns miss paraphrases they were not written for. Copies of each training row with some
# pattern features knocked out teach the encoder-mode model to lean on meaning when that happens.
DROPOUT_COPIES = 4
DROPOUT_RATE = 0.35


def _fit(x: np.ndarray, y: np.ndarray, groups: list[str]) -> tuple[Ridge, float, float]:
    folds = GroupKFold(n_splits=5)
    best: tuple[float, float] | None = None
    for alpha in ALPHAS:
        scores = cross_val_score(
            Ridge(alpha=alpha, positive=True), x, y, groups=groups, cv=folds,
            scoring="neg_mean_absolute_error",
        )  # fmt: skip
        if best is None or scores.mean() > best[1]:
            best = (alpha, float(scores.mean()))
    assert best is not None
    model = Ridge(alpha=best[0], positive=True).fit(x, y)
    return model, best[0], -best[1]


def _with_dropout(
    x: np.ndarray, y: np.ndarray, groups: list[str], names: list[str], seed: int
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    droppable = np.array([n not in ENCODER_FEATURES for n in names])
    xs, ys = [x], [y]
    for _ in range(DROPOUT_COPIES):
        keep = rng.random(x.shape) >= DROPOUT_RATE
        xs.append(np.where(droppable & ~keep, 0.0, x))
        ys.append(y)
    return np.vstack(xs), np.concatenate(ys), groups * (DROPOUT_COPIES + 1)


def train(rows: list[dict], features: list[dict[str, float]], with_encoder: bool) -> dict:
    """Per-criterion intercept and signed weights for one mode."""
    groups = [group_of(r) for r in rows]
    out = {}
    for k, criterion in enumerate(CRITERIA):
        spec = spec_for(criterion, with_encoder)
        names = list(spec)
        x = np.array([[spec[n] * f.get(n, 0.0) for n in names] for f in features])
        y = np.array([to_percent(r["criteria"][criterion]) for r in rows])
        if with_encoder and DROPOUT_COPIES:
            x, y, groups_used = _with_dropout(x, y, groups, names, seed=k)
        else:
            groups_used = groups
        model, alpha, mae = _fit(x, y, groups_used)
        used = [(n, w) for n, w in zip(names, model.coef_, strict=True) if w > 1e-6]
        weights = {n: round(float(spec[n] * w), 3) for n, w in used}
        out[criterion] = {
            "intercept": round(float(model.intercept_), 3),
            "weights": weights,
            "alpha": alpha,
            "cv_mae": round(mae, 2),
        }
        mode = "encoder" if with_encoder else "patterns"
        log.info(
            "%-9s %-27s alpha=%-5s cv MAE %.1f  %d features used",
            mode, criterion, alpha, mae, len(weights),
        )  # fmt: skip
    return out


def train_probes(
    rows: list[dict], vectors: np.ndarray, features: list[dict[str, float]]
) -> dict[str, dict]:
    """A ridge probe per criterion on the reply embedding. Its out-of-fold estimates replace the
    `probe_*` features of the training rows, so the linear models never see a probe score that
    was fitted on the same reply."""
    groups = [group_of(r) for r in rows]
    folds = GroupKFold(n_splits=5)
    probes = {}
    for criterion in CRITERIA:
        y = np.array([to_percent(r["criteria"][criterion]) for r in rows])
        best: tuple[float, float, np.ndarray] | None = None
        for alpha in PROBE_ALPHAS:
            oof = cross_val_predict(Ridge(alpha=alpha), vectors, y, groups=groups, cv=folds)
            mae = float(np.abs(oof - y).mean())
            if best is None or mae < best[1]:
                best = (alpha, mae, oof)
        assert best is not None
        for f, estimate in zip(features, best[2], strict=True):
            f[f"probe_{criterion}"] = float(estimate) / 100.0
        probe = Ridge(alpha=best[0]).fit(vectors, y)
        probes[criterion] = {
            "intercept": round(float(probe.intercept_), 4),
            "coef": [round(float(v), 5) for v in probe.coef_],
            "alpha": best[0],
            "cv_mae": round(best[1], 2),
        }
        log.info("probe     %-27s alpha=%-5s cv MAE %.1f", criterion, best[0], best[1])
    return probes


def main(argv: list[str] | None = None) -> int:
    """Train both modes and write the weights file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    from bot.model.encoder import ENCODER_NAME, load_encoder

    rows = [r for r in load_devset() if r["split"] == "train"] + load_devset(SUPPLEMENT)
    pairs = [(r["reply"], r["visitor"]) for r in rows]
    encoder = load_encoder()
    encoded = ReplyRubric(encoder=encoder).features(pairs)
    plain = ReplyRubric().features(pairs)
    if any(f is None for f in encoded + plain):
        raise SystemExit("a devset reply has no words to score; fix the devset")
    vectors = encoder.encode([prepare(r["reply"]).text for r in rows])
    probes = train_probes(rows, vectors, encoded)  # type: ignore[arg-type]
    data = {
        "version": 1,
        "meta": {
            "trained_on": f"{DEVSET.name} train split + {SUPPLEMENT.name}, {len(rows)} replies",
            "devset_sha256": hashlib.sha256(DEVSET.read_bytes()).hexdigest()[:16],
            "supplement_sha256": hashlib.sha256(SUPPLEMENT.read_bytes()).hexdigest()[:16],
            "encoder": ENCODER_NAME,
            "target": "criterion rating 1-5 mapped to 0-100",
            "command": "python -m bench.train_rubric",
        },
        "probes": probes,
        "modes": {
            "encoder": train(rows, encoded, with_encoder=True),  # type: ignore[arg-type]
            "patterns": train(rows, plain, with_encoder=False),  # type: ignore[arg-type]
        },
    }
    args.out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
