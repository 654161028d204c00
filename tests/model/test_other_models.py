"""MODEL set to another local model folder: tiny random Llama models built here, one with a chat
template (prompted with chat messages) and one without (prompted with the transcript)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.persona import Persona
from bot.model.local import LocalVisitor
from bot.model.local.engine import HFEngine, build_engine
from bot.model.local.loading import ensure_embedded
from bot.model.prompt import build_prompt
from bot.settings import get_settings
from tests.model.conftest import make_request

pytestmark = pytest.mark.slow

CHAT_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}<start_of_turn>{{ m['role'] }}\n{{ m['content'] }}"
    "<end_of_turn>\n{% endfor %}{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}"
)


def tiny_model(folder: Path, chat: bool) -> Path:
    """A 2-layer random Llama with the embedded model's tokenizer, saved as a model folder."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    settings = get_settings()
    source = ensure_embedded(settings.path(settings.model_cache_dir))
    tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True)
    if chat:
        tokenizer.chat_template = CHAT_TEMPLATE
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=4096,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )  # fmt: skip
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.mark.parametrize("chat", [True, False], ids=["chat-template", "base"])
def test_any_local_model_folder_speaks_or_falls_back(
    tmp_path: Path, marcus: Persona, chat: bool
) -> None:
    folder = tiny_model(tmp_path / "tiny", chat)
    engine = build_engine(str(folder), tmp_path, "cpu")
    assert isinstance(engine, HFEngine) and engine.chat is chat
    request = make_request(marcus, 8, "Please wait outside.")
    job = engine.job(build_prompt(request), seed=1)
    if chat:  # the persona facts go in the system turn; the conversation in the user turn
        assert "<start_of_turn>system" in job.prefix and "Hospital emergency" in job.prefix
        assert job.suffix.rstrip().endswith("<start_of_turn>model")
        assert "Officer: Please wait outside." in job.suffix
    else:
        assert job.suffix.endswith("Marcus:") and job.stop_at_newline
    texts = engine.generate([job, engine.job(build_prompt(request), seed=2)])
    assert len(texts) == 2 and all(isinstance(t, str) for t in texts)

    # through the visitor: random weights give nonsense, which must end as a clean persona line
    visitor = LocalVisitor(model=str(folder), cache_dir=tmp_path, device="cpu")
    try:
        assert visitor.wait_ready(timeout=120), visitor.worker.load_error
        reply = visitor.submit_detailed(request).result(timeout=120)
    finally:
        visitor.close()
    assert reply.text
    if reply.source == "fallback":
        assert reply.text in marcus.lines["high"] and len(reply.raw) == 2


def test_a_missing_model_names_the_setting_and_the_fix(tmp_path: Path) -> None:
    from bot.model.local.loading import ModelNotFound, resolve_model

    with pytest.raises(ModelNotFound, match="MODEL='no-such-folder'.*leave MODEL empty"):
        resolve_model("no-such-folder", tmp_path)
