"""Rubric benchmark: load time, single-reply latency, batch throughput and agreement.

Run: .venv/bin/python -m bench.rubric [--repeat 3]   (writes bench/results/rubric.json)
Targets (issues 4 and 12): one reply scored in <= 50 ms median once loaded; >= 100 replies/s in
batch (score_many); the security better/worse pairs >= 95%; agreement with the trainer labels
reported per dimension on train and held-out. The held-out corpus figures (by writer) come from
`python -m bench.rubric.heldout`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

from bench.rubric import group_of, load_devset, load_probes
from bench.rubric_eval import evaluate, table
from bot.core.rubric import ReplyRubric
from bot.core.scores import DIMENSIONS

RESULTS = Path(__file__).resolve().parent.parent / "results" / "rubric.json"
SINGLE_TARGET_MS = 50.0
BATCH_TARGET = 100.0


def single_latency(encoder: object | None, pairs: list[tuple[str, str]]) -> dict[str, float]:
    """Median/p95 ms to score one reply; each call meets its visitor line for the first time."""
    ReplyRubric(encoder=encoder).score(*pairs[0])  # type: ignore[arg-type]  # warm caches
    times = []
    for reply, visitor in pairs:
        rubric = ReplyRubric(encoder=encoder)  # type: ignore[arg-type]  # empty visitor cache
        started = time.perf_counter()
        rubric.score(reply, visitor)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        "n": len(times),
    }


def batch_throughput(
    encoder: object | None, pairs: list[tuple[str, str]], repeat: int
) -> dict[str, float]:
    """Replies per second through score_many over the whole devset (best of `repeat`)."""
    rates = []
    for _ in range(repeat):
        rubric = ReplyRubric(encoder=encoder)  # type: ignore[arg-type]
        started = time.perf_counter()
        rubric.score_many(pairs)
        rates.append(len(pairs) / (time.perf_counter() - started))
    return {"replies_per_s": round(max(rates), 1), "median_replies_per_s": round(
        statistics.median(rates), 1), "batch": len(pairs)}  # fmt: skip


PAIR_GAP = 2  # trainer overall ratings at least this far apart make a better/worse pair


def security_pairs(encoder: object | None, rows: list[dict]) -> dict[str, object]:
    """Better/worse reply pairs from the security devset: two replies to the same visitor line
    whose trainer overall ratings differ by >= PAIR_GAP; the rubric's overall must order them."""
    rubric = ReplyRubric(encoder=encoder)  # type: ignore[arg-type]
    scores = rubric.score_many([(r["reply"], r["visitor"]) for r in rows])
    out: dict[str, object] = {}
    for split in ("train", "heldout", "all"):
        right = total = 0.0
        for i, a in enumerate(rows):
            for j in range(i + 1, len(rows)):
                b = rows[j]
                if group_of(a) != group_of(b) or split not in ("all", a["split"]):
                    continue
                gap = a["dimensions"]["overall"] - b["dimensions"]["overall"]
                if abs(gap) < PAIR_GAP:
                    continue
                total += 1
                d = (scores[i].overall - scores[j].overall) * gap
                right += 1.0 if d > 0 else 0.5 if d == 0 else 0.0
        out[split] = {"accuracy": round(right / total, 3) if total else None, "pairs": int(total)}
    return out


def probe_accuracy(encoder: object | None) -> float:
    """Share of out-of-setting contrast pairs (probes.jsonl) ranked the right way round."""
    probes = load_probes()
    rubric = ReplyRubric(encoder=encoder)  # type: ignore[arg-type]
    better = rubric.score_many([(p["better"], p["visitor"]) for p in probes])
    worse = rubric.score_many([(p["worse"], p["visitor"]) for p in probes])
    right = 0.0
    for p, b, w in zip(probes, better, worse, strict=True):
        t = p["target"]
        vb, vw = (b.dimensions[t], w.dimensions[t]) if t in b.dimensions else (
            b.criterion(t), w.criterion(t))  # fmt: skip
        right += 1.0 if vb > vw else 0.5 if vb == vw else 0.0
    return round(right / len(probes), 3)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the tables, write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="batch runs (best is reported)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    from bot.model.encoder import load_encoder

    encoder = load_encoder()
    load_s = time.perf_counter() - started
    rows = load_devset()
    pairs = [(r["reply"], r["visitor"]) for r in rows]

    results: dict[str, object] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_avg_1m": round(os.getloadavg()[0], 2),
        },
        "encoder_load_s": round(load_s, 2),
        "modes": {},
    }
    print(f"Encoder load: {load_s:.1f} s")
    busy = os.getloadavg()[0]
    if busy > 0.5 * (os.cpu_count() or 1):
        print(f"note: the machine is busy (load {busy:.1f}); timings below are pessimistic")
    print(f"{'mode':<10}{'single median':>15}{'single p95':>12}{'batch /s':>11}  targets")
    for name, enc in (("encoder", encoder), ("patterns", None)):
        single = single_latency(enc, pairs[:120])
        batch = batch_throughput(enc, pairs, args.repeat)
        agreement = evaluate(enc, rows)
        agreement.pop("_predicted")
        ok_single = single["median_ms"] <= SINGLE_TARGET_MS
        ok_batch = batch["replies_per_s"] >= BATCH_TARGET
        results["modes"][name] = {  # type: ignore[index]
            "single": single,
            "batch": batch,
            "targets_met": {"single_le_50ms": ok_single, "batch_ge_100_per_s": ok_batch},
            "agreement": agreement,
            "probe_accuracy": probe_accuracy(enc),
            "security_pairs": security_pairs(enc, rows),
        }
        print(
            f"{name:<10}{single['median_ms']:>12.1f} ms{single['p95_ms']:>9.1f} ms"
            f"{batch['replies_per_s']:>11.0f}  single {'met' if ok_single else 'MISSED'}, "
            f"batch {'met' if ok_batch else 'MISSED'}"
        )
    for name in ("encoder", "patterns"):
        mode = results["modes"][name]  # type: ignore[index]
        print()
        print(table(f"Agreement with trainer labels ({name})", mode["agreement"]["dimensions"],
                    DIMENSIONS))  # fmt: skip
        print(f"Out-of-setting contrast pairs ranked right: {mode['probe_accuracy']:.3f}")
        pairs = mode["security_pairs"]
        print("Security better/worse pairs ranked right: " + ", ".join(
            f"{k} {v['accuracy']} ({v['pairs']})" for k, v in pairs.items()))  # fmt: skip
    baseline = results["modes"]["encoder"]["agreement"]["keyword_baseline"]  # type: ignore[index]
    print()
    print(table("Keyword baseline (for scale)", baseline, DIMENSIONS))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
