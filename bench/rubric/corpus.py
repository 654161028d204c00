"""The rubric corpus: replies in many settings, labelled against bench/rubric/GUIDELINES.md.

Check: python -m bench.rubric.corpus [FILES...]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from bot.core.scores import CRITERIA

CORPUS = Path(__file__).resolve().parent / "corpus"
SOURCES = ("security", "customer_service", "healthcare", "peer_support", "workplace",
           "education", "hospitality", "transport", "everyday")  # fmt: skip
STRATEGIES = ("cooperative", "competitive", "mixed", "neutral")
LEAPS = ("listen", "empathise", "ask", "paraphrase", "summarise")
ALWAYS = ("acknowledges_emotion", "shows_understanding", "composed_tone", "non_commanding",
          "respectful")  # fmt: skip


def check_row(row: dict, where: str) -> list[str]:
    """Problems with one row (empty when it fits the guidelines' format)."""
    keys = {"id", "source", "author", "context", "reply", "labels", "strategy", "leaps"}
    if not isinstance(row, dict) or set(row) != keys:
        return [f"{where}: keys must be {sorted(keys)}"]
    bad = []
    if row["source"] not in SOURCES:
        bad.append(f"{where}: source must be one of {SOURCES}")
    for key in ("context", "reply", "author", "id"):
        if not isinstance(row[key], str) or not row[key].strip():
            bad.append(f"{where}: {key} is empty")
    labels = row["labels"]
    if not isinstance(labels, dict) or set(labels) != set(CRITERIA):
        return bad + [f"{where}: labels must have exactly {list(CRITERIA)}"]
    for name, value in labels.items():
        if value is None and name in ALWAYS:
            bad.append(f"{where}: {name} always applies (1-5, never null)")
        elif value is not None and (not isinstance(value, int) or not 1 <= value <= 5):
            bad.append(f"{where}: {name} must be 1-5 or null")
    if row["strategy"] not in STRATEGIES:
        bad.append(f"{where}: strategy must be one of {STRATEGIES}")
    if not isinstance(row["leaps"], list) or any(s not in LEAPS for s in row["leaps"]):
        bad.append(f"{where}: leaps must be a list of {LEAPS}")
    return bad


def load(files: list[Path] | None = None) -> list[dict]:
    """Every row of the corpus files (or the given ones)."""
    rows = []
    for path in sorted(files or CORPUS.glob("*.jsonl")):
        for text in path.read_text(encoding="utf-8").splitlines():
            if text.strip():
                rows.append(json.loads(text))
    return rows


def main(argv: list[str]) -> int:
    """Check files and print coverage."""
    files = [Path(a) for a in argv] or sorted(CORPUS.glob("*.jsonl"))
    problems, rows = [], []
    for path in files:
        for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not text.strip():
                continue
            try:
                row = json.loads(text)
            except ValueError as exc:
                problems.append(f"{path.name}:{n}: not JSON ({exc})")
                continue
            problems += check_row(row, f"{path.name}:{n}")
            rows.append(row)
    ids = Counter(r.get("id") for r in rows)
    problems += [f"id {i} used {n} times" for i, n in ids.items() if n > 1]
    for p in problems:
        print(f"FAIL {p}")
    print(f"{len(rows)} rows; sources {dict(Counter(r.get('source') for r in rows))}")
    print(f"strategy {dict(Counter(r.get('strategy') for r in rows))}")
    na = Counter(k for r in rows for k, v in (r.get('labels') or {}).items() if v is None)
    print(f"not applicable: {dict(na)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
