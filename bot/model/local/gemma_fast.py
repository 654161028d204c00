"""A lean Gemma-3 text runner: own forward pass, own KV cache, best-of-N as one batch.

Why not transformers' `generate()`: on a small CPU a decode step is ~400 tiny operations, and
module calls, masks and per-step rotary set-up cost as much as the arithmetic. Here a layer is
four fused int8 matrices (q|k|v, o, gate|up, down) and a handful of elementwise ops; the output
projection covers an English vocabulary subset; and the N candidates of one visitor turn share
their prompt: it is computed once (or found in the prefix cache) and every candidate row attends
to that one copy of its keys/values, so N candidates cost little more than one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
from torch.nn import functional as F

from bot.model.local.kv_cache import PrefixCache
from bot.model.local.prepared import GemmaWeights
from bot.model.local.sampling import NGramBlock, Sampler

log = logging.getLogger(__name__)

_Tails = tuple[list[torch.Tensor], list[torch.Tensor]]  # generated keys, values per layer
CACHE_TOKENS = 16384  # cached prefix tokens kept (~18 KB each in bf16): ~300 MB at most
RECHECK_STEPS = 8  # decode steps between looks at how many cores are free


@dataclass
class GenSpec:
    """One generation: token ids split into a cacheable prefix and a per-turn suffix."""

    prefix_ids: list[int]
    suffix_ids: list[int]
    seed: int
    max_new_tokens: int = 40
    stop_at_newline: bool = True
    session_point: int = 0  # tokens (from the start) that the next turn will begin with
    avoid_ids: list[list[int]] = field(default_factory=list)  # token runs not to copy


@dataclass
class _Group:
    """Rows decoding from one prompt: its keys/values [kv heads, length, dim] per layer."""

    keys: list[torch.Tensor]
    values: list[torch.Tensor]
    length: int
    start: int  # first row of the group in the batch
    rows: int


class GemmaRunner:
    """Prefill + batched sampling for Gemma-3 weights, restricted to the head's vocabulary."""

    def __init__(
        self,
        weights: GemmaWeights,
        device: torch.device,
        adjust_threads: Callable[[], object] | None = None,
    ) -> None:
        self.w, self.cfg, self.device = weights, weights.config, device
        cfg = self.cfg
        # CPU: fp32 activations (bf16 elementwise ops are slow there); GPU: the weights' dtype
        self.act = torch.float32 if device.type == "cpu" else weights.embed.dtype
        self.group = cfg.heads // cfg.kv_heads
        self.inv_freq = {
            kind: 1.0 / theta ** (torch.arange(0, cfg.head_dim, 2, device=device) / cfg.head_dim)
            for kind, theta in cfg.rope_theta.items()
        }
        self.vocab_ids = weights.vocab_ids
        self.lookup = {int(t): i for i, t in enumerate(self.vocab_ids.tolist())}
        self.stop_local = {self.lookup[t] for t in weights.stops if t in self.lookup}
        self.newline_local = {self.lookup[t] for t in weights.newlines if t in self.lookup}
        self.cache = PrefixCache(CACHE_TOKENS, torch.bfloat16)
        self.adjust_threads = adjust_threads or (lambda: None)

    # -- pieces of the forward pass -------------------------------------------------------------

    def _embed(self, ids: torch.Tensor) -> torch.Tensor:
        return (F.embedding(ids, self.w.embed) * self.cfg.embed_scale).to(self.act)

    def _rms(self, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        return F.rms_norm(x.float(), (x.shape[-1],), weight, self.cfg.eps).to(self.act)

    def _rope(self, pos: torch.Tensor) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
        """(cos, signed sin) [T, 1, dim] per attention kind for positions pos [T].

        rotate_half(x) * sin == roll(x, dim/2) * signed sin, one op instead of three.
        """
        out = {}
        for kind, inv in self.inv_freq.items():
            freqs = pos[:, None].float() * inv
            sin = freqs.sin()
            out[kind] = (torch.cat((freqs.cos(),) * 2, -1)[:, None].to(self.act),
                         torch.cat((-sin, sin), -1)[:, None].to(self.act))  # fmt: skip
        return out

    def _qkv(self, i: int, h: torch.Tensor, rope: dict) -> tuple[torch.Tensor, ...]:
        """q [T, heads, dim] (normed, rotated, scaled), k [T, kv, dim] (normed, rotated), v."""
        cfg, layer = self.cfg, self.w.layers[i]
        qkv = layer.qkv(self._rms(h, layer.norms[0])).view(h.shape[0], -1, cfg.head_dim)
        split = cfg.heads + cfg.kv_heads
        qk = F.rms_norm(qkv[:, :split], (cfg.head_dim,), None, cfg.eps) * layer.qk_norm
        cos, sin = rope[cfg.layer_types[i]]
        qk = qk * cos + qk.roll(cfg.head_dim // 2, -1) * sin
        return qk[:, : cfg.heads], qk[:, cfg.heads :], qkv[:, split:]

    def _finish_layer(self, i: int, h: torch.Tensor, attn: torch.Tensor) -> torch.Tensor:
        """Output projection, residuals and the MLP after attention [T, heads * dim]."""
        layer = self.w.layers[i]
        h = h + self._rms(layer.o(attn), layer.norms[1])
        gate, up = layer.gate_up(self._rms(h, layer.norms[2])).chunk(2, dim=-1)
        x = layer.down(F.gelu(gate, approximate="tanh") * up)
        return h + self._rms(x, layer.norms[3])

    def _logits(self, hidden: torch.Tensor) -> torch.Tensor:
        logits = self.w.head(self._rms(hidden, self.w.norm)).float()
        if self.cfg.softcap:
            logits = torch.tanh(logits / self.cfg.softcap) * self.cfg.softcap
        return logits

    # -- a prompt ---------------------------------------------------------------------------------

    def _prefill(
        self, ids: Sequence[int], start: int, past: tuple[list, list] | None
    ) -> tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor]]:
        """Run ids[start:] after the keys/values `past` of ids[:start].

        Returns the hidden states of the new positions and the keys/values of all positions.
        """
        cfg = self.cfg
        tokens = torch.tensor(list(ids[start:]), device=self.device)
        length, total = len(tokens), len(ids)
        pos = torch.arange(start, total, device=self.device)
        rope = self._rope(pos)
        cols = torch.arange(total, device=self.device)
        causal = cols[None, :] <= pos[:, None]
        masks = {"full_attention": causal,
                 "sliding_attention": causal & (pos[:, None] - cols[None, :] < cfg.window)}
        h = self._embed(tokens)
        keys, values = [], []
        for i in range(len(self.w.layers)):
            q, k, v = self._qkv(i, h, rope)
            k, v = k.transpose(0, 1).contiguous(), v.transpose(0, 1).contiguous()  # [kv, T, dim]
            if past is not None:
                k = torch.cat([past[0][i].to(self.act), k], dim=1)
                v = torch.cat([past[1][i].to(self.act), v], dim=1)
            keys.append(k)
            values.append(v)
            # q [T, kv * group, dim] -> [kv, group * T, dim]: one matmul per kv head
            qg = q.view(length, cfg.kv_heads, self.group, -1).permute(1, 2, 0, 3)
            scores = torch.matmul(qg.reshape(cfg.kv_heads, -1, cfg.head_dim), k.transpose(1, 2))
            scores = scores.view(cfg.kv_heads, self.group, length, total)
            scores.masked_fill_(~masks[cfg.layer_types[i]], float("-inf"))
            probs = scores.softmax(-1).view(cfg.kv_heads, -1, total)
            out = torch.matmul(probs, v).view(cfg.kv_heads, self.group, length, -1)
            h = self._finish_layer(i, h, out.permute(2, 0, 1, 3).reshape(length, -1))
        return h, keys, values

    def _prompt(
        self, ids: list[int], persona: int, session_point: int
    ) -> tuple[_Group, torch.Tensor]:
        """A group for one prompt, reusing and feeding the prefix cache; its last hidden state."""
        done, cached = self.cache.longest(ids)
        hidden, keys, values = self._prefill(ids, done, cached)
        for point in sorted({persona, session_point}):
            if done < point <= len(ids) and point > 0:
                self.cache.put(ids[:point], [k[:, :point] for k in keys],
                               [v[:, :point] for v in values], keep_below=persona)  # fmt: skip
        return _Group(keys, values, len(ids), 0, 0), hidden[-1:]

    @torch.inference_mode()
    def logits(self, ids: Sequence[int]) -> torch.Tensor:
        """Next-token logits [T, subset] for every position of one sequence (for checks)."""
        return self._logits(self._prefill(list(ids), 0, None)[0])

    def clear_prefix_cache(self) -> None:
        """Forget every cached prefix."""
        self.cache.clear()

    # -- decoding ---------------------------------------------------------------------------------

    def _decode(
        self, ids: torch.Tensor, groups: list[_Group], tails: _Tails, step: int
    ) -> torch.Tensor:
        """One new token per row at tail column `step`; returns the rows' hidden states."""
        cfg = self.cfg
        tail_k, tail_v = tails
        rows = ids.shape[0]
        pos = torch.cat([torch.full((g.rows,), g.length + step) for g in groups]).to(self.device)
        rope = self._rope(pos)
        h = self._embed(ids)
        for i in range(len(self.w.layers)):
            q, k, v = self._qkv(i, h, rope)
            tail_k[i][:, :, step] = k
            tail_v[i][:, :, step] = v
            sliding = cfg.layer_types[i] == "sliding_attention"
            outs = []
            for g in groups:
                # the window (sliding layers) may hide the start of the prompt and of the tail
                first = max(0, g.length + step - cfg.window + 1) if sliding else 0
                low, tail_low = min(first, g.length), max(0, first - g.length)
                rows_g = slice(g.start, g.start + g.rows)
                outs.append(self._attend(
                    q[rows_g], g.keys[i][:, low:], g.values[i][:, low:],
                    tail_k[i][rows_g, :, tail_low : step + 1],
                    tail_v[i][rows_g, :, tail_low : step + 1],
                ))  # fmt: skip
            attn = outs[0] if len(outs) == 1 else torch.cat(outs)
            h = self._finish_layer(i, h, attn.reshape(rows, -1))
        return h

    def _attend(
        self, q: torch.Tensor, keys: torch.Tensor, values: torch.Tensor, tail_k: torch.Tensor,
        tail_v: torch.Tensor,
    ) -> torch.Tensor:  # fmt: skip
        """Attention of n rows' queries [n, heads, dim] to a shared prompt and their own tails.

        The prompt's keys [kv, P, dim] are read once for all n rows (queries stacked), each
        row's generated tokens [n, kv, t, dim] separately; one softmax spans both.
        """
        n, kv, group = q.shape[0], self.cfg.kv_heads, self.group
        length = keys.shape[1]
        qg = q.view(n, kv, group, -1)
        shared = torch.matmul(qg.transpose(0, 1).reshape(kv, n * group, -1), keys.transpose(1, 2))
        own = torch.matmul(qg, tail_k.transpose(2, 3))  # [n, kv, group, t]
        shared = shared.view(kv, n, group, length).transpose(0, 1)
        probs = torch.cat([shared, own], dim=-1).softmax(-1)
        head, tail = probs[..., :length], probs[..., length:]
        out = torch.matmul(head.transpose(0, 1).reshape(kv, n * group, length), values)
        out = out.view(kv, n, group, -1).transpose(0, 1) + torch.matmul(tail, tail_v)
        return out

    @torch.inference_mode()
    def generate(
        self, specs: Sequence[GenSpec], stop: threading.Event | None = None
    ) -> list[list[int]]:
        """Sample continuations for a batch; returns the new token ids (global vocabulary).

        Specs with the same prompt (the candidates of one visitor turn) form one group: the
        prompt runs once and its keys/values are shared by the group's rows. `stop`, once set,
        ends decoding after the current step (the model worker is closing).
        """
        self.adjust_threads()
        by_prompt: dict[tuple[int, ...], list[int]] = {}
        for r, spec in enumerate(specs):
            by_prompt.setdefault(tuple(spec.prefix_ids) + tuple(spec.suffix_ids), []).append(r)
        groups, order, lasts = [], [], []
        for prompt, members in by_prompt.items():
            point = max(specs[r].session_point for r in members)
            group, last = self._prompt(list(prompt), len(specs[members[0]].prefix_ids), point)
            group.start, group.rows = len(order), len(members)
            groups.append(group)
            order += members
            lasts.append(last.expand(len(members), -1))
        return self._sample(specs, groups, order, self._logits(torch.cat(lasts)), stop)

    def _sample(
        self, specs: Sequence[GenSpec], groups: list[_Group], order: list[int],
        logits: torch.Tensor, stop: threading.Event | None = None,
    ) -> list[list[int]]:  # fmt: skip
        """Decode until every row stops (or `stop` is set); finished rows leave the batch."""
        cfg = self.cfg
        steps = max(s.max_new_tokens for s in specs)
        shape = (len(order), cfg.kv_heads, steps, cfg.head_dim)
        tails = (self._zeros(shape), self._zeros(shape))
        samplers = [Sampler(s.seed, self.device) for s in specs]
        blocks = [NGramBlock([[self.lookup.get(t, -1) for t in run] for run in s.avoid_ids])
                  for s in specs]  # fmt: skip
        out: list[list[int]] = [[] for _ in specs]
        for step in range(steps):
            chosen, keep = [], []
            for j, r in enumerate(order):
                local = samplers[r].pick(logits[j], out[r], blocks[r].banned(out[r]))
                if self._is_stop(local, specs[r]) or len(out[r]) >= specs[r].max_new_tokens:
                    continue
                out[r].append(local)
                chosen.append(local)
                keep.append(j)
            if not keep or step == steps - 1 or (stop is not None and stop.is_set()):
                break
            if len(keep) < len(order):
                order, groups, tails = self._drop_rows(order, groups, tails, keep)
            if step % RECHECK_STEPS == RECHECK_STEPS - 1:
                self.adjust_threads()
            ids = self.vocab_ids[torch.tensor(chosen, device=self.device)]
            logits = self._logits(self._decode(ids, groups, tails, step))
        return [self.vocab_ids[torch.tensor(o, dtype=torch.long)].tolist() for o in out]

    def _drop_rows(
        self, order: list[int], groups: list[_Group], tails: _Tails, keep: list[int]
    ) -> tuple[list[int], list[_Group], _Tails]:
        """The batch without finished rows (and without groups that have none left)."""
        index = torch.tensor(keep, device=self.device)
        kept = set(keep)
        new_groups, start = [], 0
        for g in groups:
            rows = sum(1 for j in range(g.start, g.start + g.rows) if j in kept)
            if rows:
                new_groups.append(_Group(g.keys, g.values, g.length, start, rows))
                start += rows
        keys, values = ([t.index_select(0, index) for t in part] for part in tails)
        return [order[j] for j in keep], new_groups, (keys, values)

    def _zeros(self, shape: tuple[int, ...]) -> list[torch.Tensor]:
        return [torch.zeros(shape, dtype=self.act, device=self.device) for _ in self.w.layers]

    def _is_stop(self, local: int, spec: GenSpec) -> bool:
        return local in self.stop_local or (spec.stop_at_newline and local in self.newline_local)
