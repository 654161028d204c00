"""Gemma-3 weights in the runner's own layout, prepared once per model and memory-mapped.

Why: a start used to build the transformers model, then quantize every matrix to int8 (~5 s),
and kept int8 and bf16 copies of each layer plus a private bf16 embedding (~1.5 GiB RSS). The
prepared file (`<cache>/.prepared/<model>/runner-v<N>.safetensors`) holds what the runner
multiplies with, once: fused int8 matrices (q|k|v, gate|up), the norm weights with Gemma's
"1 + w" and the attention scale folded in, and the int8 output head over the vocabulary subset.
The embedding is read straight from the model's own safetensors file. Both files are mapped,
so a warm start reads almost nothing and touches only the embedding rows a prompt uses.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from bot.model.local.lowbit import DenseMatrix, Int8Matrix, Matrix, quantize_int8
from bot.model.local.tensorfile import TensorFile, save_tensors

log = logging.getLogger(__name__)

VERSION = 1  # bump when the layout below changes: older files are rebuilt, never misread
_NORMS = ("input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
          "post_feedforward_layernorm")  # fmt: skip


@dataclass(frozen=True)
class GemmaConfig:
    """The numbers of a Gemma-3 text model the runner needs."""

    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    layer_types: tuple[str, ...]
    window: int
    rope_theta: dict[str, float]
    eps: float
    scaling: float
    embed_scale: float
    softcap: float | None

    @classmethod
    def from_hf(cls, cfg: dict[str, Any]) -> GemmaConfig:
        """From a transformers config.json of model_type gemma3_text."""
        layers = int(cfg["num_hidden_layers"])
        types = tuple(cfg.get("layer_types") or ["full_attention"] * layers)
        params = cfg.get("rope_parameters") or {}
        theta = {kind: float(params.get(kind, {}).get("rope_theta", cfg.get("rope_theta", 1e4)))
                 for kind in set(types)}  # fmt: skip
        if "full_attention" in theta and "rope_theta" in cfg and not params:
            theta["sliding_attention"] = float(cfg.get("rope_local_base_freq", 1e4))
        hidden = int(cfg["hidden_size"])
        return cls(
            hidden=hidden,
            heads=int(cfg["num_attention_heads"]),
            kv_heads=int(cfg["num_key_value_heads"]),
            head_dim=int(cfg["head_dim"]),
            layer_types=types,
            window=int(cfg.get("sliding_window") or 1 << 30),
            rope_theta=theta,
            eps=float(cfg["rms_norm_eps"]),
            scaling=float(cfg["query_pre_attn_scalar"]) ** -0.5,
            # rounded to the weights' dtype, as the reference implementation does
            embed_scale=float(torch.tensor(hidden**0.5, dtype=torch.bfloat16)),
            softcap=cfg.get("final_logit_softcapping"),
        )


@dataclass
class LayerWeights:
    """One decoder layer: four matrices and its norms."""

    qkv: Matrix  # [q heads + 2 * kv heads] x head_dim rows
    o: Matrix
    gate_up: Matrix  # gate rows, then up rows
    down: Matrix
    norms: torch.Tensor  # [4, hidden] fp32 "1 + w": input, post-attention, pre-ff, post-ff
    qk_norm: torch.Tensor  # [heads + kv_heads, head_dim] fp32 "1 + w"; q rows x the scale


@dataclass
class GemmaWeights:
    """Everything the runner computes with, on one device."""

    config: GemmaConfig
    embed: torch.Tensor  # [vocab, hidden], the model's own (bf16) rows
    layers: list[LayerWeights]
    norm: torch.Tensor  # final norm, fp32 "1 + w"
    head: Matrix  # output projection over vocab_ids
    vocab_ids: torch.Tensor  # [subset] global token ids the head covers
    stops: list[int]
    newlines: list[int]


def load_weights(
    source: Path, prepared_dir: Path, tokenizer: Any, device: torch.device, int8: bool
) -> GemmaWeights:
    """The runner's weights for the model folder `source` (preparing them the first time).

    CPU with int8: the mapped prepared file. Otherwise (a GPU, or a torch without the int8
    kernel): dense weights in the model's dtype, straight from its safetensors file.
    """
    config = GemmaConfig.from_hf(json.loads((source / "config.json").read_text()))
    model = TensorFile(source / "model.safetensors")
    if not int8:
        return _dense(config, model, tokenizer, device)
    path = prepared_dir / f"runner-v{VERSION}.safetensors"
    stamp = _stamp(source)
    prepared = TensorFile(path) if path.exists() else None
    if prepared is not None and prepared.metadata.get("source") == stamp:
        return _from_prepared(config, model, prepared)
    start = time.monotonic()
    log.info("preparing int8 weights for %s (first start only)", source.name)
    tensors, meta = prepare(config, model, tokenizer, stamp)
    try:
        save_tensors(path, tensors, meta)
    except OSError as exc:  # a read-only cache: this process keeps its own copy instead
        log.warning("could not keep the prepared weights in %s: %s", path, exc)
        return _from_prepared(config, model, _InMemory(tensors, meta))
    log.info("prepared %s in %.1f s", path, time.monotonic() - start)
    return _from_prepared(config, model, TensorFile(path))


class _InMemory:
    """Prepared tensors that could not be written, read like a TensorFile."""

    def __init__(self, tensors: dict[str, torch.Tensor], metadata: dict[str, str]) -> None:
        self.tensors, self.metadata = tensors, metadata

    def tensor(self, name: str) -> torch.Tensor:
        return self.tensors[name]


def prepare(
    config: GemmaConfig, model: TensorFile, tokenizer: Any, stamp: str
) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """The model's matrices quantized and fused, and the metadata to store with them."""
    from bot.model.local.vocab import english_vocab

    allowed, stops, newlines = english_vocab(tokenizer)
    out: dict[str, torch.Tensor] = {}

    def put(name: str, weight: torch.Tensor) -> None:
        out[f"{name}.q"], out[f"{name}.s"] = quantize_int8(weight)

    for i in range(len(config.layer_types)):
        w = _layer_tensors(model, i)
        put(f"layers.{i}.qkv", torch.cat([w["q_proj"], w["k_proj"], w["v_proj"]]))
        put(f"layers.{i}.o", w["o_proj"])
        put(f"layers.{i}.gate_up", torch.cat([w["gate_proj"], w["up_proj"]]))
        put(f"layers.{i}.down", w["down_proj"])
        out[f"layers.{i}.norms"], out[f"layers.{i}.qk_norm"] = _norms(config, w)
    # the output head: the embeddings themselves when tied (gemma-3), its own weights if not
    head = "lm_head.weight" if "lm_head.weight" in model else "model.embed_tokens.weight"
    ids = torch.tensor(allowed, dtype=torch.int64)
    put("head", model.tensor(head)[ids])
    out["head.ids"] = ids
    out["norm"] = 1.0 + model.tensor("model.norm.weight").float()
    meta = {"source": stamp, "stops": json.dumps(stops), "newlines": json.dumps(newlines)}
    return out, meta


