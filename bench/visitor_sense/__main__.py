"""Visitor-sense benchmark: does the visitor's line make sense after what the officer said?

    .venv/bin/python -m bench.visitor_sense generate   # candidates of every system (~20 min)
    .venv/bin/python -m bench.visitor_sense packets    # shuffled, unlabelled judging packets
    (blind judges write judging/judged_NN.jsonl, see judging/README.md)
    .venv/bin/python -m bench.visitor_sense score      # automatic + judged figures

Systems: `model` (the product: embedded gemma-3-270m with the shipped visitor adapter, best of
4 samples, the picker), `base` (the same prompts and selection on the base model, no adapter),
`scripted` (the move-aware scripted visitor) and `reference` (the hand-written line of each
scenario, the ceiling). Automatic measures per system: fact recall (scenarios where the officer
asked for facts), reaction direction (the line's agitation against the scenario's expected
reaction), generic lines (closer to other officer lines of the same persona than to its own),
repeats (says an earlier visitor line again), in character (no label, markup, AI talk or officer
voice; for the model also how often it fell back to persona lines), time per turn. Also the
agitation engine's own reaction agreement (the real rubric, the moves). Results are reported
for the shipped and the held-out personas apart, test and dev splits apart.
Writes bench/results/visitor_sense.json.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from bench.visitor_sense.scenarios import Scenario, load_scenarios, persona_for
from bot.core.persona import Persona
from bot.core.visitor import Line, VisitorRequest

HERE = Path(__file__).resolve().parent
JUDGING = HERE / "judging"
CANDIDATES = JUDGING / "candidates.jsonl"
KEY = JUDGING / "key.json"
RESULTS = HERE.parent / "results" / "visitor_sense.json"
SYSTEMS = ("model", "base", "scripted")
CRITERIA = ("in_character", "responsive", "consistent", "emotion_fit", "natural")


def request_for(scenario: Scenario, persona: Persona, reader: Any) -> VisitorRequest:
    """The visitor's turn in a scenario, read the way a session reads it."""
    officer_lines = [line.text for line in scenario.history if line.speaker == "officer"]
    readings = reader.read_many(persona, [*officer_lines, scenario.officer])
    history: list[Line] = []
    k = 0
    for line in scenario.history:
        if line.speaker == "officer":
            history.append(Line("officer", line.text, scenario.agitation_before, readings[k]))
            k += 1
        else:
            history.append(line)
    history.append(Line("officer", scenario.officer, scenario.agitation, readings[-1]))
    return VisitorRequest(persona, scenario.agitation, tuple(history), f"bench-{scenario.id}")


def generate(args: argparse.Namespace) -> int:
    """Run every system on every scenario and write the candidates."""
    from bot.core.pick import LinePicker
    from bot.core.reading import Reader
    from bot.model.encoder import load_encoder
    from bot.model.scripted import ScriptedVisitor

    scenarios = load_scenarios()
    encoder = load_encoder()
    reader, picker = Reader(encoder), LinePicker(encoder)
    requests = {s.id: request_for(s, persona_for(s), reader) for s in scenarios}
    rows: list[dict[str, Any]] = []
    for system in args.systems:
        started = time.monotonic()
        if system == "scripted":
            visitor = ScriptedVisitor(picker)
            for s in scenarios:
                t0 = time.monotonic()
                line = visitor.reply(requests[s.id])
                rows.append(_row(s, system, line, "scripted", time.monotonic() - t0))
        else:
            rows += _model_rows(system, scenarios, requests, picker, args)
        print(f"{system}: {len(scenarios)} scenarios in {time.monotonic() - started:.0f} s",
              flush=True)  # fmt: skip
    JUDGING.mkdir(parents=True, exist_ok=True)
    kept = [r for r in _read_jsonl(CANDIDATES) if r["system"] not in args.systems]
    _write_jsonl(CANDIDATES, kept + rows)
    print(f"wrote {CANDIDATES}")
    return 0


