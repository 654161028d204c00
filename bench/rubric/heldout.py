"""Held-out evaluation of the rubric by author (and so by setting): train without one writer,
score that writer's replies through the real ReplyRubric, repeat for each writer.

Run: nice -n 19 .venv/bin/python -m bench.rubric.heldout [--grid] [--mlp]
     (writes bench/results/rubric_heldout.json; ~10 min on 2 cores)

Each writer wrote three settings of their own (writer-1: security, transport, hospitality;
writer-2: customer service, workplace, everyday; writer-3: healthcare, peer support,
education), so every held-out fold is new wording *and* new settings. Reported per criterion:
AUC of the score for high (4-5) against low (1-2) human ratings and Spearman, on the replies the
criterion applies to; the four proxies for the independent benchmarks (emotional reactions ->
acknowledges_emotion, interpretations -> shows_understanding, explorations -> explores,
politeness -> respectful, also with the visitor line removed as request corpora have none);
applicability accuracy; strategy accuracy and kappa; LEAPS F1. `--grid` compares head
regularisation, `--mlp` linear heads against an MLP (heads alone, same folds).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import tempfile
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import cohen_kappa_score, f1_score, roc_auc_score

from bench.rubric.corpus import LEAPS
from bench.rubric.dataset import CachedEncoder, Table, build
from bench.rubric.fit import fit_linear, fit_mlp
from bench.train_rubric import fit_rubric, predict, training_rows
from bot.core.rubric import ReplyRubric
from bot.core.rubric.context import OPTIONAL
from bot.core.rubric.heads import save_heads
from bot.core.scores import CRITERIA, RubricScore

log = logging.getLogger("bench.rubric.heldout")
RESULTS = Path(__file__).resolve().parent.parent / "results" / "rubric_heldout.json"
WRITERS = ("writer-1", "writer-2", "writer-3")
PROXIES = {"emotional_reactions": "acknowledges_emotion", "interpretations": "shows_understanding",
           "explorations": "explores", "politeness": "respectful"}  # fmt: skip
_KEYWORDS = {  # the ten-line keyword scorer the issue compares against
    "acknowledges_emotion": r"\b(?:sorry|understand|feel|frustrat\w*|upset|worr\w*)\b",
    "shows_understanding": r"\b(?:so you|you(?:'re| are) saying|sounds like|you mean)\b",
    "explores": r"\?",
    "respectful": r"\b(?:please|thank\w*|sir|madam|sorry)\b",
}


def auc_high_low(labels: list[int | None], scores: list[float]) -> float | None:
    """AUC of scores for ratings 4-5 against 1-2 (3 and not-applicable left out)."""
    pairs = [(lab >= 4, s) for lab, s in zip(labels, scores, strict=True)
             if lab is not None and lab != 3]  # fmt: skip
    ys = [y for y, _ in pairs]
    if len(set(ys)) < 2:
        return None
    return round(float(roc_auc_score(ys, [s for _, s in pairs])), 3)


def rho(labels: list[int | None], scores: list[float]) -> float | None:
    """Spearman over the rated rows."""
    pairs = [(lab, s) for lab, s in zip(labels, scores, strict=True) if lab is not None]
    if len(pairs) < 5:
        return None
    return round(float(spearmanr([p[0] for p in pairs], [p[1] for p in pairs]).statistic), 3)


def _share(truth: list, said: list) -> float:
    return round(float(np.mean([a == b for a, b in zip(truth, said, strict=True)])), 3)


def metrics(rows: list[dict], scored: list[RubricScore], bare: list[RubricScore]) -> dict:
    """Every figure for held-out rows scored by a rubric that never saw their author."""
    out: dict[str, object] = {"rows": len(rows), "criteria": {}, "proxies": {}}
    for c in CRITERIA:
        labels = [r["labels"][c] for r in rows]
        scores = [float(s.criterion(c)) for s in scored]
        out["criteria"][c] = {"auc_high_low": auc_high_low(labels, scores),  # type: ignore[index]
                              "spearman": rho(labels, scores)}  # fmt: skip
    for proxy, c in PROXIES.items():
        labels = [r["labels"][c] for r in rows]
        keyword = [float(len(re.findall(_KEYWORDS[c], r["reply"], re.I))) for r in rows]
        out["proxies"][proxy] = {  # type: ignore[index]
            "criterion": c,
            "auc": auc_high_low(labels, [float(s.criterion(c)) for s in scored]),
            "auc_reply_alone": auc_high_low(labels, [float(b.criterion(c)) for b in bare]),
            "keyword_auc": auc_high_low(labels, keyword),
        }
    applicability = {}
    for c in OPTIONAL:
        truth = [r["labels"][c] is not None for r in rows]
        said = [s.applies(c) for s in scored]
        applicability[c] = {
            "accuracy": _share(truth, said),
            "not_applicable_f1": round(float(f1_score([not t for t in truth],
                                                      [not s for s in said])), 3),  # fmt: skip
            "human_not_applicable": int(sum(not t for t in truth)),
        }
    out["applicability"] = applicability
    truth = [r["strategy"] for r in rows]
    said = [s.strategy.label if s.strategy else "neutral" for s in scored]
    out["strategy"] = {
        "accuracy": _share(truth, said),
        "kappa": round(float(cohen_kappa_score(truth, said)), 3),
        "competitive_f1": round(float(f1_score([t == "competitive" for t in truth],
                                               [s == "competitive" for s in said])), 3),
        "cooperative_share": {"human": round(truth.count("cooperative") / len(truth), 3),
                              "rubric": round(said.count("cooperative") / len(said), 3)},
    }  # fmt: skip
    out["leaps_f1"] = {
        step: round(float(f1_score([step in r["leaps"] for r in rows],
                                   [bool(s.strategy and step in s.strategy.leaps)
                                    for s in scored])), 3)
        for step in LEAPS
    }  # fmt: skip
    return out


def score_fold(tables: dict[str, Table], train: np.ndarray, test: np.ndarray, encoder: object,
               tmp: Path, variant: str = "combined",
               ) -> dict[str, tuple[list[RubricScore], list[RubricScore]]]:  # fmt: skip
    """Train on `train`, score `test` through ReplyRubric in both modes (with and without the
    visitor line)."""
    from bot.core.rubric.heads import load_heads
    from bot.core.rubric.model import load_models

    load_heads.cache_clear()  # every fold writes new files at the same paths
    load_models.cache_clear()
    heads, modes = fit_rubric(tables, train, variant)
    heads_path, weights_path = tmp / "heads.npz", tmp / "weights.json"
    save_heads(heads_path, heads)
    weights_path.write_text(json.dumps({"version": 2, "modes": modes}))
    rows = [tables["encoder"].rows[i] for i in test]
    out = {}
    for mode, enc in (("encoder", encoder), ("patterns", None)):
        rubric = ReplyRubric(encoder=enc, weights=weights_path, heads=heads_path)  # type: ignore[arg-type]
        scored = rubric.score_many([(r["reply"], r["visitor"]) for r in rows])
        bare = rubric.score_many([(r["reply"], "") for r in rows])
        out[mode] = (scored, bare)
    return out


def heads_only(tables: dict[str, Table], fitter: str, **kw: float) -> dict[str, float | None]:
    """Proxy AUCs of the heads alone (no patterns, no caps) over the three writer folds."""
    table = tables["encoder"]
    authors = np.array(table.groups["author"])
    corpus = np.array([r["kind"] == "corpus" for r in table.rows])
    preds: dict[int, dict[str, float]] = {}
    for writer in WRITERS:
        test = np.where((authors == writer) & corpus)[0]
        train = np.where(authors != writer)[0]
        heads = (fit_mlp(table, train, "encoder") if fitter == "mlp"
                 else fit_linear(table, train, "encoder", **kw))  # type: ignore[arg-type]  # fmt: skip
        for i, out in zip(test, predict(heads, table, test), strict=True):
            preds[int(i)] = out.scores
    idx = sorted(preds)
    result = {}
    for proxy, c in PROXIES.items():
        labels = [table.rows[i]["labels"][c] for i in idx]
        result[proxy] = auc_high_low(labels, [preds[i][c] for i in idx])
    return result


def main(argv: list[str] | None = None) -> int:
    """Run the folds and write the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", action="store_true", help="compare head regularisation only")
    parser.add_argument("--mlp", action="store_true", help="compare linear and MLP heads only")
    parser.add_argument("--variant", choices=("combined", "heads"), default="combined",
                        help="heads: criterion scores from the heads alone (comparison)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from bot.model.encoder import load_encoder

    encoder = CachedEncoder(load_encoder)
    rows = training_rows()
    tables = {"encoder": build(rows, encoder), "patterns": build(rows, None)}
    encoder.save()
    if args.grid or args.mlp:
        if args.grid:
            for alpha in (30.0, 100.0, 300.0, 1000.0, 3000.0):
                print(f"ridge alpha {alpha:>6}: {heads_only(tables, 'linear', alpha=alpha)}")
        if args.mlp:
            print(f"linear heads: {heads_only(tables, 'linear')}")
            print(f"mlp heads:    {heads_only(tables, 'mlp')}")
        return 0
    authors = np.array(tables["encoder"].groups["author"])
    corpus = np.array([r["kind"] == "corpus" for r in rows])
    held: dict[str, dict[int, tuple[RubricScore, RubricScore]]] = {"encoder": {}, "patterns": {}}
    folds = {}
    with tempfile.TemporaryDirectory() as tmp:
        for writer in WRITERS:
            # Only the writer's own corpus rows are scored; their mismatched copies
            # (dataset.mismatch_rows) are left out of both sides.
            test = np.where((authors == writer) & corpus)[0]
            train = np.where(authors != writer)[0]
            log.info("fold: %s held out (%d rows), training on %d", writer, len(test), len(train))
            scored = score_fold(tables, train, test, encoder, Path(tmp), args.variant)
            fold_rows = [rows[i] for i in test]
            folds[writer] = {
                "sources": sorted({r["source"] for r in fold_rows}),
                "encoder": metrics(fold_rows, *scored["encoder"])["proxies"],
            }
            for mode, (s, b) in scored.items():
                for i, si, bi in zip(test, s, b, strict=True):
                    held[mode][int(i)] = (si, bi)
    encoder.save()
    idx = sorted(held["encoder"])
    split = "leave one writer out (3 folds; each writer wrote three settings of their own)"
    result: dict[str, object] = {"split": split, "variant": args.variant, "folds": folds}
    for mode in ("encoder", "patterns"):
        result[mode] = metrics([rows[i] for i in idx], [held[mode][i][0] for i in idx],
                               [held[mode][i][1] for i in idx])  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    for mode in ("encoder", "patterns"):
        print(f"\n{mode}: proxies (AUC high vs low, held-out writers)")
        for proxy, fig in result[mode]["proxies"].items():  # type: ignore[index]
            print(f"  {proxy:<20} {fig['auc']}  reply alone {fig['auc_reply_alone']}  "
                  f"keyword {fig['keyword_auc']}")
        print(f"  strategy {result[mode]['strategy']}")  # type: ignore[index]
        print(f"  applicability {result[mode]['applicability']}")  # type: ignore[index]
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