def _from_prepared(
    config: GemmaConfig, model: TensorFile, prepared: TensorFile | _InMemory
) -> GemmaWeights:
    def matrix(name: str) -> Int8Matrix:
        return Int8Matrix(prepared.tensor(f"{name}.q"), prepared.tensor(f"{name}.s"))

    layers = [
        LayerWeights(
            matrix(f"layers.{i}.qkv"), matrix(f"layers.{i}.o"), matrix(f"layers.{i}.gate_up"),
            matrix(f"layers.{i}.down"), prepared.tensor(f"layers.{i}.norms"),
            prepared.tensor(f"layers.{i}.qk_norm"),
        )  # fmt: skip
        for i in range(len(config.layer_types))
    ]
    return GemmaWeights(
        config, model.tensor("model.embed_tokens.weight"), layers, prepared.tensor("norm"),
        matrix("head"), prepared.tensor("head.ids"),
        json.loads(prepared.metadata["stops"]), json.loads(prepared.metadata["newlines"]),
    )  # fmt: skip


def _dense(
    config: GemmaConfig, model: TensorFile, tokenizer: Any, device: torch.device
) -> GemmaWeights:
    from bot.model.local.vocab import english_vocab

    def dense(weight: torch.Tensor) -> DenseMatrix:
        return DenseMatrix(weight.to(device))

    layers = []
    for i in range(len(config.layer_types)):
        w = _layer_tensors(model, i)
        norms, qk_norm = _norms(config, w)
        layers.append(LayerWeights(
            dense(torch.cat([w["q_proj"], w["k_proj"], w["v_proj"]])), dense(w["o_proj"]),
            dense(torch.cat([w["gate_proj"], w["up_proj"]])), dense(w["down_proj"]),
            norms.to(device), qk_norm.to(device),
        ))  # fmt: skip
    allowed, stops, newlines = english_vocab(tokenizer)
    ids = torch.tensor(allowed, dtype=torch.int64)
    embed = model.tensor("model.embed_tokens.weight").to(device)
    return GemmaWeights(
        config, embed, layers, (1.0 + model.tensor("model.norm.weight").float()).to(device),
        DenseMatrix(embed[ids.to(device)]), ids.to(device), stops, newlines,
    )  # fmt: skip


def _layer_tensors(model: TensorFile, i: int) -> dict[str, torch.Tensor]:
    prefix = f"model.layers.{i}."
    return {
        name.rsplit(".", 2)[-2]: model.tensor(name)
        for name in model.entries
        if name.startswith(prefix) and name.endswith(".weight")
    }


def _norms(config: GemmaConfig, w: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    norms = torch.stack([1.0 + w[name].float() for name in _NORMS])
    # scores = (q . k) * scale; the rotation is linear, so the scale can ride on q's norm weight
    q = (1.0 + w["q_norm"].float()) * config.scaling
    k = 1.0 + w["k_norm"].float()
    qk = torch.cat([q.expand(config.heads, -1), k.expand(config.kv_heads, -1)])
    return norms, qk.contiguous()


def _stamp(source: Path) -> str:
    """Identifies the source weights: a re-converted or re-merged model gets new int8 weights."""
    stat = (source / "model.safetensors").stat()
    return f"v{VERSION}:{stat.st_size}:{stat.st_mtime_ns}"