def _model_rows(system: str, scenarios: list[Scenario], requests: dict, picker: Any,
                args: argparse.Namespace) -> list[dict[str, Any]]:  # fmt: skip
    from bot.model.local import LocalVisitor
    from bot.settings import get_settings

    settings = get_settings()
    adapter = "none" if system == "base" else settings.model_adapter
    visitor = LocalVisitor(cache_dir=settings.path(settings.model_cache_dir), adapter=adapter,
                           picker=picker)  # fmt: skip
    if not visitor.wait_ready():
        raise SystemExit(f"the model for {system} did not load: {visitor.worker.load_error}")
    rows = []
    for i, s in enumerate(scenarios):
        t0 = time.monotonic()
        reply = visitor.submit_detailed(requests[s.id]).result()
        row = _row(s, system, reply.text, reply.source, time.monotonic() - t0)
        row["samples"] = [c.text for c in reply.ranked]
        row["rejected"] = list(reply.reasons)
        rows.append(row)
        if (i + 1) % 20 == 0:
            print(f"  {system}: {i + 1}/{len(scenarios)}", flush=True)
    visitor.close()
    return rows


def _row(s: Scenario, system: str, line: str, source: str, seconds: float) -> dict[str, Any]:
    return {"scenario": s.id, "system": system, "line": line, "source": source,
            "seconds": round(seconds, 3)}  # fmt: skip


# -- judging packets ----------------------------------------------------------------------------


def packets(args: argparse.Namespace) -> int:
    """Shuffle each scenario's candidates (reference included) into unlabelled packets.

    Lines already judged for a scenario are left out (a later round judges only what is new);
    the reference is always in, so every packet shows what a good line looks like. On the dev
    split every model sample goes in too (`--samples`), so the picker can be tuned on judgments.
    """
    scenarios = {s.id: s for s in load_scenarios()}
    done = _judgments()
    todo: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in _read_jsonl(CANDIDATES):
        s = scenarios.get(row["scenario"])
        if s is None:
            continue
        texts = [(row["system"], row["line"])]
        if args.samples and s.split == "dev":
            texts += [(f"{row['system']}-sample", t) for t in row.get("samples", [])]
        for system, text in texts:
            if (s.id, text) not in done:
                todo[s.id][text].append(system)
    for sid in todo:
        todo[sid][scenarios[sid].reference].append("reference")
    rng = random.Random(args.seed)
    ids = sorted(todo)
    rng.shuffle(ids)
    key = json.loads(KEY.read_text()) if KEY.exists() else {}
    first = 1 + max((int(k) for k in key), default=0)
    chunks = [ids[i : i + args.per_packet] for i in range(0, len(ids), args.per_packet)]
    for n, chunk in enumerate(chunks, first):
        parts, entry = [PACKET_HEAD], {}
        for sid in chunk:
            order = list(todo[sid])
            rng.shuffle(order)
            entry[sid] = [{"line": line, "systems": sorted(set(todo[sid][line]))}
                          for line in order]  # fmt: skip
            parts.append(_scenario_block(scenarios[sid], persona_for(scenarios[sid]), order))
        (JUDGING / f"packet_{n:02d}.md").write_text("\n".join(parts))
        key[f"{n:02d}"] = entry
    KEY.write_text(json.dumps(key, indent=1, sort_keys=True) + "\n")
    print(f"{len(chunks)} new packets (from {first:02d}) of up to {args.per_packet} scenarios, "
          f"{sum(len(v) for v in todo.values())} lines, in {JUDGING}")  # fmt: skip
    return 0


PACKET_HEAD = """# Judging packet

For each scenario below: the visitor (a persona) and what they know, the conversation so far,
what the officer just said, and how agitated the visitor is now (0 calm .. 10 about to explode).
Then numbered candidate lines for what the visitor says next. Judge every candidate on its own,
strictly, on the five criteria of JUDGING.md, each 1 (yes) or 0 (no):

- in_character: spoken by this visitor, first person; no narration, labels, AI talk, or the
  officer's voice.
- responsive: reacts to what the officer just said - answers the question asked, takes up the
  offer, reacts to the threat, the news or the refusal. A line that would fit after anything is 0.
- consistent: nothing contradicts the persona's facts or the conversation; no invented facts that
  clash.
- emotion_fit: the emotion fits the agitation and the officer's move - a provocation does not get
  calm thanks; good news brings some relief.
- natural: a real person in this spot could say it; grammatical and coherent.

Answer with one JSON line per candidate, e.g.
{"item": "hes-01/2", "in_character": 1, "responsive": 0, "consistent": 1,
 "emotion_fit": 1, "natural": 1}
(one line each in your answer; wrapped here only to fit the page)
"""


