"""Engines turn prompts into raw text: the fast Gemma-3 runner, or plain `generate()` for others."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bot.model.prompt import Prompt

log = logging.getLogger(__name__)

MAX_NEW_TOKENS = 40
_LINES = re.compile(r"(?<=\n)(?!\n)")  # split after a line's newline(s), keeping "\n\n" whole


@dataclass(frozen=True)
class TextJob:
    """One raw generation: a cacheable prefix, the turn's suffix, sampling seed and limits."""

    prefix: str
    suffix: str
    seed: int
    max_new_tokens: int = MAX_NEW_TOKENS
    stop_at_newline: bool = True
    stable: int = 0  # characters of suffix that the next turn's suffix will start with
    avoid: tuple[str, ...] = ()  # lines the output must not copy (the visitor's earlier lines)


def stable_end(suffix: str, cue: str) -> int:
    """Where the conversation lines end and the cue for the next speaker starts (0: unknown)."""
    return suffix.rfind("\n" + cue) + 1 if cue else suffix.rfind("\n") + 1


class Engine(Protocol):
    """Owns a model; only the model worker thread calls it."""

    chat: bool  # prompts go through the tokenizer's chat template
    max_batch: int

    def job(self, prompt: Prompt, seed: int) -> TextJob:
        """The TextJob for a visitor prompt in this engine's prompt shape."""
        ...

    def generate(self, jobs: Sequence[TextJob]) -> list[str]:
        """Raw continuations, one per job, in order."""
        ...


class _TokenizerMixin:
    tokenizer: Any
    chat: bool
    max_new_tokens: int = MAX_NEW_TOKENS

    def job(self, prompt: Prompt, seed: int) -> TextJob:
        """Transcript prompt for base models; chat template split after the system part."""
        cue = prompt.visitor_name + ":"
        if not self.chat:
            stable = stable_end(prompt.suffix, cue)
            return TextJob(
                prompt.prefix, prompt.suffix, seed, self.max_new_tokens, True, stable, prompt.said
            )
        text = render_chat(self.tokenizer, prompt.messages())
        cut = text.find(prompt.system)
        split = cut + len(prompt.system) if cut >= 0 else 0
        suffix = text[split:]
        stable = stable_end(suffix, cue)
        return TextJob(
            text[:split], suffix, seed, self.max_new_tokens, False, stable, prompt.said
        )

    def encode(self, job: TextJob) -> tuple[list[int], list[int], int]:
        """Token ids of prefix and suffix, and how many tokens the next turn will share.

        The prefix and each conversation line are tokenized on their own, so the same text
        always gives the same ids and cached keys/values match turn after turn.
        """
        special = not self.chat  # a rendered chat template already holds <bos>
        tok = self.tokenizer
        prefix = tok(job.prefix, add_special_tokens=special).input_ids if job.prefix else []
        if not prefix and special and tok.bos_token_id is not None:
            prefix = [tok.bos_token_id]
        suffix: list[int] = []
        for line in _LINES.split(job.suffix[: job.stable]):
            if line:
                suffix += tok(line, add_special_tokens=False).input_ids
        shared = len(prefix) + len(suffix) if job.stable else 0
        suffix += tok(job.suffix[job.stable :], add_special_tokens=False).input_ids
        return prefix, suffix, shared


def render_chat(tokenizer: Any, messages: list[dict[str, str]]) -> str:
    """The chat template's text; templates without a system role get it in the user turn."""
    try:
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    except Exception:  # noqa: BLE001 - jinja raises plain exceptions for unsupported roles
        merged = [
            {"role": "user", "content": messages[0]["content"] + "\n\n" + messages[1]["content"]}
        ]
        return tokenizer.apply_chat_template(merged, tokenize=False, add_generation_prompt=True)


class FastGemmaEngine(_TokenizerMixin):
    """Gemma-3 text models through GemmaRunner: prefix KV reuse, int8 weights, batched decode."""

    def __init__(
        self, weights: Any, tokenizer: Any, device: Any, adjust_threads: Any = None
    ) -> None:
        from bot.model.local.gemma_fast import GemmaRunner

        self.tokenizer = tokenizer
        self.chat = bool(getattr(tokenizer, "chat_template", None))
        # rows of one batch: the candidates of up to four turns decode together
        self.max_batch = 16
        self.stop: threading.Event | None = None  # set by the model worker when it closes
        self.source: Path | None = None  # the model folder (benchmarks load it to compare)
        self.runner = GemmaRunner(weights, device, adjust_threads)

    def warm_up(self) -> None:
        """One tiny batch, so one-time kernel set-up is not paid by the first visitor turn."""
        from bot.model.local.gemma_fast import GenSpec

        ids = self.tokenizer("The visitor waits at the entrance and asks for news. " * 8).input_ids
        spec = GenSpec(ids[:48], ids[48:80], seed=0, max_new_tokens=4, stop_at_newline=False)
        self.runner.generate([spec, spec], stop=self.stop)
        self.runner.clear_prefix_cache()

    def generate(self, jobs: Sequence[TextJob]) -> list[str]:
        """Raw continuations for a batch of jobs."""
        from bot.model.local.gemma_fast import GenSpec

        specs = []
        for job in jobs:
            prefix, suffix, shared = self.encode(job)
            # the line follows "Name:", so each earlier line is met as " " + line
            avoid = [self.tokenizer(" " + line, add_special_tokens=False).input_ids
                     for line in job.avoid]  # fmt: skip
            specs.append(GenSpec(prefix, suffix, job.seed, job.max_new_tokens,
                                 job.stop_at_newline, shared, avoid))  # fmt: skip
        outs = self.runner.generate(specs, stop=self.stop)
        return [self.tokenizer.decode(ids, skip_special_tokens=True) for ids in outs]


