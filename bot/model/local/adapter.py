"""The visitor adapter: LoRA weights trained for this one job, merged into the base model once.

By default the embedded gemma-3-270m gets the adapter shipped in bot/model/adapters/visitor
(trained by `python -m train.visitor.train`). The merge runs once and its result is cached as a
model folder keyed by the adapter's content, so later starts load it like any other model and
never import peft; the fast runner then converts the merged weights to int8 as usual.
`MODEL_ADAPTER=none` uses the base model, `MODEL_ADAPTER=path/to/adapter` another adapter.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from pathlib import Path

from bot.model.loads import note
from bot.settings import PROJECT_ROOT

log = logging.getLogger(__name__)

SHIPPED = PROJECT_ROOT / "bot" / "model" / "adapters" / "visitor"
_FILES = ("adapter_config.json", "adapter_model.safetensors")
_TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                    "tokenizer.model", "chat_template.jinja")  # fmt: skip


class AdapterNotFound(FileNotFoundError):
    """MODEL_ADAPTER names no adapter folder."""


def resolve_adapter(setting: str, model: str) -> Path | None:
    """The adapter folder to apply, or None ('none', or a non-default model with no setting)."""
    value = setting.strip()
    if value.lower() == "none":
        return None
    if not value:
        # the shipped adapter was trained on the embedded model only
        return SHIPPED if not model and _complete(SHIPPED) else None
    for candidate in (Path(value).expanduser(), PROJECT_ROOT / value):
        if _complete(candidate):
            return candidate
    raise AdapterNotFound(
        f"MODEL_ADAPTER={value!r} is not an adapter folder (it needs {' and '.join(_FILES)}); "
        "leave it empty for the shipped visitor adapter or write none for the base model"
    )


def adapter_key(adapter: Path) -> str:
    """A short hash of the adapter's files: a changed adapter gets a new merged folder."""
    digest = hashlib.sha256()
    for name in _FILES:
        digest.update((adapter / name).read_bytes())
    return digest.hexdigest()[:12]


def merged_model(base: Path, adapter: Path, cache_dir: Path) -> Path:
    """A model folder holding base + adapter merged (built on first use, then reused)."""
    target = cache_dir / f"{base.name}+{adapter.name}-{adapter_key(adapter)}"
    if (target / "config.json").exists() and (target / "model.safetensors").exists():
        return target
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    note("first run: merging the visitor's training into the model")
    log.info("merging the visitor adapter %s into %s", adapter.name, base.name)
    model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32, local_files_only=True)
    merged = PeftModel.from_pretrained(model, adapter).merge_and_unload()
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    merged.to(torch.bfloat16).save_pretrained(tmp)
    for name in _TOKENIZER_FILES:
        if (base / name).exists():
            shutil.copy2(base / name, tmp / name)
    try:
        tmp.rename(target)
    except OSError:  # another process merged it first
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _complete(folder: Path) -> bool:
    return all((folder / name).exists() for name in _FILES)
