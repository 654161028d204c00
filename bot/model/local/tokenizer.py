"""A lean tokenizer for base models: the `tokenizers` library straight from tokenizer.json.

transformers' AutoTokenizer parses gemma-3's 33 MB tokenizer.json several times in Python and
took 2.8 s of a ~10 s start; `tokenizers.Tokenizer.from_file` reads it once in Rust (~1 s) and
gives the same ids. It covers what the fast runner needs from a tokenizer (encode, decode, the
vocabulary, special ids); models with a chat template keep AutoTokenizer for the template.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Encoding:
    """The part of transformers' BatchEncoding the runner reads."""

    input_ids: list[int]


class RawTokenizer:
    """Encode/decode through `tokenizers`, with the special tokens named in tokenizer_config."""

    chat_template = None

    def __init__(self, folder: Path) -> None:
        from tokenizers import Tokenizer

        self._tk = Tokenizer.from_file(str(folder / "tokenizer.json"))
        config = _read_json(folder / "tokenizer_config.json")
        self.bos_token_id = self._special_id(config.get("bos_token"))
        self.eos_token_id = self._special_id(config.get("eos_token"))

    @classmethod
    def suits(cls, folder: Path | str) -> bool:
        """Whether the folder holds a base-model tokenizer this class can stand in for."""
        if not isinstance(folder, Path) or not (folder / "tokenizer.json").is_file():
            return False
        if (folder / "chat_template.jinja").exists() or (folder / "chat_template.json").exists():
            return False
        return "chat_template" not in _read_json(folder / "tokenizer_config.json")

    def __call__(self, text: str, add_special_tokens: bool = True) -> Encoding:
        """Token ids of one text (with <bos> when add_special_tokens, as the model expects)."""
        return Encoding(self._tk.encode(text, add_special_tokens=add_special_tokens).ids)

    def __len__(self) -> int:
        return self._tk.get_vocab_size(with_added_tokens=True)

    def decode(self, ids: list[int], skip_special_tokens: bool = False) -> str:
        """Text of token ids."""
        return self._tk.decode(ids, skip_special_tokens=skip_special_tokens)

    def convert_ids_to_tokens(self, ids: list[int]) -> list[str | None]:
        """Vocabulary pieces of token ids."""
        return [self._tk.id_to_token(i) for i in ids]

    def get_vocab(self) -> dict[str, int]:
        """Piece -> id, added tokens included."""
        return self._tk.get_vocab(with_added_tokens=True)

    def _special_id(self, token: object) -> int | None:
        if isinstance(token, dict):  # {"content": "<bos>", ...} in some configs
            token = token.get("content")
        return self._tk.token_to_id(token) if isinstance(token, str) else None


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
