"""Agreement between the rubric and the trainer labels of the devset, per split and dimension.

Run: .venv/bin/python -m bench.rubric_eval [--patterns-only] [--criteria] [--errors N]
Prints pairwise ranking accuracy (share of differently-rated reply pairs the rubric orders the
same way as the trainer) and Spearman correlation, for the train split (seen when fitting the
weights) and the held-out split (whole visitor lines never seen), with a keyword baseline.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Sequence

from bench.rubric import SPLITS, load_devset, pairwise_accuracy, spearman, to_percent
from bot.core.rubric import ReplyRubric
from bot.core.scores import CRITERIA, DIMENSIONS, RubricScore

ScoreFn = Callable[[Sequence[tuple[str, str]]], list[dict[str, float]]]
_KEYWORDS = {  # the naive rubric this one must beat: count the obvious words
    "empathy": re.compile(r"\b(?:understand|sorry|feel|hear you)\b", re.I),
    "calmness": re.compile(r"\b(?:please|thank|sir|madam)\b", re.I),
    "resolution": re.compile(r"\b(?:can|will|because|let me)\b", re.I),
}


def keyword_scores(pairs: Sequence[tuple[str, str]]) -> list[dict[str, float]]:
    """Baseline: per dimension, how many of its obvious keywords the reply contains."""
    out = []
    for reply, _ in pairs:
        dims = {d: float(len(rx.findall(reply))) for d, rx in _KEYWORDS.items()}
        dims["overall"] = sum(dims.values())
        out.append(dims)
    return out


def rubric_scores(rubric: ReplyRubric) -> ScoreFn:
    """A score function giving every dimension and criterion of the rubric."""

    def score(pairs: Sequence[tuple[str, str]]) -> list[dict[str, float]]:
        results: list[RubricScore] = rubric.score_many(pairs)
        return [{**r.dimensions, **{c: r.criterion(c) for c in CRITERIA}} for r in results]

    return score


def agreement(rows: list[dict], predicted: list[dict[str, float]], names: Sequence[str]) -> dict:
    """{split: {name: {"pairwise": x, "spearman": y, "n": n}}} for dimensions or criteria."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for split in SPLITS + ("all",):
        idx = [i for i, r in enumerate(rows) if split == "all" or r["split"] == split]
        out[split] = {}
        for name in names:
            if name not in predicted[0]:
                continue
            key = "dimensions" if name in DIMENSIONS else "criteria"
            # A dimension with nothing applicable (resolution n/a) is not rated: left out.
            rated = [i for i in idx if predicted[i][name] is not None]
            human = [to_percent(rows[i][key][name]) for i in rated]
            model = [predicted[i][name] for i in rated]
            out[split][name] = {
                "pairwise": round(pairwise_accuracy(human, model), 3),
                "spearman": round(spearman(human, model), 3),
                "n": len(rated),
            }
    return out


def table(title: str, result: dict, names: Sequence[str]) -> str:
    """A plain-text table: one row per name, pairwise/Spearman per split."""
    lines = [title, f"{'':<28}" + "".join(f"{s + ' pair/rho':>22}" for s in SPLITS)]
    for name in names:
        if name not in result["train"]:
            continue
        cells = "".join(
            f"{result[s][name]['pairwise']:>13.3f}{result[s][name]['spearman']:>9.3f}"
            for s in SPLITS
        )
        lines.append(f"{name:<28}{cells}")
    n = {s: next(iter(result[s].values()))["n"] for s in SPLITS}
    lines.append(f"{'(replies)':<28}" + "".join(f"{n[s]:>22}" for s in SPLITS))
    return "\n".join(lines)


def evaluate(encoder: object | None, rows: list[dict] | None = None) -> dict:
    """Agreement of the rubric (with this encoder, or patterns only) and of the keyword baseline."""
    rows = rows or load_devset()
    pairs = [(r["reply"], r["visitor"]) for r in rows]
    rubric = ReplyRubric(encoder=encoder)  # type: ignore[arg-type]
    predicted = rubric_scores(rubric)(pairs)
    return {
        "mode": rubric.mode,
        "dimensions": agreement(rows, predicted, DIMENSIONS),
        "criteria": agreement(rows, predicted, CRITERIA),
        "keyword_baseline": agreement(rows, keyword_scores(pairs), DIMENSIONS),
        "_predicted": predicted,
    }


def _errors(rows: list[dict], predicted: list[dict[str, float]], name: str, count: int) -> None:
    key = "dimensions" if name in DIMENSIONS else "criteria"
    gaps = sorted(
        range(len(rows)), key=lambda i: -abs(predicted[i][name] - to_percent(rows[i][key][name]))
    )
    print(f"\nLargest {name} disagreements (human -> rubric):")
    for i in gaps[:count]:
        human = to_percent(rows[i][key][name])
        row = rows[i]
        print(f"  {human:>5.0f} -> {predicted[i][name]:>3.0f}  [{row['split']}] {row['reply']}")


def main(argv: list[str] | None = None) -> int:
    """Print the agreement tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patterns-only", action="store_true", help="no encoder")
    parser.add_argument("--criteria", action="store_true", help="also per criterion")
    parser.add_argument("--errors", type=int, default=0, help="show the N worst per dimension")
    args = parser.parse_args(argv)
    encoder = None
    if not args.patterns_only:
        from bot.model.encoder import load_encoder

        encoder = load_encoder()
    rows = load_devset()
    result = evaluate(encoder, rows)
    print(table(f"Rubric ({result['mode']}) vs trainer labels", result["dimensions"], DIMENSIONS))
    if args.criteria:
        print()
        print(table("Per criterion", result["criteria"], CRITERIA))
    print()
    print(table("Keyword baseline", result["keyword_baseline"], DIMENSIONS))
    for name in DIMENSIONS + CRITERIA if args.errors else ():
        if name in DIMENSIONS or args.criteria:
            _errors(rows, result["_predicted"], name, args.errors)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