def _scenario_block(s: Scenario, persona: Persona, lines: list[str]) -> str:
    facts = "\n".join(f"  - {f.q} {f.a}" for f in persona.facts)
    talk = "\n".join(
        f"  {'Officer' if line.speaker == 'officer' else persona.short_name}: {line.text}"
        for line in s.history
    )
    cands = "\n".join(f"  {s.id}/{i}: {line}" for i, line in enumerate(lines, 1))
    return (
        f"\n## Scenario {s.id}\n"
        f"Visitor: {persona.name}. Setting: {persona.setting}\n"
        f"Backstory: {persona.backstory}\nWants: {persona.wants}\nKnows:\n{facts}\n"
        f"Conversation so far:\n{talk}\n"
        f"The officer now says: {s.officer}\n"
        f"Agitation now: {s.agitation}/10 (was {s.agitation_before})\n"
        f"Candidates:\n{cands}\n"
    )


# -- scoring ------------------------------------------------------------------------------------


def score(args: argparse.Namespace) -> int:
    """Automatic measures for every system, the judged figures where judgments exist."""
    from bot.core.pick import AgitationProbe
    from bot.core.rubric.encoder import unit_rows
    from bot.model.discipline import has_leak, line_key
    from bot.model.encoder import load_encoder

    scenarios = {s.id: s for s in load_scenarios()}
    rows = [r for r in _read_jsonl(CANDIDATES) if r["scenario"] in scenarios]
    for s in scenarios.values():
        rows.append(_row(s, "reference", s.reference, "reference", 0.0))
    encoder = load_encoder()
    probe = AgitationProbe.load()
    officer_vecs = unit_rows(np.asarray(encoder.encode([s.officer for s in scenarios.values()])))
    officer_index = {sid: i for i, sid in enumerate(scenarios)}
    line_vecs = unit_rows(np.asarray(encoder.encode([r["line"] for r in rows])))
    levels = probe.predict(line_vecs) if probe is not None else np.full(len(rows), 5.0)
    for r, vec, level in zip(rows, line_vecs, levels, strict=True):
        s = scenarios[r["scenario"]]
        persona = persona_for(s)
        r["carried"] = s.carried(r["line"])
        r["direction_ok"] = _direction(float(level), s.agitation_before) == s.reaction
        same_persona = [officer_index[o.id] for o in scenarios.values() if o.persona == s.persona]
        sims = officer_vecs[same_persona] @ vec
        own = float(officer_vecs[officer_index[s.id]] @ vec)
        r["generic"] = bool(own < np.quantile(sims, 0.75))
        earlier = {line_key(h.text) for h in s.history if h.speaker == "visitor"}
        r["repeat"] = line_key(r["line"]) in earlier
        r["in_character"] = not has_leak(r["line"], persona.short_name)
    judged = _judgments()
    groups: dict[str, Any] = {}
    for label, keep in _slices(scenarios):
        groups[label] = {}
        for system in ("model", "base", "scripted", "reference"):
            part = [r for r in rows if r["system"] == system and keep(scenarios[r["scenario"]])]
            if part:
                groups[label][system] = _figures(part, judged)
    engine = _engine_agreement(list(scenarios.values()), encoder)
    result = {
        "scenarios": len(scenarios), "systems": groups, "engine_reaction": engine,
        "judged_items": len(judged), "command": "python -m bench.visitor_sense score",
    }  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    _print(result)
    return 0


def _slices(scenarios: dict[str, Scenario]) -> list[tuple[str, Any]]:
    return [
        ("shipped_test", lambda s: not s.heldout and s.split == "test"),
        ("heldout_test", lambda s: s.heldout and s.split == "test"),
        ("shipped_dev", lambda s: not s.heldout and s.split == "dev"),
        ("heldout_dev", lambda s: s.heldout and s.split == "dev"),
        ("all", lambda s: True),
    ]


def _direction(level: float, before: int) -> str:
    if level <= before - 1.0:
        return "calmer"
    if level >= before + 1.0:
        return "more_agitated"
    return "same"


