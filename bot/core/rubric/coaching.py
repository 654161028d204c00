"""One coaching sentence per criterion: what to keep, or exactly what to change and how.

The wording speaks the frameworks trainers teach (docs/rubric.md maps each criterion): the LEAPS
steps (listen, empathise, ask, paraphrase, summarise), Verbal Judo's "never say" phrases, the CPI
crisis development model (supportive while the visitor is anxious, directive - simple,
reasonable, enforceable limits - when defensive) and Richmond et al.'s de-escalation domains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.rubric.cues import Cues

KEEP_AT = 70  # at or above: tell the officer what to keep doing
# Cue -> the fix, per criterion; the first cue present wins, so order is by severity.
FIXES: dict[str, tuple[tuple[str, str], ...]] = {
    "acknowledges_emotion": (
        (
            "insult",
            'Drop "{q}"; name what they feel instead, e.g. "I can see how worried you are."',
        ),
        ("sarcasm", '"{q}" mocks the feeling (Richmond: do not be provocative); say it straight: '
                    '"That sounds really stressful."'),
        (
            "but_dismissal",
            'The "but" in "{q}" cancels the empathy; say what you can do instead: '
            '"I understand, and here is what I can do..."',
        ),
        (
            "calm_down",
            '"{q}" is a Verbal Judo never-say; empathise instead (LEAPS): "I can see this is '
            'really upsetting."',
        ),
        (
            "minimizing",
            '"{q}" plays the feeling down; validate it instead: "Of course you\'re worried."',
        ),
    ),
    "shows_understanding": (
        (
            "ignores_question",
            "Listen, then paraphrase (LEAPS): answer what they actually said or asked, "
            "and repeat their concern back in a few words before anything else.",
        ),
        (
            "dismissive",
            '"{q}" brushes their problem aside; say back what they need, e.g. "So you '
            'need to know where she is."',
        ),
    ),
    "explores": (
        (
            "hostile_question",
            '"{q}" is a challenge, not a question; ask something that helps, '
            'e.g. "What\'s happened so far?"',
        ),
    ),
    "composed_tone": (
        (
            "threat",
            'Take out "{q}": threats escalate; state the limit calmly and what happens next '
            "(CPI directive: simple, reasonable, enforceable).",
        ),
        (
            "insult",
            'Remove "{q}"; insults end the conversation - describe the behaviour, not the person.',
        ),
        ("profanity", 'Drop "{q}"; keep your language clean even when they don\'t.'),
        (
            "shouting",
            'Lose the capitals and exclamation marks ("{q}"); a level voice lowers theirs.',
        ),
        ("sarcasm", '"{q}" sounds sarcastic; say what you mean plainly and kindly.'),
        ("irritation", 'Keep your own frustration out of it ("{q}"); stay steady and factual.'),
        (
            "hostile_question",
            '"{q}" sounds like a challenge; ask a real question or make a statement.',
        ),
    ),
    "non_commanding": (
        (
            "never_say",
            '"{q}" is on Verbal Judo\'s never-say list; ask with a reason instead: "Could we '
            'step over here so I can help?"',
        ),
        (
            "threat",
            'Replace "{q}" with a choice: "You can wait here, or I can walk you to the desk."',
        ),
        ("ultimatum", 'Drop the ultimatum "{q}"; offer a choice instead of a countdown.'),
        (
            "calm_down",
            '"{q}" is a Verbal Judo never-say - it tells them their feelings are wrong; '
            "try \"I can see you're upset, let's sort it.\"",
        ),
        ("blame", '"{q}" blames them; focus on what happens next, not on what they did wrong.'),
        (
            "command",
            'Turn "{q}" into a request with a reason: "Could we step over here so I can help?"',
        ),
        ("directive", 'Soften "{q}" into a request: "Would you mind...?" or "Could we...?"'),
        (
            "curt_imperative",
            'Turn the order "{q}" into help: offer to do it with them or ask if '
            "they would like to.",
        ),
    ),
    "respectful": (
        (
            "never_say",
            '"{q}" is on Verbal Judo\'s never-say list; it puts them down - say what you can do.',
        ),
        (
            "insult",
            'Remove "{q}" and address them as you would a guest: "sir", "madam" or their name.',
        ),
        (
            "dismissive",
            '"{q}" tells them they don\'t matter; own the problem: "Let me see what I can do."',
        ),
        ("sarcasm", '"{q}" sounds like mockery; keep courtesy sincere.'),
        ("condescending", 'Drop "{q}"; use "sir", "madam" or their name instead.'),
        ("blame", '"{q}" blames them; drop it and thank them for telling you.'),
        ("rules_bare", '"{q}" shuts them down; explain the rule and what you can do instead.'),
    ),
    "explains_reason": (
        (
            "rules_bare",
            '"{q}" is a Verbal Judo never-say; give the reason behind it instead, e.g. "...so '
            'that everyone here stays safe."',
        ),
    ),
    "offers_options": (
        (
            "dismissive",
            'Instead of "{q}", offer one concrete next step: "I can call them for you now."',
        ),
        (
            "threat",
            'Swap "{q}" for an option they can take: "You can wait here, or I can walk you over."',
        ),
    ),
    "sets_boundary_respectfully": (
        (
            "threat",
            'Hold the line without "{q}": "I can\'t let you through, but I can call them for you."',
        ),
        (
            "ultimatum",
            'State the limit without "{q}": "I can\'t do that, and here\'s what I can do."',
        ),
        (
            "caves",
            '"{q}" gives the limit away; say what you can\'t do kindly, then what you can do.',
        ),
        ("rules_bare", '"{q}" is a limit without respect; give the reason and an alternative.'),
        (
            "insult",
            'The limit is lost behind "{q}"; say it calmly: "I can\'t do that, but I can..."',
        ),
    ),
}
KEEP = {
    "acknowledges_emotion": 'Empathise (LEAPS) - "{q}" shows them you see how they feel; keep '
    "naming the feeling.",
    "shows_understanding": 'Good paraphrase (LEAPS) - "{q}" shows you listened; keep reflecting '
    "their situation back.",
    "explores": 'Good question (LEAPS: ask) - "{q}" invites them to say what they need.',
    "composed_tone": 'Your tone stays level - "{q}" keeps it courteous as it heats up.',
    "non_commanding": 'You asked rather than ordered - "{q}"; keep inviting, not commanding.',
    "respectful": 'Keep the courtesy - "{q}" treats them as someone who matters.',
    "explains_reason": 'Keep giving the reason - "{q}" makes the limit reasonable (CPI).',
    "offers_options": 'Keep offering choices (Richmond: offer choices and optimism) - "{q}" '
    "gives them a way forward.",
    "sets_boundary_respectfully": 'Firm and calm - "{q}" holds a simple, reasonable limit while '
    "still helping.",
}
ADD = {
    "acknowledges_emotion": 'Empathise (LEAPS): name the feeling you can see first, e.g. "That '
    'sounds really frightening" or "No wonder you\'re upset."',
    "shows_understanding": "Paraphrase (LEAPS): say back their situation in a few words (what "
    "happened, what they need) so they know you heard them.",
    "explores": 'Ask (LEAPS): one open question to learn more, e.g. "What\'s happened so far?" '
    'or "What matters most to you right now?"',
    "composed_tone": "Keep it short, level and warm: no edge, no lecture (Richmond: be concise, "
    "do not be provocative).",
    "non_commanding": 'Phrase what you need as a request with a reason: "Could we...? so that I '
    'can..."',
    "respectful": 'Add a courtesy: "sir"/"madam" or their name, "please", "thank you", or '
    '"I\'m sorry about the wait".',
    "explains_reason": 'Say why the rule applies - a limit with a reason is one they can accept: '
    '"...because..." or "...for everyone\'s safety."',
    "offers_options": 'Offer a choice or a next step (Richmond: offer choices and optimism): "I '
    'can call someone who can sort this out" or "Would you like me to...?"',
    "sets_boundary_respectfully": "Set the limit calmly and pair it with what you can do: "
    '"I can\'t..., but I can..."',
}
# The CPI crisis development model: supportive while the visitor is anxious, directive (simple,
# reasonable, enforceable limits) when they are defensive. Where the stage shows, the tip says so.
BY_STAGE = {
    ("sets_boundary_respectfully", "defensive"): "They are defensive (CPI): be directive - one "
    'simple, reasonable, enforceable limit with a choice: "I can\'t let you through while '
    'we\'re shouting; if we step over here, I\'ll call them now."',
    ("explains_reason", "defensive"): "They are defensive (CPI): give one short reason with the "
    'limit, then the choice: "...because the ward is closed; you can wait here or I can ring '
    'them."',
    ("acknowledges_emotion", "anxious"): "They are anxious (CPI): be supportive - name the "
    'feeling before anything else, e.g. "That sounds really frightening."',
    ("explores", "anxious"): "They are anxious (CPI): be supportive - ask what they need, e.g. "
    '"What\'s worrying you most right now?"',
}
KEEP_PLAIN = {
    "acknowledges_emotion": "You acknowledged how they feel (LEAPS: empathise); keep naming the "
    "feeling.",
    "shows_understanding": "You showed you understood their situation (LEAPS: paraphrase); keep "
    "reflecting it back.",
    "explores": "You asked to learn more (LEAPS: ask); keep asking before deciding.",
    "composed_tone": "Your tone stays level; keep it that way as it heats up.",
    "non_commanding": "No orders or blame: you asked rather than told - keep it that way.",
    "respectful": "Respectful throughout; a name, a thank-you or an apology makes it warmer still.",
    "explains_reason": "You explained why; keep giving the reason behind any limit.",
    "offers_options": "You offered a way forward; keep making it a concrete choice.",
    "sets_boundary_respectfully": "Calm and clear; if you have to refuse, keep pairing it with "
    "what you can do.",
}
# Calmness is earned by what is left out: with none of its problems present, say so.
_CLEAN_WHEN_ABSENT = {
    "composed_tone": ("threat", "insult", "profanity", "shouting", "sarcasm", "irritation",
                      "hostile_question", "ultimatum"),
    "non_commanding": ("threat", "ultimatum", "calm_down", "blame", "command", "directive",
                       "curt_imperative", "never_say"),
}  # fmt: skip
GENERIC_ACK = ('Make "{q}" specific (LEAPS: empathise, then paraphrase): say what you '
               'understand, e.g. "waiting with no news is frightening."')  # fmt: skip


def _fill(template: str, quote: str) -> str:
    return template.replace("{q}", quote or "that")


def coaching_for(
    criterion: str,
    score: int,
    cues: Cues,
    present: set[str],
    evidence: tuple[str, ...],
    stage: str = "",
) -> str:
    """The one coaching sentence for a criterion at this score, given the cues that counted and
    the visitor's CPI stage ("anxious", "defensive" or "")."""
    for cue, template in FIXES.get(criterion, ()):
        if cue in present and (score < KEEP_AT or cue in {"threat", "insult", "but_dismissal"}):
            quote = cues.quotes(cue, limit=1)
            return _fill(template, quote[0] if quote else "")
    if score >= KEEP_AT:
        return _fill(KEEP[criterion], evidence[0]) if evidence else KEEP_PLAIN[criterion]
    absent = _CLEAN_WHEN_ABSENT.get(criterion)
    if absent and score >= 50 and not any(cue in present for cue in absent):
        return KEEP_PLAIN[criterion]
    if criterion == "acknowledges_emotion" and "generic_ack" in present:
        return _fill(GENERIC_ACK, cues.quotes("generic_ack", limit=1)[0])
    return BY_STAGE.get((criterion, stage), ADD[criterion])


