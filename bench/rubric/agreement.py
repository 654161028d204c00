"""Inter-rater agreement on the rubric corpus: the writers' labels against a blind second pass.

Run: python -m bench.rubric.agreement   (writes bench/results/rubric_agreement.json)
Per criterion: how often both call it applicable or not, and where both rate it, exact and
within-one agreement, quadratic-weighted kappa and Spearman; strategy kappa; LEAPS step kappa.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.rubric.corpus import LEAPS, load
from bot.core.scores import CRITERIA

HERE = Path(__file__).resolve().parent
SECOND = HERE / "second_pass" / "labels.jsonl"
RESULTS = HERE.parent / "results" / "rubric_agreement.json"


def main() -> int:
    """Compare the two passes and write the figures."""
    from scipy.stats import spearmanr
    from sklearn.metrics import cohen_kappa_score

    first = {r["id"]: r for r in load()}
    second = [json.loads(t) for t in SECOND.read_text().splitlines() if t.strip()]
    pairs = [(first[r["id"]], r) for r in second if r["id"] in first]
    out: dict[str, object] = {"rows": len(pairs), "criteria": {}}
    for name in CRITERIA:
        a = [p[0]["labels"][name] for p in pairs]
        b = [p[1]["labels"][name] for p in pairs]
        applicable = sum((x is None) == (y is None) for x, y in zip(a, b, strict=True))
        both = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
        xs, ys = [x for x, _ in both], [y for _, y in both]
        fig = {"applicability_agreement": round(applicable / len(pairs), 3),
               "both_rated": len(both)}  # fmt: skip
        if len(both) > 5:
            fig.update(
                exact=round(sum(x == y for x, y in both) / len(both), 3),
                within_one=round(sum(abs(x - y) <= 1 for x, y in both) / len(both), 3),
                weighted_kappa=round(float(cohen_kappa_score(xs, ys, weights="quadratic")), 3),
                spearman=round(float(spearmanr(xs, ys).statistic), 3),
            )
        out["criteria"][name] = fig  # type: ignore[index]
    out["strategy_kappa"] = round(float(cohen_kappa_score(
        [p[0]["strategy"] for p in pairs], [p[1]["strategy"] for p in pairs])), 3)  # fmt: skip
    out["leaps_kappa"] = {
        step: round(float(cohen_kappa_score([step in p[0]["leaps"] for p in pairs],
                                            [step in p[1]["leaps"] for p in pairs])), 3)
        for step in LEAPS
    }  # fmt: skip
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