class HFEngine(_TokenizerMixin):
    """Any other causal LM: batched `generate()` with left padding (no prefix reuse)."""

    def __init__(self, model: Any, tokenizer: Any, device: Any) -> None:
        self.model, self.tokenizer, self.device = model, tokenizer, device
        self.chat = bool(getattr(tokenizer, "chat_template", None))
        self.max_batch = 4 if device.type == "cpu" else 16
        tokenizer.padding_side = "left"
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token

    def generate(self, jobs: Sequence[TextJob]) -> list[str]:
        """Raw continuations for a batch of jobs."""
        import torch

        from bot.model.local.sampling import TEMPERATURE, TOP_K, TOP_P

        special = not self.chat
        batch = self.tokenizer(
            [j.prefix + j.suffix for j in jobs], return_tensors="pt", padding=True,
            add_special_tokens=special,
        ).to(self.device)  # fmt: skip
        torch.manual_seed(jobs[0].seed)
        stop = (
            {"stop_strings": ["\n"], "tokenizer": self.tokenizer} if jobs[0].stop_at_newline else {}
        )
        with torch.inference_mode():
            out = self.model.generate(
                **batch, do_sample=True, temperature=TEMPERATURE, top_k=TOP_K, top_p=TOP_P,
                max_new_tokens=max(j.max_new_tokens for j in jobs),
                pad_token_id=self.tokenizer.pad_token_id, **stop,
            )  # fmt: skip
        new = out[:, batch["input_ids"].shape[1] :]
        return self.tokenizer.batch_decode(new, skip_special_tokens=True)


def build_engine(
    model: str, cache_dir: Path, device: str, threads: int | None = None, adapter: str = ""
) -> Engine:
    """Load the model named by `model` ('' = embedded gemma-3-270m) and wrap it in an engine.

    `adapter`: '' (the shipped visitor adapter for the embedded model), 'none', or a folder.
    `threads`: a fixed intra-op thread count; by default the fast runner follows the load.
    Call it on the thread that will run the engine: the thread count is set for that thread.
    """
    from bot.model.local.adapter import merged_model, resolve_adapter
    from bot.model.local.loading import resolve_device, resolve_model

    dev = resolve_device(device)
    source = resolve_model(model, cache_dir)
    lora = resolve_adapter(adapter, model)
    if lora is not None:
        source = merged_model(Path(source), lora, cache_dir)
    if isinstance(source, Path) and _is_gemma3(source) and (source / "model.safetensors").exists():
        return _fast_engine(source, cache_dir, dev, threads)
    return _hf_engine(source, dev, threads)


def _fast_engine(source: Path, cache_dir: Path, dev: Any, threads: int | None) -> FastGemmaEngine:
    """Gemma-3 without transformers: the `tokenizers` tokenizer and mapped int8 weights."""
    from bot.model.local.cores import CoreShare
    from bot.model.local.loading import load_tokenizer, pin_threads
    from bot.model.local.lowbit import int8_supported
    from bot.model.local.prepared import load_weights

    adjust = None
    if dev.type == "cpu":
        if threads:
            pin_threads(threads)
        else:
            adjust = CoreShare(pin_threads)
            adjust()
    tokenizer = load_tokenizer(source)
    int8 = dev.type == "cpu" and int8_supported()
    weights = load_weights(source, cache_dir / ".prepared" / source.name, tokenizer, dev, int8)
    engine = FastGemmaEngine(weights, tokenizer, dev, adjust)
    engine.source = source
    return engine


def _hf_engine(source: Path | str, dev: Any, threads: int | None) -> HFEngine:
    import torch

    from bot.model.local.loading import default_threads, load_model, pin_threads

    if dev.type == "cpu":
        pin_threads(threads or default_threads())
    dtype = torch.bfloat16 if dev.type == "cuda" else torch.float32
    lm, tokenizer = load_model(source, dev, dtype)
    log.info("model type %s has no fast runner; using generate()", lm.config.model_type)
    return HFEngine(lm, tokenizer, dev)


def _is_gemma3(source: Path) -> bool:
    import json

    try:
        return json.loads((source / "config.json").read_text()).get("model_type") == "gemma3_text"
    except (OSError, ValueError):
        return False