def top_coaching(per_criterion: dict[str, tuple[int, str]], severe: list[str]) -> tuple[str, ...]:
    """Up to three lines: fixes for what hurt most first, then the weakest criteria, else a keep."""
    ordered: list[str] = []
    for criterion in severe:
        ordered.append(per_criterion[criterion][1])
    for score, line in sorted(per_criterion.values(), key=lambda v: v[0]):
        if score < 50:
            ordered.append(line)
    unique = list(dict.fromkeys(ordered))[:3]
    if not unique:
        best = max(per_criterion.items(), key=lambda kv: kv[1][0])
        worst = min(per_criterion.items(), key=lambda kv: kv[1][0])
        unique = [best[1][1]] + ([worst[1][1]] if worst[1][0] < KEEP_AT else [])
    return tuple(unique)


@dataclass(frozen=True)
class TipSource:
    """Which rule wrote a coaching line: the cue the officer used, or what the reply missed.

    Session coaching (bot/core/rubric/tips.py) needs this to tell a repeated mistake (the same
    key again) from a repeated tip, and to reword a line; it reads it back from the text so that
    turns stored before a restart are understood the same way.
    """

    criterion: str
    key: str  # "non_commanding:calm_down", "explores:add", "respectful:keep"
    kind: str  # "fix" (a cue in the reply), "add" (something missing), "keep", "other"
    quote: str = ""  # the officer's words a fix or keep line quotes
    text: str = ""  # the line as the rubric wrote it


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile(re.escape(template).replace(r"\{q\}", "(?P<q>.*?)"), re.DOTALL)


_PARSERS: dict[str, list[tuple[re.Pattern[str], str, str]]] = {
    criterion: [(_pattern(t), f"{criterion}:{cue}", "fix") for cue, t in FIXES.get(criterion, ())]
    + [(_pattern(KEEP[criterion]), f"{criterion}:keep", "keep")]
    + (
        [(_pattern(GENERIC_ACK), f"{criterion}:generic_ack", "fix")]
        if criterion == "acknowledges_emotion"
        else []
    )
    for criterion in KEEP
}


def tip_source(criterion: str, text: str) -> TipSource:
    """Where a coaching line of this criterion came from (kind "other" for foreign text)."""
    if text == ADD.get(criterion):
        return TipSource(criterion, f"{criterion}:add", "add", text=text)
    if text == KEEP_PLAIN.get(criterion):
        return TipSource(criterion, f"{criterion}:keep", "keep", text=text)
    for pattern, key, kind in _PARSERS.get(criterion, ()):
        match = pattern.fullmatch(text)
        if match:
            return TipSource(criterion, key, kind, match.groupdict().get("q") or "", text)
    return TipSource(criterion, f"{criterion}:{text}", "other", text=text)
