"""The fast runner's parts without the real model: a tiny random Gemma-3 against transformers,
mapped weight files, int8 matrices, the thread count that follows the load, turn grouping."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import pytest
import torch

from bot.model.local.cores import CoreShare
from bot.model.local.engine import TextJob
from bot.model.local.gemma_fast import GemmaRunner, GenSpec
from bot.model.local.lowbit import Int8Matrix, quantize_int8
from bot.model.local.prepared import load_weights
from bot.model.local.tensorfile import TensorFile, save_tensors
from bot.model.local.worker import ModelWorker

VOCAB = 300


class TinyTokenizer:
    """Just what the vocabulary scan needs: every id is a plain English-looking word."""

    eos_token_id = 1

    def __len__(self) -> int:
        return VOCAB

    def convert_ids_to_tokens(self, ids: Sequence[int]) -> list[str]:
        return ["\n" if i == 2 else "▁" + "".join(chr(97 + int(d)) for d in str(i)) for i in ids]

    def get_vocab(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.convert_ids_to_tokens(range(VOCAB)))}


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, torch.nn.Module]:
    """A random two-layer Gemma-3 (one sliding-window layer, window 8) saved as a model folder."""
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    torch.manual_seed(0)
    config = Gemma3TextConfig(
        vocab_size=VOCAB, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=1, head_dim=16, sliding_window=8,
        layer_types=["sliding_attention", "full_attention"], max_position_embeddings=512,
        final_logit_softcapping=30.0,
    )  # fmt: skip
    model = Gemma3ForCausalLM(config).eval()
    with torch.no_grad():  # norms start at zero ("1 + w"): make them matter
        for name, p in model.named_parameters():
            if "norm" in name:
                p.normal_(0, 0.3)
    folder = tmp_path_factory.mktemp("tiny-gemma")
    model.save_pretrained(folder, safe_serialization=True)
    return folder, model


def random_ids(n: int, seed: int) -> list[int]:
    return torch.randint(3, VOCAB, (n,), generator=torch.Generator().manual_seed(seed)).tolist()


def reference_logits(model: torch.nn.Module, ids: list[int]) -> torch.Tensor:
    with torch.inference_mode():
        return model(torch.tensor([ids])).logits[0]


def test_runner_computes_what_transformers_computes(tiny_model: tuple[Path, torch.nn.Module],
                                                    tmp_path: Path) -> None:  # fmt: skip
    folder, model = tiny_model
    weights = load_weights(folder, tmp_path, TinyTokenizer(), torch.device("cpu"), int8=False)
    runner = GemmaRunner(weights, torch.device("cpu"))
    ids = random_ids(30, seed=1)
    expected = reference_logits(model, ids)[:, weights.vocab_ids]
    torch.testing.assert_close(runner.logits(ids), expected, atol=2e-4, rtol=1e-4)


def test_decoding_rows_that_share_a_prompt_computes_what_transformers_computes(
    tiny_model: tuple[Path, torch.nn.Module], tmp_path: Path
) -> None:
    """Two rows decode different tokens after one shared 20-token prompt, past the window."""
    folder, model = tiny_model
    weights = load_weights(folder, tmp_path, TinyTokenizer(), torch.device("cpu"), int8=False)
    runner = GemmaRunner(weights, torch.device("cpu"))
    prompt, tails = random_ids(20, seed=4), [random_ids(10, seed=5), random_ids(10, seed=6)]
    with torch.inference_mode():
        group, _ = runner._prompt(prompt, 0, 0)
        group.rows = 2
        shape = (2, weights.config.kv_heads, 10, weights.config.head_dim)
        kv = (runner._zeros(shape), runner._zeros(shape))
        got = [runner._logits(runner._decode(torch.tensor([a, b]), [group], kv, step))
               for step, (a, b) in enumerate(zip(*tails, strict=True))]  # fmt: skip
    for row, tail in enumerate(tails):
        expected = reference_logits(model, prompt + tail)[20:, weights.vocab_ids]
        torch.testing.assert_close(torch.stack([g[row] for g in got]), expected,
                                   atol=2e-4, rtol=1e-4)  # fmt: skip


def test_int8_weights_are_prepared_once_and_keep_the_top_token(
    tiny_model: tuple[Path, torch.nn.Module], tmp_path: Path
) -> None:
    folder, model = tiny_model
    weights = load_weights(folder, tmp_path, TinyTokenizer(), torch.device("cpu"), int8=True)
    prepared = tmp_path / "runner-v1.safetensors"
    made = prepared.stat().st_mtime_ns
    ids = random_ids(40, seed=2)
    got = GemmaRunner(weights, torch.device("cpu")).logits(ids)
    expected = reference_logits(model, ids)[:, weights.vocab_ids]
    agree = (got.argmax(-1) == expected.argmax(-1)).float().mean().item()
    assert agree >= 0.9, agree
    load_weights(folder, tmp_path, TinyTokenizer(), torch.device("cpu"), int8=True)
    assert prepared.stat().st_mtime_ns == made  # the second start maps the file it made


def test_a_read_only_cache_still_gives_int8_weights(
    tiny_model: tuple[Path, torch.nn.Module], tmp_path: Path
) -> None:
    folder, _ = tiny_model
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")  # the prepared folder cannot be made under it
    weights = load_weights(folder, blocked / "x", TinyTokenizer(), torch.device("cpu"), int8=True)
    assert isinstance(weights.head, Int8Matrix)
    assert GemmaRunner(weights, torch.device("cpu")).logits(random_ids(5, seed=3)).isfinite().all()


def test_candidates_sharing_a_prompt_sample_what_each_would_alone(
    tiny_model: tuple[Path, torch.nn.Module], tmp_path: Path
) -> None:
    """Best-of-4 runs the prompt once; each row still gets exactly its own sample, also when
    its prompt is longer than the sliding window and rows stop at different steps."""
    folder, _ = tiny_model
    weights = load_weights(folder, tmp_path, TinyTokenizer(), torch.device("cpu"), int8=False)
    runner = GemmaRunner(weights, torch.device("cpu"))
    prompt = list(range(10, 30))
    other = list(range(40, 52))
    specs = [GenSpec(prompt[:6], prompt[6:], seed, 12, True) for seed in range(4)]
    specs.append(GenSpec(other[:4], other[4:], 7, 9, False))
    alone = []
    for spec in specs:
        runner.clear_prefix_cache()
        alone.append(runner.generate([spec])[0])
    runner.clear_prefix_cache()
    calls: list[int] = []
    original = runner._prefill
    runner._prefill = lambda *a: calls.append(1) or original(*a)  # type: ignore[method-assign]
    together = runner.generate(specs)
    assert together == alone
    assert len(calls) == 2  # one prompt computation per distinct prompt, not per row


def test_mapped_tensors_are_views_of_the_file(tmp_path: Path) -> None:
    tensors = {
        "w": torch.randn(5, 7).to(torch.bfloat16),
        "q": torch.randint(-127, 127, (3, 4), dtype=torch.int8),
        "ids": torch.arange(9),
    }
    path = tmp_path / "sub" / "t.safetensors"
    save_tensors(path, tensors, {"source": "x"})
    assert [p.name for p in path.parent.iterdir()] == ["t.safetensors"]  # no temp file left
    mapped = TensorFile(path)
    assert mapped.metadata == {"source": "x"}
    for name, tensor in tensors.items():
        assert torch.equal(mapped.tensor(name), tensor)
    base = mapped._bytes.untyped_storage().data_ptr()
    assert mapped.tensor("w").untyped_storage().data_ptr() == base  # not a copy


def test_int8_matrix_matches_the_dense_product_for_decode_and_prompt_rows() -> None:
    torch.manual_seed(3)
    weight = torch.randn(96, 64)
    matrix = Int8Matrix(*quantize_int8(weight))
    for rows in (1, 4, 40):  # the int8 kernel, then widened bf16 for prompts
        x = torch.randn(rows, 64)
        exact = x @ weight.T
        err = (matrix(x) - exact).norm() / exact.norm()
        assert err < 0.02, (rows, err)


def fake_proc(root: Path, busy: int, idle: int, ours: int) -> None:
    (root / "self" / "task" / "7").mkdir(parents=True, exist_ok=True)
    (root / "stat").write_text(f"cpu  {busy} 0 0 {idle} 0 0 0 0 0 0\ncpu0 0 0 0 0\n")
    fields = ["S"] + ["0"] * 10 + [str(ours), "0"] + ["0"] * 30
    (root / "self" / "task" / "7" / "stat").write_text(f"7 (cooldown-model) {' '.join(fields)}\n")


@pytest.mark.parametrize(
    ("busy", "ours", "threads"),
    [(100, 0, 1), (0, 0, 2), (180, 180, 2), (60, 0, 1), (20, 0, 2)],
    ids=["another-process-holds-a-core", "idle", "only-we-are-busy", "a-busy-half", "a-little"],
)
def test_model_threads_follow_the_cores_others_leave_idle(
    tmp_path: Path, busy: int, ours: int, threads: int
) -> None:
    applied: list[int] = []
    fake_proc(tmp_path, 1000, 1000, 500)
    share = CoreShare(applied.append, cpus=2, proc=tmp_path)
    fake_proc(tmp_path, 1000 + busy, 1000 + 200 - busy, 500 + ours)  # 2 cores x 100 ticks
    expected = min(threads, share.limit)
    assert share() == expected and applied == [expected]


def test_a_turns_candidates_are_taken_into_one_batch() -> None:
    """Round-robin between sessions serves whole turns: a turn's four candidates never split."""
    started, release = threading.Event(), threading.Event()
    batches: list[list[str]] = []

    class Engine:
        chat, max_batch = False, 6

        def generate(self, jobs: Sequence[TextJob]) -> list[str]:
            if jobs[0].suffix == "block":
                started.set()
                release.wait(5)
            batches.append([f"{j.suffix}{j.seed}" for j in jobs])
            return ["x"] * len(jobs)

    worker = ModelWorker(lambda: Engine())
    first = worker.submit("z", TextJob("", "block", 0))
    assert started.wait(5)  # the blocker is being served; queue two turns behind it
    futures = [worker.submit(s, TextJob("p", s, seed)) for s in "ab" for seed in range(4)]
    release.set()
    first.result(5)
    assert all(f.result(5) == "x" for f in futures)
    assert batches[1:] == [["a0", "a1", "a2", "a3"], ["b0", "b1", "b2", "b3"]]
    worker.close()
