"""The output vocabulary subset: tokens plain English text is made of, plus stop tokens."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from pathlib import Path
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


def cached_english_vocab(
    tokenizer: Any, folder: Path | None
) -> tuple[list[int], list[int], list[int]]:
    """english_vocab(), kept in `folder` so later starts skip scanning the whole vocabulary."""
    if folder is None:
        return english_vocab(tokenizer)
    path = folder / "vocab_subset.json"
    stamp = _fingerprint(tokenizer)
    try:
        data = json.loads(path.read_text())
        if data.get("fingerprint") == stamp:
            return data["allowed"], data["stops"], data["newlines"]
    except (OSError, ValueError, KeyError):
        pass
    allowed, stops, newlines = english_vocab(tokenizer)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        payload = {"fingerprint": stamp, "allowed": allowed, "stops": stops, "newlines": newlines}
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(payload, separators=(",", ":")))
        tmp.replace(path)
    except OSError as exc:
        log.warning("could not cache the vocabulary subset in %s: %s", folder, exc)
    return allowed, stops, newlines


def _fingerprint(tokenizer: Any) -> str:
    size = len(tokenizer)
    sample = tokenizer.convert_ids_to_tokens(
        list(range(min(size, 512))) + list(range(size - 512, size))
    )
    return hashlib.sha1(f"{size}|{'|'.join(map(str, sample))}".encode()).hexdigest()
