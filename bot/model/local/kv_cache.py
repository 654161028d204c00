"""Keys/values of token prefixes already computed: persona prefixes and earlier turns.

A visitor prompt is persona facts + example lines (fixed per persona and band) followed by the
conversation, which only grows between turns. Keeping the keys/values of both boundaries means
a turn usually runs just the new officer line and the cue through the model.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import torch

KV = tuple[list[torch.Tensor], list[torch.Tensor]]  # per layer: keys, values [kv, T, dim]


class PrefixCache:
    """LRU of token-prefix -> per-layer keys/values, bounded by the total number of tokens."""

    def __init__(self, budget_tokens: int = 16384, dtype: torch.dtype = torch.bfloat16) -> None:
        self.budget, self.dtype = budget_tokens, dtype
        self._entries: OrderedDict[tuple[int, ...], KV] = OrderedDict()
        self._tokens = 0
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def longest(self, ids: Sequence[int]) -> tuple[int, KV | None]:
        """The longest cached proper prefix of ids (at least one token must be left to run)."""
        best: tuple[int, ...] = ()
        for key in self._entries:
            if len(best) < len(key) < len(ids) and tuple(ids[: len(key)]) == key:
                best = key
        if not best:
            self.misses += 1
            return 0, None
        self.hits += 1
        self._entries.move_to_end(best)
        return len(best), self._entries[best]

    def put(self, ids: Sequence[int], keys: list[torch.Tensor], values: list[torch.Tensor],
            keep_below: int = 0) -> None:  # fmt: skip
        """Store keys/values [kv, T, dim] for ids; drops older entries this one extends.

        Entries no longer than keep_below (a persona prefix other sessions share) are kept even
        when this one extends them.
        """
        key = tuple(ids)
        if key in self._entries or len(key) > self.budget:
            return
        for old in [k for k in self._entries if keep_below < len(k) < len(key)]:
            if key[: len(old)] == old:
                self._drop(old)
        self._entries[key] = (
            [k.to(self.dtype, copy=True) for k in keys],
            [v.to(self.dtype, copy=True) for v in values],
        )
        self._tokens += len(key)
        while self._tokens > self.budget and len(self._entries) > 1:
            self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        """Forget everything."""
        self._entries.clear()
        self._tokens = 0

    def _drop(self, key: tuple[int, ...]) -> None:
        del self._entries[key]
        self._tokens -= len(key)
