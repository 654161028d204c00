"""Train the rubric on the labelled corpus and write heads.npz and weights.json.

Run: nice -n 19 .venv/bin/python -m bench.train_rubric   (a few minutes on 2 CPU cores;
deterministic)

Two trained layers, both files in the repo (bot/core/rubric/):
- heads.npz: per mode, linear heads over the reply and visitor sentence vectors (encoder mode)
  and the cue counts: every criterion's score, whether each optional criterion applies, the
  strategy and the LEAPS steps (bench/rubric/fit.py).
- weights.json: per criterion, a ridge model over its own cue features plus the head's
  estimate, each weight constrained to the sign the rubric gives it (model.py SPEC), so "calm
  down" can only ever cost points; caps then make the clear-cut cases certain. Its head inputs
  are out-of-fold estimates (whole authors held out), never a head fitted on the same reply.

Data: bench/rubric/corpus (2,103 replies, three writers, nine settings), the devset's train
split and supplement.jsonl; plus corpus replies paired with another setting's visitor line and
rated 1 for understanding (dataset.mismatch_rows). The devset's held-out split is never read.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
from pathlib import Path

import numpy as np
from sklearn.linear_model import Ridge
from sklearn.model_selection import GroupKFold, cross_val_score

from bench.rubric import DEVSET, SUPPLEMENT
from bench.rubric.corpus import CORPUS
from bench.rubric.dataset import (
    CachedEncoder,
    Table,
    build,
    corpus_rows,
    devset_rows,
    mismatch_rows,
    supplement_rows,
)
from bench.rubric.fit import fit_linear
from bot.core.rubric.heads import HEADS_PATH, Heads, save_heads
from bot.core.rubric.model import ENCODER_FEATURES, HEAD_FEATURES, WEIGHTS_PATH, spec_for
from bot.core.scores import CRITERIA

log = logging.getLogger("bench.train_rubric")
ALPHAS = (0.3, 1.0, 3.0, 10.0, 30.0)
# Patterns miss paraphrases they were not written for. Copies of each training row with some
# pattern features knocked out teach the encoder-mode model to lean on meaning when that happens.
DROPOUT_COPIES = 4
DROPOUT_RATE = 0.35
MODES = ("encoder", "patterns")


def _fit(x: np.ndarray, y: np.ndarray, groups: list[str]) -> tuple[Ridge, float, float]:
    folds = GroupKFold(n_splits=min(5, len(set(groups))))
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
    droppable = np.array([n not in ENCODER_FEATURES + HEAD_FEATURES for n in names])
    xs, ys = [x], [y]
    for _ in range(DROPOUT_COPIES):
        keep = rng.random(x.shape) >= DROPOUT_RATE
        xs.append(np.where(droppable & ~keep, 0.0, x))
        ys.append(y)
    return np.vstack(xs), np.concatenate(ys), groups * (DROPOUT_COPIES + 1)


def train_linear(table: Table, features: list[dict[str, float]], mode: str) -> dict:
    """Per-criterion intercept and signed weights for one mode (rows where the criterion
    applies), with the alpha picked by cross-validation over whole authors/settings."""
    out = {}
    for k, criterion in enumerate(CRITERIA):
        spec = spec_for(criterion, mode == "encoder")
        names = list(spec)
        y_all = table.score_target(criterion)
        keep = [i for i in range(len(y_all)) if not np.isnan(y_all[i])]
        x = np.array([[spec[n] * features[i].get(n, 0.0) for n in names] for i in keep])
        y = y_all[keep]
        groups = [table.groups["source"][i] for i in keep]
        if mode == "encoder" and DROPOUT_COPIES:
            x, y, groups = _with_dropout(x, y, groups, names, seed=k)
        model, alpha, mae = _fit(x, y, groups)
        used = [(n, w) for n, w in zip(names, model.coef_, strict=True) if w > 1e-6]
        out[criterion] = {
            "intercept": round(float(model.intercept_), 3),
            "weights": {n: round(float(spec[n] * w), 3) for n, w in used},
            "alpha": alpha,
            "cv_mae": round(mae, 2),
        }
        log.info("%-9s %-27s alpha=%-5s cv MAE %.1f  %d features used",
                 mode, criterion, alpha, mae, len(used))  # fmt: skip
    return out


def out_of_fold(table: Table, idx: np.ndarray, mode: str) -> list[dict[str, float]]:
    """Features of rows `idx` with head_* estimates from heads that never saw the row's author."""
    authors = np.array(table.groups["author"])
    features = [dict(f) for f in table.features]
    for author in sorted(set(authors[idx])):
        held = idx[authors[idx] == author]
        rest = idx[authors[idx] != author]
        heads = fit_linear(table, rest, mode)
        for i, out in zip(held, predict(heads, table, held), strict=True):
            features[i].update({f"head_{c}": v / 100.0 for c, v in out.scores.items()})
    return features


