"""Log lines never land in the middle of the officer's typing; library noise is off unless -v."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.terminal.logs import QUIET_ENV, TerminalLogHandler, quiet_libraries

PROJECT = Path(__file__).resolve().parents[2]


def test_lines_logged_while_the_officer_types_wait_for_the_reply(
    capsys: pytest.CaptureFixture[str],
) -> None:
    handler = TerminalLogHandler()
    log = logging.getLogger("cooldown.test.held")
    log.addHandler(handler)
    log.propagate = False
    try:
        with handler.holding():
            log.warning("the visitor model failed to load: disk on fire")
            assert capsys.readouterr().err == ""  # nothing while the prompt is open
        assert "disk on fire" in capsys.readouterr().err  # shown as soon as it closes
        log.warning("outside a prompt")
        assert "outside a prompt" in capsys.readouterr().err  # straight through otherwise
    finally:
        log.removeHandler(handler)


def test_quiet_libraries_keeps_a_users_own_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in QUIET_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRANSFORMERS_VERBOSITY", "info")
    quiet_libraries()
    assert os.environ["TRANSFORMERS_VERBOSITY"] == "info"
    assert os.environ["TQDM_DISABLE"] == "1"
    assert os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] == "1"


LOAD_TINY = """
import sys, tempfile
from bot.cli import main  # noqa: F401 - the CLI's own import order
from bot.terminal.logs import configure
configure(30, verbose=sys.argv[1] == "verbose")
from transformers import Gemma3ForCausalLM, Gemma3TextConfig
folder = tempfile.mkdtemp()
config = Gemma3TextConfig(vocab_size=64, hidden_size=16, intermediate_size=32,
    num_hidden_layers=1, num_attention_heads=1, num_key_value_heads=1, head_dim=16,
    layer_types=["full_attention"], tie_word_embeddings=False)
Gemma3ForCausalLM(config).save_pretrained(folder)
Gemma3ForCausalLM.from_pretrained(folder)
"""


@pytest.mark.parametrize("mode", ["quiet", "verbose"])
def test_loading_weights_bars_only_with_verbose(mode: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in QUIET_ENV}
    out = subprocess.run(
        [sys.executable, "-c", LOAD_TINY, mode],
        capture_output=True, text=True, timeout=240, cwd=PROJECT, env=env,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    assert ("Loading weights" in out.stderr) is (mode == "verbose")
