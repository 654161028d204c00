"""Reading the moment a reply answers: what the visitor said, what the officer already said, and
what the persona is touchy about. Decides which criteria the moment calls for (applicability).

Rules here are the transparent half: a reply that refuses something owes a reason, a visitor who
asks "why" is owed one, a limit set earlier stays in play while the visitor keeps pushing, a
visitor who is swearing or threatening needs a limit, and a goodbye needs no question. Where
none of them decides, the trained applicability heads (heads.py) do, from the words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.core.rubric import patterns as P
from bot.core.rubric.cues import Cues, find_cues
from bot.core.rubric.text import prepare
from bot.core.scores import ScoreContext

# Criteria that can be not applicable (the guidelines: empathy and calmness always apply).
OPTIONAL = ("explores", "explains_reason", "offers_options", "sets_boundary_respectfully")

_ASKS_WHY = re.compile(
    r"\bwhy\b|\bhow come\b|\bwhat do you mean\b|\bwho says\b|\bsays who\b|\bon what grounds\b|"
    r"\bwhat(?:'s| is) the (?:point|reason|problem)\b|\bwhat for\b|\bwhere does it say\b|"
    r"\bexplain\b",
    re.IGNORECASE,
)
_DEMANDS = re.compile(
    r"\b(?:just )?let me\b|\bi (?:still |just |really |only )?(?:want|need|demand|insist)\b|"
    r"\bgive me\b|\bget me\b|"
    r"\bopen (?:the|this|that|it|up)\b|\bi'?m (?:going (?:in|through|up)|not (?:leaving|moving|"
    r"going anywhere))\b|\bi have to (?:get|go|be|see)\b|\bcan i (?:go|get|come|have|see|bring|"
    r"park|sit|stay|take|keep|leave|use)\b|\bi'?m (?:coming|going) in\b|\bmove (?:out of|aside)\b"
    r"|\bget out of my way\b|\bor else\b|\bi'?ll (?:go|walk) (?:in|through|past)\b",
    re.IGNORECASE,
)
_CLOSING = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|right|great|brilliant|perfect|lovely|fine|cool|good|alright)[,.!]?\s+)?"
    r"(?:thanks?|thank you|cheers|ta|much appreciated|bye|goodbye|see you|night|goodnight)\b"
    r"|\bthat'?s (?:all|everything|great|brilliant|sorted|perfect)\b|\bhave a (?:good|nice|great)"
    r" (?:day|night|evening|one)\b|\byou'?ve been (?:very |really |so )?(?:helpful|kind|great|"
    r"patient)\b|\bforgive me for\b|\bsorry for (?:shouting|snapping|earlier)\b",
    re.IGNORECASE,
)
# Words in a persona's triggers or soothers that mean a limit or a rule is part of the scene.
_LIMIT_WORDS = re.compile(
    r"\b(?:rules?|polic(?:y|ies)|procedure|refus\w*|no entry|not allowed|final|can'?t|cannot|"
    r"banned|barred|turned away|told no|told to (?:leave|wait|go|move)|limit|removed|closed|"
    r"locked|denied)\b",
    re.IGNORECASE,
)
_WANTS_REASON = re.compile(r"\b(?:why|reason|explain\w*|explanation)\b", re.IGNORECASE)
# A reply that opens with a flat "No." / "Nope." turns something down when it answers a request
# or goes on to require something ("No. Sit down."); the corpus labels both as owing a reason.
_FLAT_NO = re.compile(r"^\W*(?:no|nope|nah)\s*[.!]", re.IGNORECASE)
# Cue families that refuse, limit or require something of the visitor.
_LIMITING = ("limit", "rules_bare", "ultimatum", "threat", "caves")
_REQUIRING = ("command", "directive", "curt_imperative", "calm_down")
_HOSTILE = ("insult", "threat", "profanity", "ultimatum")


@dataclass(frozen=True)
class Moment:
    """What the visitor's line and the conversation so far ask of the reply."""

    asks: bool = False  # the visitor asked something
    asks_why: bool = False  # ... why, or challenged a rule
    demands: bool = False  # wants something done or allowed now
    hostile: bool = False  # swearing, insults, threats or shouting: CPI "defensive"
    distressed: bool = False  # feeling words without hostility: CPI "anxious"
    closing: bool = False  # thanks, goodbye, apology: the matter is settled
    limit_earlier: bool = False  # the officer already refused or limited something
    persona_limits: bool = False  # the persona's triggers/soothers are about rules and limits
    persona_wants_reasons: bool = False  # ... and they calm down when told why
    persona_known: bool = False  # the persona's triggers/soothers were given at all

    @property
    def stage(self) -> str:
        """The CPI crisis-development stage the visitor line shows: "defensive", "anxious" or ""
        (calm or just asking): a supportive approach for anxious, a directive one for defensive."""
        if self.hostile:
            return "defensive"
        if self.distressed or self.demands:
            return "anxious"
        return ""


