"""The shipped visitor adapter: it loads by default, and it has learned this job - the
hand-written lines of personas it never saw are likelier under it than under the base model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.persona import PersonaLibrary
from bot.core.reading import Reader
from bot.core.visitor import Line, VisitorRequest
from bot.model.local.adapter import SHIPPED, AdapterNotFound, resolve_adapter
from bot.model.prompt import build_prompt

PROJECT = Path(__file__).resolve().parents[2]
HELDOUT = PROJECT / "bench" / "visitor_sense"


def test_the_shipped_adapter_is_applied_to_the_embedded_model_only() -> None:
    assert resolve_adapter("", "") == SHIPPED  # the embedded gemma-3-270m gets it by default
    assert resolve_adapter("", "some/other-model") is None  # trained for the embedded one only
    assert resolve_adapter("none", "") is None
    with pytest.raises(AdapterNotFound, match="MODEL_ADAPTER"):
        resolve_adapter("no/such/adapter", "")
    size = sum(f.stat().st_size for f in SHIPPED.iterdir())
    assert size <= 25 * 1024 * 1024


def _heldout_cases(limit: int) -> list[tuple[str, str]]:
    """(prompt, reference line) for scenarios of the benchmark's held-out personas."""
    from bot.model.encoder import load_encoder

    library = PersonaLibrary.from_directory(HELDOUT / "heldout")
    reader = Reader(load_encoder())
    cases = []
    lines = (HELDOUT / "scenarios" / "heldout.jsonl").read_text().splitlines()
    for raw in [json.loads(t) for t in lines if t.strip()][:limit]:
        persona = library.personas[raw["persona"]]
        history = [Line(speaker, text) for speaker, text in raw["history"]]
        reading = reader.read(persona, raw["officer"])
        history.append(Line("officer", raw["officer"], raw["agitation"], reading))
        request = VisitorRequest(persona, raw["agitation"], tuple(history), raw["id"])
        cases.append((build_prompt(request).text, raw["reference"]))
    return cases


@pytest.mark.slow
def test_the_adapter_makes_unseen_personas_lines_likelier() -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from bot.model.local.adapter import merged_model
    from bot.model.local.loading import ensure_embedded
    from bot.settings import get_settings

    settings = get_settings()
    cache = settings.path(settings.model_cache_dir)
    base = ensure_embedded(cache)
    cases = _heldout_cases(16)

    def mean_loss(folder: Path) -> float:
        tokenizer = AutoTokenizer.from_pretrained(folder)
        model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
        total, count = 0.0, 0
        for prompt, line in cases:
            context = tokenizer(prompt).input_ids
            target = tokenizer(" " + line + "\n", add_special_tokens=False).input_ids
            with torch.no_grad():
                logits = model(input_ids=torch.tensor([context + target])).logits[0]
            picked = logits[len(context) - 1 : -1].float()
            total += float(torch.nn.functional.cross_entropy(
                picked, torch.tensor(target), reduction="sum"))  # fmt: skip
            count += len(target)
        return total / count

    before = mean_loss(base)
    after = mean_loss(merged_model(base, SHIPPED, cache))
    assert after < before - 0.3, (before, after)
