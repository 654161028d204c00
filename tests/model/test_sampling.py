"""Sampling for the local runner: n-gram blocking keeps the visitor from saying a line again."""

from __future__ import annotations

import torch

from bot.model.local.sampling import NGramBlock, Sampler


def test_the_token_that_would_complete_a_said_ngram_is_banned() -> None:
    block = NGramBlock([[10, 11, 12, 13, 14, 15]], n=3)
    assert set(block.banned([99, 10, 11])) == {12}
    assert set(block.banned([12, 13])) == {14}
    assert not block.banned([11, 10])  # not a run from the said line
    assert not block.banned([10])  # too short to complete an n-gram


def test_tokens_outside_the_vocabulary_break_the_runs() -> None:
    block = NGramBlock([[1, 2, -1, 3, 4, 5]], n=3)
    assert not block.banned([1, 2]) and set(block.banned([3, 4])) == {5}


def test_sampler_never_picks_a_banned_token_even_the_most_likely_one() -> None:
    logits = torch.full((50,), -5.0)
    logits[7] = 20.0  # the model is all but certain
    logits[8] = 0.0
    for seed in range(20):
        sampler = Sampler(seed, torch.device("cpu"))
        assert sampler.pick(logits, [], banned={7}) != 7
    assert Sampler(0, torch.device("cpu")).pick(logits, []) == 7
