"""`python -m tests.service.slow_model ARGS...`: `cooldown ARGS` with a visitor model whose load
keeps torch busy for a minute, the way a cold first load does, so exit tests meet a model
thread inside native code. SLOW_MODEL_CLOSE_S shortens how long closing waits for it."""

from __future__ import annotations

import os
import sys
import time

import torch

from bot.cli import main
from bot.model.local import visitor, worker


def busy_load(*args: object, **kwargs: object) -> object:
    """Matrix products for 60 s (native code, no Python in between), then a failed load."""
    print("slow_model: loading", file=sys.stderr, flush=True)
    a = torch.randn(256, 256)
    end = time.monotonic() + 60
    while time.monotonic() < end:
        a = torch.tanh(a @ a)
    raise RuntimeError("the slow test model never loads")


if __name__ == "__main__":
    visitor.build_engine = busy_load  # type: ignore[assignment]
    if "SLOW_MODEL_CLOSE_S" in os.environ:
        worker.CLOSE_TIMEOUT_S = float(os.environ["SLOW_MODEL_CLOSE_S"])
    sys.argv[0] = "cooldown"
    raise SystemExit(main())
