"""Rubric fixtures: one real MiniLM encoder per test session, and the pattern-only rubric."""

from __future__ import annotations

import pytest

from bot.core.rubric import ReplyRubric


@pytest.fixture(scope="session")
def encoder():  # noqa: ANN201 - MiniLMEncoder is imported lazily (loads torch)
    """The real sentence encoder, loaded once for all rubric tests."""
    from bot.model.encoder import load_encoder

    return load_encoder()


@pytest.fixture(scope="session")
def rubric(encoder) -> ReplyRubric:  # noqa: ANN001
    """The full rubric: patterns plus the shared encoder."""
    return ReplyRubric(encoder=encoder)


@pytest.fixture(scope="session")
def plain() -> ReplyRubric:
    """The pattern-only rubric (no encoder)."""
    return ReplyRubric()


@pytest.fixture(params=[pytest.param("encoder", marks=pytest.mark.slow), "patterns"])
def any_rubric(request: pytest.FixtureRequest) -> ReplyRubric:
    """Each test using this runs in both modes."""
    if request.param == "encoder":
        return request.getfixturevalue("rubric")
    return request.getfixturevalue("plain")
