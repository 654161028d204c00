"""Coaching across a session: tips that follow the reply, vary their wording and fit the scene.

The rubric writes one coaching line per criterion for one reply, the same sentence every time
(bot/core/rubric/coaching.py). An officer reading ten replies' worth of coaching needs more than
that: never the tip they have just followed, not the same sentence twice unless they made the
same mistake twice, and examples from where they are standing - a reason that works at a
hospital door coaches badly at a library desk. SessionCoach does that on top of the rubric's
lines, for one session, replayed from its turns so a restarted bot says the same.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from bot.core.rubric.coaching import ADD, TipSource, tip_source
from bot.core.scores import CRITERIA, RubricScore

TIPS_PER_REPLY = 2
WEAK_BELOW = 50  # criteria under this may add a tip when the rubric's own lines are used up


@dataclass(frozen=True)
class Scene:
    """Examples that fit one kind of place: a reason, an option, a limit and a question."""

    reason: str
    option: str
    limit: str
    question: str


# Matched on whole words of the persona's setting, first match wins (a stadium's "viewing
# platform" is a venue, not a station, so venues come before transport).
SCENES: tuple[tuple[tuple[str, ...], Scene], ...] = (
    (
        ("hospital", "emergency", "ward", "clinic", "outpatient", "treatment", "care home"),
        Scene(
            reason="...because the doctors need the corridor clear to reach patients quickly",
            option="I can phone the ward now and ask the nurse in charge for news",
            limit="I can't take you through to the ward, but I can get a nurse to come out to you",
            question="Who are you here for, and what have you been told so far?",
        ),
    ),
    (
        ("nightclub", "club", "bar", "pub", "taxi"),
        Scene(
            reason="...because the licence means we can't let in anyone who's had a lot to drink",
            option="I can call you a taxi and wait here with you until it comes",
            limit="I can't let you back in tonight, but I can get your friends to come out to you",
            question="Who are you here with tonight?",
        ),
    ),
    (
        ("stadium", "arena", "concert", "festival", "exhibition", "gallery", "museum", "venue"),
        Scene(
            reason="...because every bag is checked so everyone inside is safe",
            option="I can walk you over to the box office and we'll sort it out there",
            limit="I can't let you through like this, but a supervisor can look at it with you",
            question="What happened before you got to this gate?",
        ),
    ),
    (
        ("airport", "station", "railway", "port", "ferry", "terminal", "departure"),
        Scene(
            reason="...because once boarding closes nobody can go through, for everyone's safety",
            option="I can take you to the service desk so they can find you the next way home",
            limit="I can't reopen it, but I can get you to the people who can rebook you",
            question="Where do you need to get to tonight?",
        ),
    ),
    (
        ("shop", "store", "shopping", "mall", "supermarket", "retail", "food court"),
        Scene(
            reason="...because the alarm has to be checked every time, for every customer",
            option="I can get the duty manager down here to sort it out with you",
            limit="I can't do that here, but I can take you to customer services now",
            question="What were you hoping to get sorted today?",
        ),
    ),
    (
        ("hotel", "apartment", "residence", "concierge", "halls", "block", "lodge"),
        Scene(
            reason="...because only residents can let people in, so everyone here stays safe",
            option="I can call the duty manager for you right now",
            limit="I can't let you up without the resident, but I can call them down for you",
            question="Who are you trying to reach?",
        ),
    ),
    (
        ("school", "university", "campus", "college"),
        Scene(
            reason="...because only people on the list can come in, to keep the students safe",
            option="I can ask someone from the office to come out and talk to you now",
            limit="I can't let you in past this point, but I can bring someone out to you",
            question="Who are you here for, and what were you told?",
        ),
    ),
    (
        ("library", "jobcentre", "council", "court", "housing"),
        Scene(
            reason="...because it's the same for everyone who comes in, and it keeps it fair",
            option="I can ask a member of staff to come and talk to you now",
            limit="I can't change that, but I can get someone who can look at your case",
            question="What did you come in to get done today?",
        ),
    ),
    (
        ("office", "lobby", "reception", "turnstile", "site", "warehouse", "distribution"),
        Scene(
            reason="...because everyone signs in, so we know who is inside if there's a fire",
            option="I can call your contact and ask them to come down",
            limit="I can't let you through the barrier, but I can get your contact down here now",
            question="Who are you here to see?",
        ),
    ),
)
DEFAULT_SCENE = Scene(
    reason="...so that everyone here stays safe",
    option="I can call someone who can sort this out",
    limit="I can't do that, but here is what I can do",
    question="What's happened so far?",
)

# Other wordings of the rubric's lines, by TipSource key. {q} is the officer's words; {reason},
# {option}, {limit} and {question} come from the scene. The rubric's own line is the first.
VARIANTS: dict[str, tuple[str, ...]] = {
    "acknowledges_emotion:add": (
        ADD["acknowledges_emotion"],
        'Start with how they feel, before any facts: "I can see how worried you are."',
        'Put their feeling into words: "That must be really frustrating."',
        'Show you noticed the emotion first: "You\'re clearly upset, and I understand why."',
    ),
    "shows_understanding:add": (
        ADD["shows_understanding"],
        "Sum up what they told you before you answer, so they know it landed.",
        'Check you have understood: "So what you need is... - have I got that right?"',
    ),
    "explores:add": (
        'Ask one open question to learn more, e.g. "{question}"',
        'Ask before you decide: one "what" or "how" question, e.g. "What would help most '
        'right now?"',
        "Find out more before you answer: an open question gets you what you need to help.",
    ),
    "composed_tone:add": (
        ADD["composed_tone"],
        "Lower the temperature with your own voice: short sentences, plain words, no edge.",
        "Say less and say it evenly: a calm, short reply is easier to hear.",
    ),
    "non_commanding:add": (
        ADD["non_commanding"],
        'Ask rather than tell: "Would you mind...?" lands better than an order.',
        'Invite instead of instructing: "Shall we...?" gives them a say in what happens.',
    ),
    "respectful:add": (
        ADD["respectful"],
        'Use their name or "sir"/"madam": it tells them they are being taken seriously.',
        'A "thank you for telling me" or "I\'m sorry about this" costs nothing and lowers the '
        "heat.",
    ),
    "explains_reason:add": (
        'If a rule applies, say why: "{reason}."',
        'Give the reason along with the rule, e.g. "{reason}", so it doesn\'t sound like a wall.',
        'People accept a limit they understand: add the why, e.g. "{reason}."',
    ),
    "offers_options:add": (
        'Offer a concrete next step: "{option}" or "Would you like me to...?"',
        'Give them something they can do now, e.g. "{option}."',
        'End with a way forward they can say yes to: "{option}."',
    ),
    "sets_boundary_respectfully:add": (
        'If something isn\'t possible, say so calmly and pair it with what you can do: "{limit}."',
        'Hold the limit kindly and add an alternative: "{limit}."',
        'A firm no lands better with something attached: "{limit}."',
    ),
    "shows_understanding:ignores_question": (
        "Answer what they actually said or asked: repeat their concern back in a few words "
        "before anything else.",
        "They asked you something: answer that first, even if the answer is \"I don't know "
        "yet, but I'll find out.\"",
        "Start from their words, not yours: say back what they just asked or told you.",
    ),
    "explains_reason:rules_bare": (
        'Replace "{q}" with the reason behind it, e.g. "{reason}."',
        'Say why, not just that: swap "{q}" for "{reason}."',
    ),
    "non_commanding:calm_down": (
        'Don\'t say "{q}" - it tells them their feelings are wrong; try "I can see you\'re '
        "upset, let's sort it.\"",
        '"{q}" rarely calms anyone; name what you see instead: "This has really shaken you."',
        'Instead of "{q}", acknowledge first: "I understand - this is a lot."',
    ),
    "acknowledges_emotion:calm_down": (
        'Swap "{q}" for naming the feeling: "I can see this is really upsetting."',
        '"{q}" dismisses the feeling; say what you see: "You\'re worried, and that makes sense."',
    ),
    "offers_options:dismissive": (
        'Instead of "{q}", offer one concrete next step: "{option}."',
        '"{q}" leaves them nowhere to go; give them a next step: "{option}."',
    ),
    "sets_boundary_respectfully:rules_bare": (
        '"{q}" is a limit without respect; give the reason and an alternative: "{limit}."',
        'Keep the limit but lose "{q}": "{limit}."',
    ),
}

_QUOTED = re.compile(r'"([^"]{8,})"')
_TOKEN = re.compile(r"[a-z']+")
_STOP = frozenset(
    """a an the to of and or for in on at by with from so is are was be it this that you your
    me my i we us our can could would will what how who me please right now just here""".split()
)


def scene_for(setting: str) -> Scene:
    """The examples for a persona's setting ("Hospital emergency entrance, 2 a.m." -> health)."""
    text = setting.lower()
    for words, scene in SCENES:
        if any(re.search(rf"\b{re.escape(w)}s?\b", text) for w in words):
            return scene
    return DEFAULT_SCENE


