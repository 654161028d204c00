"""Token sampling for the local runner: temperature, top-k, nucleus and a repetition penalty."""

from __future__ import annotations

import torch

TEMPERATURE = 0.8
TOP_K = 40
TOP_P = 0.92
REPETITION_PENALTY = 1.15


class Sampler:
    """Samples one row's next token with its own seeded generator (reproducible per request)."""

    def __init__(
        self,
        seed: int,
        device: torch.device,
        temperature: float = TEMPERATURE,
        top_k: int = TOP_K,
        top_p: float = TOP_P,
        repetition_penalty: float = REPETITION_PENALTY,
    ) -> None:
        self.generator = torch.Generator(device=device)
        self.generator.manual_seed(seed & 0x7FFFFFFF)
        self.temperature, self.top_k, self.top_p = temperature, top_k, top_p
        self.penalty = repetition_penalty

    def pick(self, logits: torch.Tensor, history: list[int]) -> int:
        """The next token index for a 1-D row of logits, given the tokens this row produced."""
        if history and self.penalty != 1.0:
            logits = logits.clone()
            seen = torch.tensor(sorted(set(history)), device=logits.device)
            picked = logits[seen]
            logits[seen] = torch.where(picked > 0, picked / self.penalty, picked * self.penalty)
        if self.temperature <= 0:
            return int(logits.argmax())
        top, idx = torch.topk(logits, self.top_k)
        probs = torch.softmax(top / self.temperature, dim=-1)
        # nucleus: keep the smallest head of the sorted list whose mass reaches top_p
        keep = torch.cumsum(probs, dim=-1) - probs < self.top_p
        probs = torch.where(keep, probs, torch.zeros_like(probs))
        choice = torch.multinomial(probs, 1, generator=self.generator)
        return int(idx[choice])