def predict(heads: Heads, table: Table, idx: np.ndarray) -> list:
    """Head outputs for rows `idx` of a table."""
    rows = [table.features[i] for i in idx]
    if heads.blocks:
        return heads.predict(heads.matrix(rows, table.replies[idx], table.visitors[idx]))
    return heads.predict(heads.matrix(rows))


def fit_rubric(
    tables: dict[str, Table], idx: np.ndarray, variant: str = "combined"
) -> tuple[dict[str, Heads], dict]:
    """Heads and linear models for both modes, trained on rows `idx` only. Variant "heads":
    each criterion is the head's estimate alone (caps still apply), for comparison."""
    heads, modes = {}, {}
    for mode in MODES:
        table = tables[mode]
        heads[mode] = fit_linear(table, idx, mode)
        if variant == "heads":
            modes[mode] = {c: {"intercept": 0.0, "weights": {f"head_{c}": 100.0}}
                           for c in CRITERIA}  # fmt: skip
            continue
        features = out_of_fold(table, idx, mode)
        sub = Table([table.rows[i] for i in idx], [features[i] for i in idx],
                    table.replies[idx], table.visitors[idx],
                    {k: [v[i] for i in idx] for k, v in table.groups.items()})  # fmt: skip
        modes[mode] = train_linear(sub, sub.features, mode)
    return heads, modes


def training_rows() -> list[dict]:
    """Everything the rubric is trained on (never the devset's held-out split)."""
    rows = corpus_rows() + devset_rows("train") + supplement_rows()
    return rows + mismatch_rows(rows)


def main(argv: list[str] | None = None) -> int:
    """Train both modes and write the weights files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=Path, default=WEIGHTS_PATH)
    parser.add_argument("--heads", type=Path, default=HEADS_PATH)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    from bot.model.encoder import ENCODER_NAME, load_encoder

    rows = training_rows()
    encoder = CachedEncoder(load_encoder)
    tables = {"encoder": build(rows, encoder), "patterns": build(rows, None)}
    encoder.save()
    heads, modes = fit_rubric(tables, np.arange(len(rows)))
    corpus_hash = hashlib.sha256(
        b"".join(p.read_bytes() for p in sorted(CORPUS.glob("*.jsonl")))
    ).hexdigest()[:16]
    meta = {
        "trained_on": f"rubric corpus + {DEVSET.name} train split + {SUPPLEMENT.name}, "
        f"{len(rows)} replies",
        "corpus_sha256": corpus_hash,
        "devset_sha256": hashlib.sha256(DEVSET.read_bytes()).hexdigest()[:16],
        "encoder": ENCODER_NAME,
        "target": "criterion rating 1-5 mapped to 0-100, where it applies",
        "command": "python -m bench.train_rubric",
    }
    save_heads(args.heads, heads, json.dumps(meta))
    data = {"version": 2, "meta": meta, "modes": modes}
    args.weights.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.weights} and {args.heads} ({args.heads.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
