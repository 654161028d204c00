"""Scripted visitor: the persona's own lines and fact answers, chosen for what the officer did.

A question is answered with the persona's fact, a provocation meets an angry line and good news a
relieved one, because the same picker that chooses among the model's samples chooses here
among the persona's lines (each at its band's agitation). No model, instant, deterministic.
"""

from __future__ import annotations

import random
import zlib

from bot.core.persona import BANDS, Persona, band_for
from bot.core.pick import BAND_CENTRE, LinePicker
from bot.core.visitor import VisitorRequest


def pick_line(persona: Persona, agitation: int, used: set[str], seed: str = "") -> str:
    """A persona line for the band at this agitation that has not been said yet this session.

    When the band is used up, neighbouring bands are tried (nearest first) before any repeat, so
    a long session still never hears the same line twice while unused lines remain.
    """
    band = band_for(agitation)
    order = sorted(BANDS, key=lambda b: abs(BANDS.index(b) - BANDS.index(band)))
    rng = random.Random(zlib.crc32(f"{seed}:{len(used)}".encode()))
    for candidate_band in order:
        fresh = [line for line in persona.lines[candidate_band] if line not in used]
        if fresh:
            return rng.choice(fresh)
    return rng.choice(persona.lines[band])


def scripted_line(request: VisitorRequest, picker: LinePicker | None = None) -> str:
    """The persona line (or fact answer) that best answers the officer's last line.

    Without a reading of the officer's line (nothing said yet), the band's next unused line.
    """
    persona = request.persona
    if request.reading is None:
        return pick_line(persona, request.agitation, request.visitor_lines(), request.session_id)
    used = request.visitor_lines()
    facts = [f.a for f in request.reading.facts]
    levels = {line: BAND_CENTRE[band] for band in BANDS for line in persona.lines[band]}
    lines = [line for line in [*facts, *levels] if line not in used]
    best = (picker or LinePicker()).best(request, lines, levels)
    if best is not None:
        return best.text
    return pick_line(persona, request.agitation, used, request.session_id)


class ScriptedVisitor:
    """The visitor speaks only its persona's lines and fact answers: no model, instant."""

    def __init__(self, picker: LinePicker | None = None) -> None:
        self.picker = picker or LinePicker()

    def reply(self, request: VisitorRequest) -> str:
        """The persona line that best answers the officer's last line."""
        return scripted_line(request, self.picker)
