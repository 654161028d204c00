"""The output vocabulary subset: tokens plain English text is made of, plus stop tokens."""

from __future__ import annotations

import logging
import re
from typing import Any

log = logging.getLogger(__name__)

# A visitor speaks plain English: words, numbers, everyday punctuation. Restricting the output
# projection to these tokens cuts the biggest matrix of a small model to about half, and keeps
# emoji, other scripts and code-like tokens out of the visitor's mouth.
_WORD = re.compile(
    r"^(?:▁|Ġ| )?(?:[A-Za-z]+|[A-Za-z]+'[a-z]{1,2}|[0-9]{1,4}|[.,!?;:'\"()\-]{1,3})$"
)
_SPACE = re.compile(r"^(?:▁|Ġ| |Ċ|\n){1,3}$")
_NEWLINE = re.compile(r"\n|Ċ")


def english_vocab(tokenizer: Any) -> tuple[list[int], list[int], list[int]]:
    """(allowed ids, stop ids, newline ids) for a Hugging Face tokenizer."""
    pieces = tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))
    stops = stop_ids(tokenizer)
    allowed, newlines = [], []
    for token_id, piece in enumerate(pieces):
        if piece is None:
            continue
        if _WORD.match(piece) or _SPACE.match(piece) or token_id in stops:
            allowed.append(token_id)
            if _NEWLINE.search(piece):
                newlines.append(token_id)
    return allowed, stops, newlines


def stop_ids(tokenizer: Any) -> list[int]:
    """End-of-text and end-of-turn token ids the tokenizer knows."""
    ids = set()
    if tokenizer.eos_token_id is not None:
        ids.add(int(tokenizer.eos_token_id))
    vocab = tokenizer.get_vocab()
    for name in ("<end_of_turn>", "<|im_end|>", "<|eot_id|>", "<|end|>", "</s>", "<|endoftext|>"):
        if name in vocab:
            ids.add(int(vocab[name]))
    return sorted(ids)