def _stems(text: str) -> set[str]:
    out = set()
    for word in _TOKEN.findall(text.lower().replace("’", "'")):
        word = word.strip("'").removesuffix("'s")
        if len(word) > 2 and word not in _STOP:
            out.add(word[:5])  # crude stem: "happened" and "happening" meet on "happe"
    return out


def followed(tip: str, reply: str) -> bool:
    """Whether the reply already says what the tip's example says (the tip was followed).

    "Tell me what's happened so far" follows "e.g. 'What's happened so far?'": most of the
    example's words are in the reply, so suggesting it again would read as not listening.
    """
    said = _stems(reply)
    for example in _QUOTED.findall(tip):
        wanted = _stems(example)
        if wanted and len(wanted & said) * 5 >= len(wanted) * 3:
            return True
    return False


def _fill(template: str, scene: Scene, quote: str) -> str:
    text = (
        template.replace("{reason}", scene.reason.removesuffix("."))
        .replace("{option}", scene.option)
        .replace("{limit}", scene.limit)
        .replace("{question}", scene.question)
    )
    return text.replace("{q}", quote or "that")  # last: officer words are never templates


def in_scene(criterion: str, line: str, setting: str) -> str:
    """A rubric coaching line with its examples taken from this setting (the line itself when
    there is no other wording of it)."""
    source = tip_source(criterion, line)
    templates = VARIANTS.get(source.key)
    return _fill(templates[0], scene_for(setting), source.quote) if templates else line


