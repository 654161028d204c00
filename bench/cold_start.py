"""Cold starts: each run is a new process with no Python bytecode cache, started the way the
terminal starts a practice (visitor model on its worker thread, rubric encoder on the main
thread), then one visitor turn. Counts the runs whose visitor fell back to persona lines.

Run: .venv/bin/python -m bench.cold_start [--runs 10]
Target: 0 fallbacks in 10 cold starts. Writes bench/results/cold_start.json.

Each run sets PYTHONPYCACHEPREFIX to a new empty folder, so every module (transformers' lazy
modules included) is compiled afresh, as on the first run after an install, without touching the
installed packages.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.settings import PROJECT_ROOT

RESULTS = Path(__file__).resolve().parent / "results" / "cold_start.json"
PROBE = """
import json, time
from bot import runtime
from bot.core.persona import PersonaLibrary
from bot.core.visitor import Line, VisitorRequest
from bot.settings import get_settings
settings = get_settings()
visitor = runtime.build_visitor(settings)      # the model starts loading on its worker thread
rubric = runtime.build_rubric(settings)        # while the encoder loads here, as in the CLI
catalogue = runtime.open_catalogue(settings)
persona = catalogue.get("hospital_emergency_son")
history = (Line("visitor", persona.opening_lines[0]),
           Line("officer", "What's your mum's name? I'll ring through to triage right now."))
reply = visitor.submit_detailed(VisitorRequest(persona, 6, history, "cold")).result(timeout=300)
print(json.dumps({"source": reply.source, "line": reply.text, "problem": visitor.problem}))
visitor.close()
"""


def main(argv: list[str] | None = None) -> int:
    """Run the cold starts and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    runs = []
    for i in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="cooldown-pycache-") as cache:
            env = {**os.environ, "PYTHONPYCACHEPREFIX": cache}
            started = time.monotonic()
            out = subprocess.run(
                [sys.executable, "-c", PROBE], cwd=PROJECT_ROOT, env=env,
                capture_output=True, text=True, timeout=600,
            )  # fmt: skip
            seconds = time.monotonic() - started
        try:
            result = json.loads(out.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            result = {"source": "crashed", "problem": out.stderr[-500:]}
        result.update(run=i + 1, seconds=round(seconds, 1), exit_code=out.returncode)
        runs.append(result)
        print(f"run {i + 1}: {result['source']:<8} {seconds:5.1f} s  {result.get('problem', '')}",
              flush=True)  # fmt: skip
    fallbacks = sum(r["source"] not in ("model", "retry") for r in runs)
    summary = {"runs": len(runs), "fallbacks": fallbacks, "target_fallbacks": 0, "detail": runs}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"{fallbacks} fallback(s) in {len(runs)} cold starts -> {RESULTS}")
    return 0 if fallbacks == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