def _figures(rows: list[dict[str, Any]], judged: dict[tuple[str, str], dict]) -> dict[str, Any]:
    n = len(rows)
    asked = [r for r in rows if r["carried"] is not None]
    out: dict[str, Any] = {
        "scenarios": n,
        "fact_recall": _share(sum(bool(r["carried"]) for r in asked), len(asked)),
        "asked_for_facts": len(asked),
        "reaction_direction": _share(sum(r["direction_ok"] for r in rows), n),
        "generic": _share(sum(r["generic"] for r in rows), n),
        "repeats": _share(sum(r["repeat"] for r in rows), n),
        "in_character_auto": _share(sum(r["in_character"] for r in rows), n),
        "fallback": _share(sum(r["source"] == "fallback" for r in rows), n),
    }
    times = [r["seconds"] for r in rows if r["seconds"]]
    if times:
        out["seconds_median"] = round(statistics.median(times), 2)
        out["seconds_p95"] = round(sorted(times)[int(0.95 * (len(times) - 1))], 2)
    marks = [judged[(r["scenario"], r["line"])] for r in rows
             if (r["scenario"], r["line"]) in judged]  # fmt: skip
    if marks:
        out["judged"] = len(marks)
        for c in CRITERIA:
            out[c] = _share(sum(m[c] for m in marks), len(marks))
        out["sense"] = _share(sum(all(m[c] for c in CRITERIA) for m in marks), len(marks))
    return out


def _share(k: int, n: int) -> float | None:
    return round(k / n, 3) if n else None


def _judgments() -> dict[tuple[str, str], dict[str, int]]:
    """(scenario, line) -> the five marks, from every judged_NN.jsonl and the key."""
    if not KEY.exists():
        return {}
    key = json.loads(KEY.read_text())
    marks: dict[tuple[str, str], dict[str, int]] = {}
    for path in sorted(JUDGING.glob("judged_*.jsonl")):
        packet = key.get(path.stem.removeprefix("judged_"), {})
        for row in _read_jsonl(path):
            sid, _, num = str(row.get("item", "")).rpartition("/")
            lines = packet.get(sid, [])
            if not num.isdigit() or not 1 <= int(num) <= len(lines):
                continue
            marks[(sid, lines[int(num) - 1]["line"])] = {c: int(bool(row.get(c, 0)))
                                                         for c in CRITERIA}  # fmt: skip
    return marks


def _engine_agreement(scenarios: list[Scenario], encoder: Any) -> dict[str, Any]:
    """The agitation engine (real rubric, moves) against each scenario's expected reaction."""
    from bot.core.agitation import next_agitation
    from bot.core.reading import Reader
    from bot.core.rubric import build_rubric

    rubric, reader = build_rubric(encoder), Reader(encoder)
    ok = 0
    for s in scenarios:
        persona = persona_for(s)
        last_visitor = s.history[-1].text
        score = rubric.score(s.officer, last_visitor)
        reading = reader.read(persona, s.officer)
        change = next_agitation(s.agitation_before, score, s.officer, persona, reading=reading)
        got = "calmer" if change.delta < 0 else "more_agitated" if change.delta > 0 else "same"
        ok += got == s.reaction
    return {"agreement": _share(ok, len(scenarios)), "scenarios": len(scenarios)}


def _print(result: dict[str, Any]) -> None:
    cols = ("sense", "fact_recall", "reaction_direction", "generic", "repeats",
            "in_character_auto", "fallback", "seconds_median")  # fmt: skip
    for label, systems in result["systems"].items():
        print(f"\n{label}")
        print(f"  {'system':<10}" + "".join(f"{c[:12]:>13}" for c in cols))
        for system, fig in systems.items():
            cells = "".join(
                f"{'-' if fig.get(c) is None else fig[c]:>13}" for c in cols
            )
            print(f"  {system:<10}{cells}")
    print(f"\nagitation engine reaction agreement: {result['engine_reaction']}")


def tune(args: argparse.Namespace) -> int:
    """Picker weights against the judged samples of the dev scenarios (never the test split)."""
    import itertools
    from dataclasses import replace

    from bot.core.pick import LinePicker, PickWeights
    from bot.core.reading import Reader
    from bot.model.encoder import load_encoder

    scenarios = {s.id: s for s in load_scenarios() if s.split == "dev"}
    judged = _judgments()
    encoder = load_encoder()
    reader = Reader(encoder)
    cases = []
    for row in _read_jsonl(CANDIDATES):
        s = scenarios.get(row["scenario"])
        if s is None or row["system"] != args.system or not row.get("samples"):
            continue
        samples = [t for t in row["samples"] if (s.id, t) in judged]
        if len(samples) == len(row["samples"]):
            cases.append((s, request_for(s, persona_for(s), reader), samples))
    print(f"{len(cases)} dev scenarios with every {args.system} sample judged")
    sense = {k: all(v.values()) for k, v in judged.items()}
    oracle = sum(any(sense[(s.id, t)] for t in samples) for s, _, samples in cases)
    print(f"best possible (some sample makes sense): {oracle}/{len(cases)}")
    grid = {"responds": (0.0, 1.0, 2.0, 4.0), "mood": (0.0, 0.25, 0.5), "fact_sure": (2.0, 4.0)}
    results = []
    for values in itertools.product(*grid.values()):
        weights = replace(PickWeights(), **dict(zip(grid, values, strict=True)))
        picker = LinePicker(encoder, weights=weights)
        good = 0
        for s, request, samples in cases:
            best = picker.best(request, samples)
            good += best is not None and sense[(s.id, best.text)]
        results.append((good, dict(zip(grid, values, strict=True))))
    for good, values in sorted(results, key=lambda r: -r[0])[:8]:
        print(f"  {good}/{len(cases)}  {values}")
    return 0


