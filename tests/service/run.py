"""Running `cooldown` as a separate process, the way an operator or a service manager does."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A fresh database under tmp_path, no sentence encoder (fast start), nothing from .env."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "MODEL"))}
    env.update(
        DATABASE_PATH=str(tmp_path / "cooldown.db"),
        RUBRIC_ENCODER="none",
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(PROJECT),
    )
    env.update(extra)
    return env


class Process:
    """A child process whose stdout and stderr are collected as they arrive."""

    def __init__(self, args: Sequence[str], env: dict[str, str], stdin: bool = True) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, *args],
            cwd=PROJECT,
            env=env,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._out: list[bytes] = []
        self._err: list[bytes] = []
        self._readers = [
            threading.Thread(target=self._read, args=(self.proc.stdout, self._out), daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stderr, self._err), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream: object, into: list[bytes]) -> None:
        while chunk := os.read(stream.fileno(), 65536):  # type: ignore[attr-defined]
            into.append(chunk)

    @property
    def out(self) -> str:
        """Everything written to stdout so far."""
        return b"".join(self._out).decode("utf-8", "replace")

    @property
    def err(self) -> str:
        """Everything written to stderr so far."""
        return b"".join(self._err).decode("utf-8", "replace")

    def send(self, line: str) -> None:
        """Type a line."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def wait_for(self, seen: Callable[[Process], bool], timeout: float = 120.0) -> None:
        """Until `seen(self)` holds; fails with what the process said when it never does."""
        end = time.monotonic() + timeout
        while not seen(self):
            if self.proc.poll() is not None or time.monotonic() > end:
                raise AssertionError(
                    f"never happened (exit {self.proc.poll()}):\n{self.out}\n{self.err}"
                )
            time.sleep(0.05)

    def finish(self, timeout: float = 120.0) -> int:
        """Wait for the exit code (the readers too, so out and err are complete)."""
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        code = self.proc.wait(timeout)
        for reader in self._readers:
            reader.join(10)
        return code


def assert_clean_exit(process: Process) -> None:
    """No traceback, no abort message: what a service manager and an operator want to see."""
    assert "Traceback" not in process.err, process.err
    assert "terminate called" not in process.err, process.err