@dataclass
class SessionCoach:
    """Picks each reply's tips for one session, remembering what it has said and seen."""

    setting: str = ""
    per_reply: int = TIPS_PER_REPLY
    shown: set[str] = field(default_factory=set)  # every tip text shown so far
    mistakes: Counter[str] = field(default_factory=Counter)  # fix/add keys seen in replies

    @property
    def scene(self) -> Scene:
        """The setting's examples."""
        return scene_for(self.setting)

    def tips(self, score: RubricScore, reply: str) -> tuple[str, ...]:
        """The tips to show for this reply, and remember them."""
        sources = _sources(score)
        chosen: list[str] = []
        cues_said: set[tuple[str, str]] = set()
        for source in self._ranked(sources):
            cue = (source.key.partition(":")[2], source.quote)
            if source.kind == "fix" and source.quote and cue in cues_said:
                continue  # "calm down" coached once, not once per criterion it hurt
            cues_said.add(cue)
            text = self._word(source, reply)
            if text is not None and text not in chosen:
                chosen.append(text)
            if len(chosen) == self.per_reply:
                break
        self.shown.update(chosen)
        self.mistakes.update(s.key for s in sources if s.kind in ("fix", "add"))
        return tuple(chosen)

    def _ranked(self, sources: list[TipSource]) -> list[TipSource]:
        # What the reply did wrong, then what it missed, each new before already-coached;
        # praise in between, and only when it has something new to say.
        def rank(source: TipSource) -> int:
            again = bool(self.mistakes[source.key])
            if source.kind == "fix":
                return 2 if again else 0
            if source.kind == "add":
                return 4 if again else 1
            return 3

        return sorted(sources, key=rank)  # stable: the rubric's order within a rank

    def _word(self, source: TipSource, reply: str) -> str | None:
        """A wording not shown yet and not already followed; a repeat only for a repeat mistake."""
        templates = VARIANTS.get(source.key)
        if templates is None:
            templates = (source.text,)
        if source.kind in ("fix", "add"):
            # The officer's own words are quoted in a fix; only the suggested words count.
            templates = tuple(t for t in templates if not followed(_fill(t, self.scene, ""), reply))
        candidates = [_fill(t, self.scene, source.quote) for t in templates]
        fresh = [c for c in candidates if c not in self.shown]
        if fresh:
            return fresh[0]
        if candidates and source.kind in ("fix", "add") and self.mistakes[source.key]:
            return candidates[0]  # the same mistake again: the same advice may come back
        return None


def _sources(score: RubricScore) -> list[TipSource]:
    """The rubric's coaching lines as sources, then other weak criteria, in the rubric's order."""
    by_text = {score.criteria[c].coaching: c for c in reversed(CRITERIA) if c in score.criteria}
    sources: list[TipSource] = []
    for line in score.coaching:
        criterion = by_text.get(line)
        if criterion is None:
            sources.append(TipSource("", line, "other", text=line))
        else:
            sources.append(tip_source(criterion, line))
    seen = {s.key for s in sources}
    weak = sorted(
        (c for c in CRITERIA if c in score.criteria and score.criterion(c) < WEAK_BELOW),
        key=score.criterion,
    )
    for criterion in weak:
        source = tip_source(criterion, score.criteria[criterion].coaching)
        if source.key not in seen and source.kind in ("fix", "add"):
            sources.append(source)
            seen.add(source.key)
    return sources