def reference_loss(args: argparse.Namespace) -> int:
    """Per-token loss of the hand-written reference lines: base model vs the visitor adapter."""
    from bot.core.reading import Reader
    from bot.model.encoder import load_encoder

    scenarios = load_scenarios()
    reader = Reader(load_encoder())
    prompts = [(s, _prompt_text(request_for(s, persona_for(s), reader))) for s in scenarios]
    out: dict[str, Any] = {}
    for label, adapter in (("base", "none"), ("adapter", "")):
        model, tokenizer = _causal_lm(adapter)
        losses: dict[str, list[float]] = defaultdict(list)
        for s, prompt in prompts:
            nll, n = line_loss(model, tokenizer, prompt, s.reference)
            group = ("heldout" if s.heldout else "shipped") + "_" + s.split
            losses[group] += [nll] * n
        out[label] = {g: round(float(np.mean(v)), 4) for g, v in sorted(losses.items())}
        print(label, out[label], flush=True)
    result = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    result["reference_loss"] = out
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return 0


def _prompt_text(request: VisitorRequest) -> str:
    from bot.model.prompt import build_prompt

    return build_prompt(request).text


def _causal_lm(adapter: str) -> tuple[Any, Any]:
    """The embedded model as the product loads it (adapter merged unless 'none'), in fp32."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from bot.model.local.adapter import merged_model, resolve_adapter
    from bot.model.local.loading import ensure_embedded
    from bot.settings import get_settings

    settings = get_settings()
    cache = settings.path(settings.model_cache_dir)
    source = ensure_embedded(cache)
    lora = resolve_adapter(adapter, "")
    if lora is not None:
        source = merged_model(source, lora, cache)
    model = AutoModelForCausalLM.from_pretrained(source, dtype=torch.float32)
    return model.eval(), AutoTokenizer.from_pretrained(source)


def line_loss(model: Any, tokenizer: Any, prompt: str, line: str) -> tuple[float, int]:
    """Mean negative log-likelihood per token of ' line\\n' after the prompt, and its tokens."""
    import torch

    context = tokenizer(prompt).input_ids
    target = tokenizer(" " + line + "\n", add_special_tokens=False).input_ids
    ids = torch.tensor([context + target])
    with torch.no_grad():
        logits = model(input_ids=ids).logits[0, len(context) - 1 : -1].float()
    nll = torch.nn.functional.cross_entropy(logits, torch.tensor(target))
    return float(nll), len(target)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(t) for t in path.read_text(encoding="utf-8").splitlines() if t.strip()]


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def main(argv: list[str] | None = None) -> int:
    """The benchmark's commands."""
    parser = argparse.ArgumentParser(prog="python -m bench.visitor_sense",
                                     description=__doc__.splitlines()[0])  # fmt: skip
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="run the systems on every scenario")
    g.add_argument("--systems", type=lambda v: v.split(","), default=list(SYSTEMS))
    g.set_defaults(func=generate)
    p = sub.add_parser("packets", help="write shuffled, unlabelled judging packets")
    p.add_argument("--per-packet", type=int, default=25)
    p.add_argument("--samples", action="store_true", help="every model sample on dev scenarios")
    p.add_argument("--seed", type=int, default=7)
    p.set_defaults(func=packets)
    s = sub.add_parser("score", help="automatic and judged figures")
    s.set_defaults(func=score)
    t = sub.add_parser("tune", help="picker weights on the judged dev samples")
    t.add_argument("--system", default="model")
    t.set_defaults(func=tune)
    r = sub.add_parser("loss", help="reference lines' loss, base model vs the adapter")
    r.set_defaults(func=reference_loss)
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