@lru_cache(maxsize=1024)
def sets_limit(reply: str) -> bool:
    """Whether an officer line refuses or limits something (cached: a session asks again for
    every later reply)."""
    cues = find_cues(prepare(reply)) if reply.strip() else None
    return bool(cues) and any(cues.has(f) for f in _LIMITING)  # type: ignore[union-attr]


VISITOR_FEATURES: tuple[str, ...] = (
    "v_asks", "v_asks_why", "v_demands", "v_hostile", "v_distressed", "v_closing", "v_present",
)  # fmt: skip
_EMO = re.compile(rf"\b{P.EMO}\b|\b(?:please|help)\b", re.IGNORECASE)


def read_moment(visitor: str, context: ScoreContext | None = None) -> Moment:
    """The moment a reply answers, from the visitor's line and the conversation context."""
    text = visitor.strip()
    cues = find_cues(prepare(text)) if text else None
    hostile = bool(cues) and (
        any(cues.has(f) for f in _HOSTILE) or cues.shouting >= 0.6  # type: ignore[union-attr]
    )
    ctx = context or ScoreContext()
    persona_cues = " ".join(ctx.triggers + ctx.soothers)
    return Moment(
        asks="?" in text or bool(P.QUESTION_OPENERS.search(text)),
        asks_why=bool(_ASKS_WHY.search(text)),
        demands=bool(_DEMANDS.search(text)),
        hostile=hostile,
        distressed=bool(_EMO.search(text)) and not hostile,
        closing=bool(_CLOSING.search(text)) and "?" not in text,
        limit_earlier=any(sets_limit(r) for r in ctx.earlier_replies[-3:]),
        persona_limits=bool(_LIMIT_WORDS.search(persona_cues)),
        persona_wants_reasons=any(_WANTS_REASON.search(s) for s in ctx.soothers),
        persona_known=bool(ctx.triggers or ctx.soothers),
    )


def visitor_features(moment: Moment, has_visitor: bool) -> dict[str, float]:
    """The moment as numbers for the trained heads."""
    return {
        "v_asks": float(moment.asks), "v_asks_why": float(moment.asks_why),
        "v_demands": float(moment.demands), "v_hostile": float(moment.hostile),
        "v_distressed": float(moment.distressed), "v_closing": float(moment.closing),
        "v_present": float(has_visitor),
    }  # fmt: skip


# What the officer reads where a criterion does not apply (instead of a tip).
NOT_APPLICABLE_NOTE = {
    "explains_reason": "Not needed here: nothing was refused, limited or required, and no one "
    "asked why.",
    "sets_boundary_respectfully": "Not needed here: nothing called for a limit.",
    "explores": "Not needed here: the matter is settled, so a question would be out of place.",
    "offers_options": "Not needed here: there was nothing to offer.",
}


def ruled_applicability(cues: Cues, moment: Moment) -> dict[str, bool | None]:
    """Per optional criterion: True/False where a rule decides, None where the heads do."""
    limits = any(cues.has(f) for f in _LIMITING)
    requires = any(cues.has(f) for f in _REQUIRING)
    offers = cues.has("offer") or cues.offer_questions > 0
    pushing = moment.asks or moment.demands or moment.hostile
    # A flat "No." that answers a demand or goes on to require something refuses it.
    limits = limits or bool(_FLAT_NO.search(cues.text) and (moment.demands or requires))
    out: dict[str, bool | None] = dict.fromkeys(OPTIONAL)
    # A reply that refuses or limits owes a reason and is a limit; so is one answering "why?".
    if limits or moment.asks_why or (moment.limit_earlier and pushing):
        out["explains_reason"] = True
    if limits or (moment.limit_earlier and pushing):
        out["sets_boundary_respectfully"] = True
    if requires and moment.persona_wants_reasons:
        out["explains_reason"] = True  # this visitor calms down when told why
    # Behaviour that must stop, or a demand the scene may not allow, calls for a limit.
    if moment.hostile or (moment.persona_limits and moment.demands):
        out["sets_boundary_respectfully"] = True
    elif (moment.persona_known and not moment.persona_limits
          and out["sets_boundary_respectfully"] is None):  # fmt: skip
        # The persona is known and nothing in it is about rules or limits: a demand from this
        # visitor is one to meet, not to limit (the persona decides, not the words alone).
        out["sets_boundary_respectfully"] = False
    if moment.closing and cues.questions == 0:
        out["explores"] = False
        if not offers:
            out["offers_options"] = False
    return out


def default_applicability(cues: Cues, moment: Moment) -> dict[str, bool]:
    """Applicability without trained heads: the rules, then the guidelines' defaults (a reply
    that gives orders owes a reason; no limit unless something called for one)."""
    ruled = ruled_applicability(cues, moment)
    fallback = {
        "explains_reason": any(cues.has(f) for f in _REQUIRING),
        "sets_boundary_respectfully": False,
        "explores": True,
        "offers_options": True,
    }
    return {c: fallback[c] if ruled[c] is None else bool(ruled[c]) for c in OPTIONAL}
