"""How the labelled corpus rates the replies each score floor covers (bot/core/rubric/model.py).

Run: .venv/bin/python -m bench.rubric.floors   (seconds; patterns only)

A floor is only worth having where people nearly always rated such replies 4-5: this prints, per
floor, how many corpus replies it covers and the share rated 4-5 and 1-2 on its criterion.
"""

from __future__ import annotations

import numpy as np

from bench.rubric.dataset import corpus_rows
from bot.core.rubric.cues import find_cues
from bot.core.rubric.model import FLOORS, NEGATIVE_CUES
from bot.core.rubric.text import prepare


def floor_figures() -> list[dict[str, object]]:
    """Per floor: replies covered, share rated 4-5, share rated 1-2, mean rating."""
    cues = []
    for row in corpus_rows():
        prepared = prepare(row["reply"])
        if prepared.scorable:
            found = find_cues(prepared)
            present = set(found.hits) | ({"shouting"} if found.shouting >= 0.6 else set())
            cues.append((row, present))
    out = []
    for every, some, criterion, floor in FLOORS:
        ratings = np.array([
            row["labels"][criterion] for row, present in cues
            if not present & NEGATIVE_CUES and all(c in present for c in every)
            and (not some or any(c in present for c in some))
            and row["labels"][criterion] is not None
        ])  # fmt: skip
        out.append({
            "floor": f"{'+'.join(every)}{' and ' + '|'.join(some) if some else ''} -> "
            f"{criterion} >= {floor}",
            "replies": len(ratings),
            "rated_4_5": round(float(np.mean(ratings >= 4)), 3) if len(ratings) else None,
            "rated_1_2": round(float(np.mean(ratings <= 2)), 3) if len(ratings) else None,
            "mean": round(float(ratings.mean()), 2) if len(ratings) else None,
        })  # fmt: skip
    return out


def main() -> int:
    """Print the figures."""
    for fig in floor_figures():
        print(fig)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
