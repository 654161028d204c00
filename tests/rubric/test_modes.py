"""Pattern-only mode, the encoder plumbing, and keeping torch out of bot.core."""

from __future__ import annotations

import logging
import subprocess
import sys
import time

import numpy as np
import pytest

from bot.core.rubric import Encoder, ReplyRubric, build_rubric
from bot.core.scores import Rubric


def test_build_rubric_without_encoder_is_pattern_only() -> None:
    rubric = build_rubric()
    assert isinstance(rubric, ReplyRubric) and rubric.mode == "patterns"
    engine_view: Rubric = rubric  # what the session engine depends on
    assert engine_view.score("Let me help.", "Hello?").overall >= 0


def test_pattern_only_is_fast(plain: ReplyRubric) -> None:
    pairs = [
        (f"I am sorry about the wait, let me check ward {i} for you.", "Where is she?")
        for i in range(200)
    ]
    started = time.perf_counter()
    plain.score_many(pairs)
    assert time.perf_counter() - started < 2.0


def test_core_does_not_import_torch() -> None:
    code = (
        "import sys; import bot.core.rubric, bot.core.session; "
        "from bot.core.rubric import build_rubric; build_rubric().score('Calm down.', 'Hey!'); "
        "bad = [m for m in ('torch', 'transformers', 'sentence_transformers', 'discord') "
        "if m in sys.modules]; assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


class BrokenEncoder:
    """An encoder that fails, as a broken install would."""

    def encode(self, texts: list[str]) -> np.ndarray:
        raise RuntimeError("no model here")


def test_failing_encoder_falls_back_to_patterns(
    plain: ReplyRubric, caplog: pytest.LogCaptureFixture
) -> None:
    rubric = ReplyRubric(encoder=BrokenEncoder())
    with caplog.at_level(logging.ERROR):
        score = rubric.score("Calm down, sir.", "Where is my mum?")
    assert score == plain.score("Calm down, sir.", "Where is my mum?")
    assert "patterns only" in caplog.text


class WrongSizeEncoder:
    """Vectors of the wrong size for the trained probes."""

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.ones((len(texts), 8), dtype=np.float32)


def test_encoder_of_another_size_falls_back(plain: ReplyRubric) -> None:
    reply, visitor = "I can see you're worried. Let me help.", "Where is my mum?"
    assert ReplyRubric(encoder=WrongSizeEncoder()).score(reply, visitor) == plain.score(
        reply, visitor
    )


@pytest.mark.slow
def test_real_encoder_contract(encoder) -> None:  # noqa: ANN001
    from bot.model.encoder import load_encoder

    assert isinstance(encoder, Encoder)
    assert load_encoder() is encoder, "loaded once per process"
    vectors = encoder.encode(["I can see you're worried.", "Step back now.", ""])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-3)
    assert encoder.encode([]).shape == (0, 384)


@pytest.mark.slow
def test_encoder_credits_paraphrased_empathy(rubric: ReplyRubric, plain: ReplyRubric) -> None:
    visitor = "My dog died this morning and I can't stop crying."
    warm = "Losing a companion like that leaves a huge hole; of course the tears keep coming."
    cold = "Dogs die, it's part of life."
    assert rubric.mode == "encoder"
    with_encoder = rubric.score(warm, visitor).criterion("acknowledges_emotion")
    assert with_encoder > plain.score(warm, visitor).criterion("acknowledges_emotion")
    assert rubric.score(warm, visitor).dimensions["empathy"] >= (
        rubric.score(cold, visitor).dimensions["empathy"] + 15
    )
