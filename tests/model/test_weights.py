"""A model's output head: tied to the embeddings is complete (and said nothing about); missing
and untied is an error the officer hears about; an untied head is the one the runner uses.

Tiny random Gemma-3 models built here, saved without `lm_head.weight` as gemma-3-270m is.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def transformers_warns() -> Iterator[None]:
    """transformers at its default verbosity, so a load report would be printed."""
    from transformers.utils import logging as hf_logging

    before = hf_logging.get_verbosity()
    hf_logging.set_verbosity_warning()
    yield
    hf_logging.set_verbosity(before)


def tiny_gemma(folder: Path, tied: bool, keep_head: bool = False) -> Path:
    """A one-layer Gemma-3 saved without its output head (as gemma-3-270m ships)."""
    from safetensors.torch import load_file, save_file
    from tokenizers import Tokenizer, models
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    config = Gemma3TextConfig(
        vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
        num_attention_heads=1, num_key_value_heads=1, head_dim=16,
        layer_types=["full_attention"], tie_word_embeddings=tied,
    )  # fmt: skip
    torch.manual_seed(0)
    Gemma3ForCausalLM(config).save_pretrained(folder)
    if not keep_head:
        weights = load_file(folder / "model.safetensors")
        weights.pop("lm_head.weight", None)
        save_file(weights, folder / "model.safetensors", metadata={"format": "pt"})
    words = {"<pad>": 0, "<eos>": 1, "<bos>": 2, "<unk>": 3, "hello": 4}
    Tokenizer(models.WordLevel(words, unk_token="<unk>")).save(str(folder / "tokenizer.json"))
    special = {"bos_token": "<bos>", "eos_token": "<eos>"}
    (folder / "tokenizer_config.json").write_text(json.dumps(special))
    return folder


def test_a_tied_head_loads_quietly_as_the_embeddings(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from bot.model.local.loading import load_model

    folder = tiny_gemma(tmp_path / "tied", tied=True)
    model, _ = load_model(folder, torch.device("cpu"), torch.float32, lean_tokenizer=True)
    head, embeddings = model.get_output_embeddings(), model.get_input_embeddings()
    assert head.weight.data_ptr() == embeddings.weight.data_ptr()
    assert "LOAD REPORT" not in capfd.readouterr().err


def test_an_untied_head_missing_from_the_checkpoint_is_refused(tmp_path: Path) -> None:
    from bot.model.local.loading import IncompleteModel, load_model

    folder = tiny_gemma(tmp_path / "untied", tied=False)
    with pytest.raises(IncompleteModel, match=r"lacks weights it needs \(lm_head\.weight\)"):
        load_model(folder, torch.device("cpu"), torch.float32, lean_tokenizer=True)


def test_the_fast_runner_uses_an_untied_head(tmp_path: Path) -> None:
    from transformers import AutoModelForCausalLM

    from bot.model.local.gemma_fast import GemmaRunner

    folder = tiny_gemma(tmp_path / "own-head", tied=False, keep_head=True)
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    head = model.lm_head.weight.detach().clone()
    assert not torch.equal(head, model.model.embed_tokens.weight)
    vocab = torch.arange(64)
    runner = GemmaRunner(model, vocab, [1], [], torch.device("cpu"), int8=False)
    hidden = torch.randn(3, 16)
    expected = hidden @ head.T
    assert torch.allclose(runner.head(hidden).float(), expected, atol=0.1, rtol=0.05)
