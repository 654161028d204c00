"""The visitor training dialogues: their shape, loading and checks.

One JSON object per line in train/visitor/data/*.jsonl:

    {"id": "hospital_emergency_son-d01", "persona": "hospital_emergency_son",
     "start_agitation": 7, "opening": "My mum came in by ambulance ...",
     "turns": [{"officer": "What's your mum's name?", "moves": ["asks"], "agitation": 7,
                "visitor": "Joan Bell. She's seventy-four. Can you just ring through?"}, ...]}

`agitation` is the level the visitor speaks this line at (after the officer's line); `moves`
are the officer's moves (bot.core.moves), the main one first.

Check files: python -m train.visitor.data_format [FILES...]   (default: every data file)
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.core.moves import Move
from bot.core.persona import PersonaLibrary, band_for
from bot.settings import PROJECT_ROOT

DATA_DIR = Path(__file__).resolve().parent / "data"
HELDOUT_DIR = PROJECT_ROOT / "bench" / "visitor_sense" / "heldout"
MAX_LINE = 280
_LABEL = re.compile(r"^\s*[\w .'-]{1,30}:\s")
_STAGE = re.compile(r"\*[^*]+\*|\([^)]*\)|\[[^\]]*\]")


@dataclass(frozen=True)
class DialogueTurn:
    """One officer line and the visitor's answer."""

    officer: str
    moves: tuple[Move, ...]
    agitation: int
    visitor: str


@dataclass(frozen=True)
class Dialogue:
    """A written practice conversation with one persona."""

    id: str
    persona: str
    start_agitation: int
    opening: str
    turns: tuple[DialogueTurn, ...]


class DataError(ValueError):
    """A dialogue line that does not fit the format; says where and what."""


def parse_dialogue(raw: dict, where: str) -> Dialogue:
    """A Dialogue from one decoded JSON line; DataError naming the problem."""

    def need(cond: bool, what: str) -> None:
        if not cond:
            raise DataError(f"{where}: {what}")

    need(isinstance(raw, dict), "not a JSON object")
    keys = {"id", "persona", "start_agitation", "opening", "turns"}
    need(set(raw) == keys, f"keys must be {sorted(keys)} (got {sorted(raw)})")
    need(isinstance(raw["start_agitation"], int) and 0 <= raw["start_agitation"] <= 10,
         "start_agitation must be 0-10")  # fmt: skip
    need(isinstance(raw["opening"], str) and raw["opening"].strip() != "", "empty opening")
    turns = raw["turns"]
    need(isinstance(turns, list) and 2 <= len(turns) <= 12, "turns: 2 to 12 turns")
    out = []
    previous = raw["start_agitation"]
    for i, t in enumerate(turns):
        at = f"turn {i + 1}"
        need(isinstance(t, dict) and set(t) == {"officer", "moves", "agitation", "visitor"},
             f"{at}: keys must be officer, moves, agitation, visitor")  # fmt: skip
        need(isinstance(t["officer"], str) and t["officer"].strip() != "", f"{at}: empty officer")
        need(isinstance(t["moves"], list) and 1 <= len(t["moves"]) <= 3, f"{at}: 1-3 moves")
        bad = [m for m in t["moves"] if m not in Move.__members__.values()]
        need(not bad, f"{at}: unknown move(s) {bad}; use {', '.join(Move)}")
        need(isinstance(t["agitation"], int) and 0 <= t["agitation"] <= 10, f"{at}: agitation")
        need(abs(t["agitation"] - previous) <= 3, f"{at}: agitation jumps by more than 3")
        previous = t["agitation"]
        line = t["visitor"]
        need(isinstance(line, str) and 0 < len(line.strip()) <= MAX_LINE,
             f"{at}: visitor line empty or over {MAX_LINE} characters")  # fmt: skip
        need(not _LABEL.match(line), f"{at}: visitor line starts with a speaker label")
        need(not _STAGE.search(line), f"{at}: visitor line has a stage direction or brackets")
        need("\n" not in line and "\n" not in t["officer"], f"{at}: a line holds a newline")
        out.append(DialogueTurn(t["officer"].strip(), tuple(Move(m) for m in t["moves"]),
                                t["agitation"], line.strip()))  # fmt: skip
    said = [raw["opening"].strip().lower()] + [t.visitor.lower() for t in out]
    need(len(set(said)) == len(said), "the visitor says the same line twice")
    return Dialogue(raw["id"], raw["persona"], raw["start_agitation"], raw["opening"].strip(),
                    tuple(out))  # fmt: skip


def load_dialogues(files: Iterable[Path] | None = None) -> list[Dialogue]:
    """Every dialogue in the data files (or the given ones); DataError on the first bad line."""
    dialogues = []
    for path in sorted(files or DATA_DIR.glob("*.jsonl")):
        for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if text.strip():
                where = f"{path.name}:{n}"
                try:
                    raw = json.loads(text)
                except ValueError as exc:
                    raise DataError(f"{where}: not JSON ({exc})") from None
                dialogues.append(parse_dialogue(raw, where))
    return dialogues


def heldout_ids() -> set[str]:
    """Persona ids kept for the benchmark only: never in training data."""
    return {p.stem for p in HELDOUT_DIR.glob("*.y*ml")}


def check(files: list[Path] | None = None) -> list[str]:
    """Problems across files: unknown or held-out personas, repeated ids. Empty when clean."""
    problems = []
    try:
        dialogues = load_dialogues(files)
    except DataError as exc:
        return [str(exc)]
    library = PersonaLibrary.from_directory(PROJECT_ROOT / "personas")
    held = heldout_ids()
    ids = Counter(d.id for d in dialogues)
    problems += [f"dialogue id {i} used {n} times" for i, n in ids.items() if n > 1]
    for d in dialogues:
        if d.persona in held:
            problems.append(f"{d.id}: persona {d.persona} is held out for the benchmark")
        elif d.persona not in library.personas:
            problems.append(f"{d.id}: no persona {d.persona} in personas/")
    return problems


def coverage(dialogues: list[Dialogue]) -> str:
    """Turns per persona, per move and per band, as a small report."""
    moves: Counter[str] = Counter()
    bands: Counter[str] = Counter()
    personas: Counter[str] = Counter()
    for d in dialogues:
        for t in d.turns:
            moves[t.moves[0]] += 1
            bands[band_for(t.agitation)] += 1
            personas[d.persona] += 1
    total = sum(personas.values())
    return (
        f"{len(dialogues)} dialogues, {total} visitor turns, {len(personas)} personas\n"
        f"main move: {dict(moves.most_common())}\nband: {dict(bands)}\n"
        f"turns per persona: {dict(sorted(personas.items()))}"
    )


def main(argv: list[str] | None = None) -> int:
    """Check data files and print their coverage."""
    files = [Path(a) for a in (argv if argv is not None else sys.argv[1:])] or None
    problems = check(files)
    for problem in problems:
        print(f"FAIL {problem}")
    if not problems:
        print(coverage(load_dialogues(files)))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
