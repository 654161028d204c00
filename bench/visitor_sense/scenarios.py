"""Visitor-sense scenarios: their shape, loading and checks.

One JSON object per line in bench/visitor_sense/scenarios/*.jsonl:

    {"id": "hes-07", "persona": "hospital_emergency_son", "split": "test",
     "agitation_before": 7, "agitation": 6,
     "history": [["visitor", "My mum came in by ambulance ..."], ["officer", "..."], ...],
     "officer": "What's your mum's name? I'll ring through to triage right now.",
     "moves": ["asks", "offers"], "carry": ["Joan", "74|seventy-four"],
     "reaction": "calmer", "reference": "Joan Bell, she's seventy-four. Please, just ring them."}

`history` is the conversation before the officer's line (visitor first, alternating);
`agitation` is the level the visitor answers at; `carry` lists what a sensible answer must
contain when the officer asked for facts (each item: alternatives separated by '|'; empty when
nothing was asked); `reaction` is calmer, same or more_agitated; `reference` is a hand-written
good answer. `split`: dev (may be looked at while tuning) or test (reported only). A scenario's
persona is a shipped one (personas/) or a held-out one (bench/visitor_sense/heldout/).

Check: python -m bench.visitor_sense.scenarios
"""

from __future__ import annotations

import functools
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.core.moves import Move
from bot.core.persona import Persona, PersonaLibrary
from bot.core.visitor import Line
from bot.settings import PROJECT_ROOT

HERE = Path(__file__).resolve().parent
SCENARIO_DIR = HERE / "scenarios"
HELDOUT_DIR = HERE / "heldout"
REACTIONS = ("calmer", "same", "more_agitated")


@dataclass(frozen=True)
class Scenario:
    """One moment of a practice: the conversation, the officer's line and what a good reply does."""

    id: str
    persona: str
    split: str
    heldout: bool
    agitation_before: int
    agitation: int
    history: tuple[Line, ...]
    officer: str
    moves: tuple[Move, ...]
    carry: tuple[tuple[str, ...], ...]
    reaction: str
    reference: str

    def carried(self, line: str) -> bool | None:
        """Whether a line carries every asked-for fact (None when nothing was asked)."""
        if not self.carry:
            return None
        text = _norm(line)
        return all(any(_norm(alt) in text for alt in group) for group in self.carry)


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").replace("-", " ").split())


@functools.cache
def libraries() -> tuple[PersonaLibrary, PersonaLibrary]:
    """(shipped personas, held-out benchmark personas), read once per run."""
    return (
        PersonaLibrary.from_directory(PROJECT_ROOT / "personas"),
        PersonaLibrary.from_directory(HELDOUT_DIR),
    )


def load_scenarios(directory: Path = SCENARIO_DIR) -> list[Scenario]:
    """Every scenario; ValueError naming the file, line and problem for a bad one."""
    shipped, held = libraries()
    out = []
    for path in sorted(directory.glob("*.jsonl")):
        for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if text.strip():
                out.append(_parse(json.loads(text), f"{path.name}:{n}", shipped, held))
    ids = [s.id for s in out]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise ValueError(f"scenario ids used twice: {sorted(dupes)}")
    return out


def persona_for(scenario: Scenario) -> Persona:
    """The scenario's persona (shipped or held out)."""
    shipped, held = libraries()
    return (held if scenario.heldout else shipped).personas[scenario.persona]


def _parse(raw: dict, where: str, shipped: PersonaLibrary, held: PersonaLibrary) -> Scenario:
    def need(cond: bool, what: str) -> None:
        if not cond:
            raise ValueError(f"{where}: {what}")

    keys = {"id", "persona", "split", "agitation_before", "agitation", "history", "officer",
            "moves", "carry", "reaction", "reference"}  # fmt: skip
    need(isinstance(raw, dict) and set(raw) == keys, f"keys must be {sorted(keys)}")
    pid = raw["persona"]
    need(pid in shipped.personas or pid in held.personas, f"unknown persona {pid}")
    need(raw["split"] in ("dev", "test"), "split must be dev or test")
    for key in ("agitation_before", "agitation"):
        need(isinstance(raw[key], int) and 0 <= raw[key] <= 10, f"{key} must be 0-10")
    history = raw["history"]
    need(isinstance(history, list) and len(history) >= 1, "history needs the opening line")
    lines = []
    for i, item in enumerate(history):
        speaker = "visitor" if i % 2 == 0 else "officer"
        need(isinstance(item, list) and len(item) == 2 and item[0] == speaker,
             f"history[{i}] must be ['{speaker}', text] (visitor first, alternating)")  # fmt: skip
        need(isinstance(item[1], str) and item[1].strip() != "", f"history[{i}] is empty")
        lines.append(Line(speaker, item[1].strip()))  # type: ignore[arg-type]
    need(lines[-1].speaker == "visitor", "history must end with a visitor line")
    need(isinstance(raw["officer"], str) and raw["officer"].strip() != "", "empty officer line")
    moves = raw["moves"]
    need(isinstance(moves, list) and 1 <= len(moves) <= 3
         and all(m in Move.__members__.values() for m in moves),
         f"moves: 1-3 of {', '.join(Move)}")  # fmt: skip
    carry = raw["carry"]
    need(isinstance(carry, list) and all(isinstance(c, str) and c.strip() for c in carry),
         "carry must be a list of strings")  # fmt: skip
    need(raw["reaction"] in REACTIONS, f"reaction must be one of {REACTIONS}")
    need(isinstance(raw["reference"], str) and raw["reference"].strip() != "", "no reference")
    return Scenario(
        id=raw["id"], persona=pid, split=raw["split"], heldout=pid in held.personas,
        agitation_before=raw["agitation_before"], agitation=raw["agitation"],
        history=tuple(lines), officer=raw["officer"].strip(),
        moves=tuple(Move(m) for m in moves),
        carry=tuple(tuple(a.strip() for a in c.split("|")) for c in carry),
        reaction=raw["reaction"], reference=raw["reference"].strip(),
    )  # fmt: skip


def main() -> int:
    """Check the scenario files and print how they cover personas, moves and splits."""
    from collections import Counter

    try:
        scenarios = load_scenarios()
    except (ValueError, KeyError) as exc:
        print(f"FAIL {exc}")
        return 1
    bad_refs = [s.id for s in scenarios if s.carried(s.reference) is False]
    for sid in bad_refs:
        print(f"FAIL {sid}: the reference line does not carry the facts listed in carry")
    kinds = Counter((s.split, "heldout" if s.heldout else "shipped") for s in scenarios)
    print(f"{len(scenarios)} scenarios: {dict(kinds)}")
    print(f"personas: {dict(Counter(s.persona for s in scenarios))}")
    print(f"main move: {dict(Counter(s.moves[0].value for s in scenarios))}")
    print(f"reaction: {dict(Counter(s.reaction for s in scenarios))}")
    print(f"asked for facts: {sum(bool(s.carry) for s in scenarios)}")
    return 1 if bad_refs else 0


if __name__ == "__main__":
    sys.exit(main())
