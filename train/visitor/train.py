"""Fine-tunes the embedded gemma-3-270m into the visitor: LoRA (peft) on the written dialogues.

Run: .venv/bin/python -m train.visitor.train [--minutes 100] [--epochs 2]
Each dialogue of train/visitor/data becomes one training sequence in exactly the prompt shape the
product uses (bot/model/prompt.py: persona card, then the conversation with a note after each
officer line), and the loss is taken on the visitor's lines only (the words after "Name:" and
the newline that ends them, so the model also learns to stop). One dialogue in twenty is kept
for validation loss. The adapter is written to bot/model/adapters/visitor (about 15 MB), with
train_log.jsonl beside it: training and validation loss as it went, and the time taken.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import random
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from bot.core.persona import Persona, PersonaLibrary
from bot.core.reading import Reader
from bot.core.visitor import Line, VisitorRequest
from bot.model.prompt import CONVERSATION_HEADER, persona_card, transcript
from bot.settings import PROJECT_ROOT
from train.visitor.data_format import Dialogue, load_dialogues

log = logging.getLogger(__name__)

ADAPTER_DIR = PROJECT_ROOT / "bot" / "model" / "adapters" / "visitor"
TARGET_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


@dataclass(frozen=True)
class Example:
    """One training sequence: token ids and which of them carry the loss."""

    ids: list[int]
    targets: list[bool]
    dialogue: str


def segments(dialogue: Dialogue, persona: Persona, reader: Reader) -> list[tuple[str, bool]]:
    """The dialogue as the product's prompt text, in pieces marked True where the loss is taken.

    Pieces follow the runtime's tokenization: the persona prefix, then one piece per line, and
    each visitor answer split into the cue ("Marcus:") and what the model must say after it.
    """
    name = persona.short_name
    readings = reader.read_many(persona, [t.officer for t in dialogue.turns])
    history = [Line("visitor", dialogue.opening)]
    for turn, reading in zip(dialogue.turns, readings, strict=True):
        history.append(Line("officer", turn.officer, turn.agitation, reading))
        history.append(Line("visitor", turn.visitor))
    request = VisitorRequest(persona, dialogue.turns[-1].agitation, tuple(history), dialogue.id)
    pieces: list[tuple[str, bool]] = [
        (f"{persona_card(persona)}\n\n{CONVERSATION_HEADER.format(name=name)}\n", False)
    ]
    lines = transcript(request, window=False)
    cue = f"{name}:"
    for i, line in enumerate(lines):
        if i > 0 and line.startswith(cue):  # every visitor line but the opening is learned
            pieces += [(cue, False), (line[len(cue) :] + "\n", True)]
        else:
            pieces.append((line + "\n", False))
    return pieces


def tokenize(pieces: list[tuple[str, bool]], tokenizer: object, dialogue: str) -> Example:
    """Token ids of the pieces (the first with <bos>), and the loss mask."""
    ids: list[int] = []
    targets: list[bool] = []
    for n, (text, learn) in enumerate(pieces):
        piece = tokenizer(text, add_special_tokens=n == 0).input_ids  # type: ignore[operator]
        ids += piece
        targets += [learn] * len(piece)
    return Example(ids, targets, dialogue)


def build_examples(tokenizer: object, encoder: object) -> tuple[list[Example], list[Example]]:
    """(training, validation) examples from every dialogue; one in twenty validates."""
    library = PersonaLibrary.from_directory(PROJECT_ROOT / "personas")
    reader = Reader(encoder)  # type: ignore[arg-type]
    train, valid = [], []
    for dialogue in load_dialogues():
        persona = library.personas[dialogue.persona]
        example = tokenize(segments(dialogue, persona, reader), tokenizer, dialogue.id)
        (valid if zlib.crc32(dialogue.id.encode()) % 20 == 0 else train).append(example)
    return train, valid


def batches(examples: list[Example], tokens: int, rng: random.Random) -> list[list[Example]]:
    """Batches of similar length (little padding), about `tokens` tokens each, shuffled."""
    ordered = sorted(examples, key=lambda e: len(e.ids))
    out, current = [], []
    for example in ordered:
        if current and len(example.ids) * (len(current) + 1) > tokens:
            out.append(current)
            current = []
        current.append(example)
    if current:
        out.append(current)
    rng.shuffle(out)
    return out


def collate(batch: list[Example], pad: int):  # noqa: ANN201 - torch tensors
    """input ids, attention mask and labels (-100 where no loss), right-padded."""
    import torch

    width = max(len(e.ids) for e in batch)
    ids = torch.full((len(batch), width), pad, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    labels = torch.full((len(batch), width), -100, dtype=torch.long)
    for row, e in enumerate(batch):
        n = len(e.ids)
        ids[row, :n] = torch.tensor(e.ids)
        mask[row, :n] = 1
        learn = torch.tensor(e.targets)
        labels[row, :n] = torch.where(learn, torch.tensor(e.ids), torch.tensor(-100))
    return ids, mask, labels


def loss_of(model: object, batch: list[Example], pad: int):  # noqa: ANN201
    """Mean cross-entropy over the learned tokens of a batch (bf16 autocast on CPU).

    The output head (262k rows: most of the model's weights) is applied only where the loss is
    taken, about one token in six, instead of at every position: ~2.5x faster training.
    """
    import torch

    ids, mask, labels = collate(batch, pad)
    causal_lm = model.base_model.model  # type: ignore[attr-defined]  # peft -> Gemma3ForCausalLM
    with torch.autocast("cpu", dtype=torch.bfloat16):
        hidden = causal_lm.model(input_ids=ids, attention_mask=mask).last_hidden_state
        # the state at position i predicts token i + 1
        where = labels[:, 1:] != -100
        logits = causal_lm.lm_head(hidden[:, :-1][where])
    logits = logits.float()
    cap = getattr(causal_lm.config, "final_logit_softcapping", None)
    if cap:
        logits = torch.tanh(logits / cap) * cap
    return torch.nn.functional.cross_entropy(logits, labels[:, 1:][where])


def evaluate(model: object, examples: list[Example], pad: int, tokens: int) -> float:
    """Validation loss per learned token."""
    import torch

    total, count = 0.0, 0
    model.eval()  # type: ignore[attr-defined]
    with torch.no_grad():
        for batch in batches(examples, tokens, random.Random(0)):
            n = sum(sum(e.targets) for e in batch)
            total += float(loss_of(model, batch, pad)) * n
            count += n
    model.train()  # type: ignore[attr-defined]
    return total / max(1, count)


def main(argv: list[str] | None = None) -> int:
    """Train the adapter and write it with its log."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument("--minutes", type=float, default=105.0, help="stop after this long")
    parser.add_argument("--rank", type=int, default=16)
    parser.add_argument("--lr", type=float, default=3e-4)
    parser.add_argument("--batch-tokens", type=int, default=2400)
    parser.add_argument("--out", type=Path, default=ADAPTER_DIR)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: all cores)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from bot.model.encoder import load_encoder
    from bot.model.local.loading import ensure_embedded

    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    source = ensure_embedded(PROJECT_ROOT / "models")
    tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True)
    train, valid = build_examples(tokenizer, load_encoder())
    learned = sum(sum(e.targets) for e in train)
    total = sum(len(e.ids) for e in train)
    log.info("%d training dialogues (%d tokens, %d learned), %d validation",
             len(train), total, learned, len(valid))  # fmt: skip
    model = AutoModelForCausalLM.from_pretrained(source, dtype=torch.float32,
                                                 local_files_only=True)  # fmt: skip
    config = LoraConfig(r=args.rank, lora_alpha=2 * args.rank, lora_dropout=0.05,
                        target_modules=TARGET_MODULES, task_type="CAUSAL_LM")  # fmt: skip
    model = get_peft_model(model, config)
    model.train()
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    rng = random.Random(0)
    steps_per_epoch = len(batches(train, args.batch_tokens, rng))
    planned = max(1, int(steps_per_epoch * args.epochs))
    warmup = max(1, planned // 20)

    budget = args.minutes * 60

    def progress(step: int) -> float:
        # the schedule follows whichever runs out first, the planned steps or the time budget,
        # so a busy machine gets fewer steps but still a complete warm-up and cool-down
        return max(step / planned, (time.monotonic() - started) / budget)

    def rate(step: int) -> float:
        done = progress(step)
        if step < warmup and done < 0.05:
            return (step + 1) / warmup
        return max(0.02, 0.5 * (1 + math.cos(math.pi * min(1.0, done))))

    started = time.monotonic()
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, rate)
    args.out.mkdir(parents=True, exist_ok=True)
    log_path = args.out / "train_log.jsonl"
    with log_path.open("w") as out:
        first = {"step": 0, "valid_loss": evaluate(model, valid, pad, args.batch_tokens)}
        out.write(json.dumps(first) + "\n")
        log.info("validation loss before training: %.3f", first["valid_loss"])
        step, seen, running = 0, 0, []
        best = first["valid_loss"]
        while progress(step) < 1.0:
            for batch in batches(train, args.batch_tokens, rng):
                loss = loss_of(model, batch, pad)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(params, 1.0)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad(set_to_none=True)
                step += 1
                seen += sum(len(e.ids) for e in batch)
                running.append(float(loss.detach()))
                elapsed = time.monotonic() - started
                if step % 10 == 0:
                    row = {"step": step, "epoch": round(step / steps_per_epoch, 3),
                           "train_loss": round(sum(running) / len(running), 4),
                           "tokens_per_s": round(seen / elapsed, 1),
                           "minutes": round(elapsed / 60, 1)}  # fmt: skip
                    running = []
                    if step % max(10, steps_per_epoch // 4 // 10 * 10) == 0:
                        row["valid_loss"] = round(evaluate(model, valid, pad,
                                                           args.batch_tokens), 4)  # fmt: skip
                        if row["valid_loss"] < best:  # keep the adapter that validates best
                            best = row["valid_loss"]
                            row["saved"] = True
                            save(model, args.out)
                    out.write(json.dumps(row) + "\n")
                    out.flush()
                    log.info("%s", row)
                if progress(step) >= 1.0:
                    break
            if progress(step) >= 1.0:
                break
        last = round(evaluate(model, valid, pad, args.batch_tokens), 4)
        if last < best:
            best = last
            save(model, args.out)
        final = {"step": step, "final": True, "valid_loss_last": last, "valid_loss_best": best,
                 "minutes": round((time.monotonic() - started) / 60, 1),
                 "train_dialogues": len(train), "train_tokens": total,
                 "rank": args.rank, "lr": args.lr}  # fmt: skip
        out.write(json.dumps(final) + "\n")
        log.info("%s", final)
    log.info("adapter with validation loss %.4f written to %s", best, args.out)
    return 0


def save(model: object, out: Path) -> None:
    """The LoRA weights in bf16 (half the size; the merge rounds to bf16 weights anyway)."""
    import torch
    from safetensors.torch import save_file

    model.save_pretrained(out)  # type: ignore[attr-defined]
    weights = out / "adapter_model.safetensors"
    from safetensors.torch import load_file

    tensors = {k: v.to(torch.bfloat16).contiguous() for k, v in load_file(weights).items()}
    save_file(tensors, weights, metadata={"format": "pt"})
    (out / "README.md").unlink(missing_ok=True)  # peft's template card; ours is in train/


if __name__ == "__main__":
    raise SystemExit(main())
