"""Terminal commands end like programs should: a model still loading never aborts the exit, and
SIGTERM in a practice leaves it saved for the next `cooldown practice` to carry on."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import get_settings
from tests.service.run import Process, assert_clean_exit, environment

PERSONA = "hospital_emergency_son"


def test_exit_while_the_model_is_still_loading_is_clean(tmp_path: Path) -> None:
    # main aborted here: exit 134, "terminate called without an active exception"
    env = environment(tmp_path, SLOW_MODEL_CLOSE_S="1")
    args = ["-m", "tests.service.slow_model", "practice", "--persona", PERSONA, "--officer", "t"]
    process = Process(args, env)
    process.wait_for(lambda p: "slow_model: loading" in p.err and "You: " in p.out)
    process.send("/end")
    assert process.finish() == 0
    assert_clean_exit(process)
    assert "ended by the officer after 0 replies" in process.out
    assert "still loading" in process.err  # the operator is told why it did not wait longer


def test_a_second_signal_does_not_cut_the_closing_short(tmp_path: Path) -> None:
    env = environment(tmp_path, SLOW_MODEL_CLOSE_S="4")
    args = ["-m", "tests.service.slow_model", "practice", "--persona", PERSONA, "--officer", "t"]
    process = Process(args, env)
    process.wait_for(lambda p: "slow_model: loading" in p.err and "You: " in p.out)
    process.proc.send_signal(signal.SIGTERM)
    process.wait_for(lambda p: "practice saved" in p.out)
    time.sleep(1)  # closing: waiting for the model thread
    process.proc.send_signal(signal.SIGINT)  # an impatient operator
    assert process.finish() == 143  # still the first signal's exit, after a whole closing
    assert_clean_exit(process)
    assert "still loading after 4 s" in process.err  # the wait ran its course


def test_sigterm_in_a_practice_saves_it_and_the_next_practice_carries_on(tmp_path: Path) -> None:
    env = environment(tmp_path)
    args = ["-m", "bot", "practice", "--scripted", "--persona", PERSONA, "--officer", "alice"]
    first = Process(args, env)
    first.wait_for(lambda p: "You: " in p.out)
    first.send("I can see you're worried. Let me call the ward for you now.")
    first.wait_for(lambda p: p.out.count("You: ") == 2)  # the turn is played and recorded
    first.proc.send_signal(signal.SIGTERM)
    assert first.finish() == 143  # documented: a terminal command stopped by SIGTERM
    assert_clean_exit(first)
    assert "stopped by SIGTERM" in first.err
    assert "practice saved: `cooldown practice --officer alice` carries on" in first.out
    assert "Debrief" not in first.out  # stopped, not ended

    second = Process(args[:-4] + ["--officer", "alice"], env)
    second.wait_for(lambda p: "You: " in p.out)
    assert "Carrying on your practice: 1 reply so far" in second.out
    second.send("/end")
    assert second.finish() == 0
    assert_clean_exit(second)
    assert "ended by the officer after 1 reply" in second.out


def test_a_bad_setting_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OFFICER_MESSAGES_PER_MINUTE", "0")
    monkeypatch.setenv("DISCORD_TOKEN", "secret-token-value")
    get_settings.cache_clear()
    try:
        assert main(["personas", "list"]) == 2
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "OFFICER_MESSAGES_PER_MINUTE: Input should be greater than or equal to 1" in err
    assert "(got '0')" in err and "secret-token-value" not in err
