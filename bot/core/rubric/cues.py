"""Finding the cues in a reply: pattern hits, shouting, questions, "but" that cancels empathy."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core.rubric import patterns as P
from bot.core.rubric.text import PreparedReply, words

_BUT = re.compile(r"\b(?:but|however|though|unfortunately|that said)\b", re.IGNORECASE)
_CAPS_WORD = re.compile(r"\b[A-Z][A-Z&]*[A-Z](?:'[A-Z]+)?\b")
# After "but", these make the acknowledgement a preamble to a brush-off.
_BRUSH_OFF = ("dismissive", "rules_bare", "calm_down", "command", "directive", "ultimatum",
              "threat", "blame", "minimizing")  # fmt: skip
_HELPFUL = ("offer", "reason")
# What makes an ambiguous word sarcastic or condescending, and what makes it sincere.
_COLD = ("insult", "blame", "dismissive", "minimizing", "rules_bare", "hostile_question",
         "irritation", "calm_down", "command", "threat", "ultimatum", "profanity")
_WARM = ("validation", "apology", "reassurance", "offer", "reflection")
# Capitalised intensifiers inside courtesy ("Thank you SO much", "I'm SO sorry") read as sarcasm.
_SARCASTIC_STRESS = re.compile(
    r"\b(?:thank(?:s| you)|sorry|grateful|pleased)\b[^.!?]{0,12}\b(?:SO|REALLY|VERY|SUCH|TOTALLY)\b"
    r"|\b(?:SO|REALLY|VERY|TOTALLY)\b[^.!?]{0,6}\b(?:sorry|grateful|sure|helpful)\b"
)


@dataclass(frozen=True)
class Hit:
    """One matched cue: its family and the words of the reply that matched."""

    family: str
    text: str
    start: int


@dataclass
class Cues:
    """Everything the patterns found in one reply."""

    hits: dict[str, list[Hit]] = field(default_factory=dict)
    text: str = ""  # the cleaned reply the hits point into
    shouting: float = 0.0  # 0 calm .. 1 clearly shouting
    questions: int = 0  # genuine questions to the visitor
    open_questions: int = 0
    offer_questions: int = 0
    but_dismissal: Hit | None = None
    words: int = 0
    question_texts: tuple[str, ...] = ()
    offer_question_texts: tuple[str, ...] = ()

    def count(self, family: str) -> int:
        """How many hits a family has."""
        return len(self.hits.get(family, ()))

    def has(self, family: str) -> bool:
        """Whether a family matched at all."""
        return bool(self.hits.get(family))

    def quotes(self, *families: str, limit: int = 3) -> tuple[str, ...]:
        """Matched words of these families in reply order, overlapping matches merged."""
        found = sorted((h for f in families for h in self.hits.get(f, ())), key=lambda h: h.start)
        spans: list[list[int]] = []
        for hit in found:
            end = hit.start + len(hit.text)
            if spans and hit.start < spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], end)
            else:
                spans.append([hit.start, end])
        # Hits point into the cleaned text; without it, fall back to each hit's own words.
        texts = [self.text[a:b] for a, b in spans] if self.text else [h.text for h in found]
        out: list[str] = []
        for quote in texts:
            quote = quote.strip(" ,.;:-")
            if quote and not any(quote.lower() in q.lower() for q in out):
                out.append(quote)
        return tuple(out[:limit])


def _find(text: str) -> dict[str, list[Hit]]:
    hits: dict[str, list[Hit]] = {}
    for family, regexes in P.COMPILED.items():
        found = [Hit(family, m.group(0), m.start()) for rx in regexes for m in rx.finditer(text)]
        if found:
            hits[family] = found
    stressed = [Hit("sarcasm", m.group(0), m.start()) for m in _SARCASTIC_STRESS.finditer(text)]
    if stressed:
        hits.setdefault("sarcasm", []).extend(stressed)
    cold = any(hits.get(f) for f in _COLD)
    warm = any(hits.get(f) for f in _WARM)
    # Sarcasm only where it is: "poor thing" with a validated feeling and nothing cold is sympathy.
    maybe = hits.pop("sarcasm_maybe", [])
    if maybe and (cold or hits.get("sarcasm") or not warm):
        hits.setdefault("sarcasm", []).extend(Hit("sarcasm", h.text, h.start) for h in maybe)
    # "mate", "love", "pal" are ordinary British and American address unless the reply is cold.
    casual = hits.pop("address_casual", [])
    if casual and (cold or hits.get("sarcasm")):
        hits.setdefault("condescending", []).extend(
            Hit("condescending", h.text, h.start) for h in casual
        )
    return hits


def shouting_level(text: str) -> tuple[float, list[str]]:
    """0..1 strength of shouting (capitals, repeated !), and the words that show it."""
    caps = [w for w in _CAPS_WORD.findall(text) if w not in P.ACRONYMS and len(w) >= 2]
    letters = [w for w in words(text) if len(w) >= 2]
    level = 0.0
    if len(caps) >= 2 and len(caps) >= 0.4 * max(1, len(letters)):
        level = 1.0
    elif len(caps) >= 2:
        level = 0.6
    elif caps and len(caps[0]) >= 3:
        level = 0.35  # one stressed word ("SO sorry") reads as edge, not shouting
    bangs = re.findall(r"[!?]*![!?]+|!{2,}", text)
    if bangs:
        level = min(1.0, level + 0.4)
    return level, caps[:3] + bangs[:1]


def _questions(sentences: tuple[str, ...], hostile: list[Hit]) -> tuple[list[str], int, list[str]]:
    """Genuine questions, how many are open, and offers phrased as questions."""
    asked: list[str] = []
    offered: list[str] = []
    opened = 0
    hostile_text = " ".join(h.text.lower() for h in hostile)
    for sentence in sentences:
        if not sentence.rstrip().endswith("?"):
            continue
        s = sentence.strip().lstrip("-–—, ").strip()
        if hostile_text and any(h.text.lower() in s.lower() for h in hostile):
            continue
        if P.ADVICE_QUESTION.search(s):
            continue
        if P.OFFER_QUESTION.search(s):
            offered.append(s)
            continue
        asked.append(s)
        # The question may follow an opening clause: "Okay - what's his name?"
        tail = re.split(r"[,;:–—-]\s+", s)[-1]
        if P.OPEN_OPENERS.search(s) or P.OPEN_OPENERS.search(tail):
            opened += 1
    return asked, opened, offered


def _but_dismissal(text: str, hits: dict[str, list[Hit]]) -> Hit | None:
    """An acknowledgement followed by "but" and a brush-off with nothing helpful after it."""
    acks = [h for f in ("generic_ack", "apology", "validation") for h in hits.get(f, ())]
    for ack in sorted(acks, key=lambda h: h.start):
        but = _BUT.search(text, ack.start + len(ack.text))
        if not but or but.start() - ack.start > 90:
            continue
        after = but.end()
        window_end = after + 120
        brush = [h for f in _BRUSH_OFF for h in hits.get(f, ()) if after <= h.start < window_end]
        helpful = [h for f in _HELPFUL for h in hits.get(f, ()) if h.start >= after]
        if not helpful:
            # "I understand, but I can't" with no alternative is still a brush-off.
            limit = [h for h in hits.get("limit", ()) if after <= h.start < window_end]
            brush = brush or limit
        if brush and not helpful:
            return Hit(
                "but_dismissal", text[ack.start : brush[0].start + len(brush[0].text)], ack.start
            )
    return None


def find_cues(reply: PreparedReply) -> Cues:
    """All cues in a prepared reply."""
    text = reply.text
    hits = _find(text)
    if "threat" in hits or "ultimatum" in hits:
        # "I'll call the police" is a threat, not an offer of help.
        threat_at = {h.start for f in ("threat", "ultimatum") for h in hits.get(f, ())}
        offers = [h for h in hits.get("offer", ()) if not _near(h.start, threat_at)]
        hits["offer"] = offers
    if "sarcasm" in hits:
        # Courtesy inside a sarcastic line ("Thank you SO much...") earns nothing.
        hits["courtesy"] = [h for h in hits.get("courtesy", ()) if h.text.lower() != "thank you"]
    hits = {k: v for k, v in hits.items() if v}
    level, shout_words = shouting_level(text)
    if level >= 0.35 and shout_words:
        hits["shouting"] = [Hit("shouting", w, max(0, text.find(w))) for w in shout_words]
    cues = Cues(hits=hits, text=text, shouting=level, words=len(words(text)))
    asked, cues.open_questions, offered = _questions(
        reply.sentences,
        [
            h
            for f in ("hostile_question", "sarcasm", "minimizing", "blame")
            for h in hits.get(f, ())
        ],
    )
    cues.questions, cues.offer_questions = len(asked), len(offered)
    cues.question_texts, cues.offer_question_texts = tuple(asked), tuple(offered)
    cues.but_dismissal = _but_dismissal(text, hits)
    if cues.but_dismissal:
        hits["but_dismissal"] = [cues.but_dismissal]
    return cues


def _near(start: int, others: set[int], span: int = 40) -> bool:
    return any(abs(start - o) <= span for o in others)
