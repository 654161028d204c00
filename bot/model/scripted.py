"""Scripted visitor: persona example lines chosen by agitation band, never repeated in a session."""

from __future__ import annotations

import random
import zlib

from bot.core.persona import BANDS, Persona, band_for
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


class ScriptedVisitor:
    """The visitor speaks only lines from its persona file: no model, instant, deterministic."""

    def reply(self, request: VisitorRequest) -> str:
        """The next scripted line for the request's band."""
        return pick_line(
            request.persona, request.agitation, request.visitor_lines(), request.session_id
        )
