"""The six parts of a report, each found by the words it is written with, and the claims in it
that the transcript can confirm or contradict."""

from __future__ import annotations

import re

from bot.core.report.findings import Finding, FindingKind, ReportContext
from bot.core.session import Outcome, Turn

_WORD = re.compile(r"[a-z']+")
_STOP = frozenset(
    """a an the and or of to in on at by for with from into about over after before his her their
    he she they them it its was were is are be been this that there who what when where how why
    not no but so as then than very just also i me my we our you your had has have did does can
    could would will get got one all any out off now said told some more she's he's it's i'm
    came went back""".split()
)
_CLOCK = re.compile(
    r"\b(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?\s*(?P<ap>a\.?\s?m\.?|p\.?\s?m\.?)(?![a-z])"
    r"|\b(?P<h24>[01]?\d|2[0-3])[:.h](?P<m24>[0-5]\d)\b"
    r"|\b(?P<word>midnight|noon|midday)\b",
    re.IGNORECASE,
)
_DAYPARTS = {
    "morning": range(5, 12), "afternoon": range(12, 18), "lunchtime": range(11, 15),
    "evening": range(17, 23), "tonight": range(18, 24), "night": (*range(21, 24), *range(0, 6)),
    "overnight": (*range(22, 24), *range(0, 7)), "early hours": range(0, 6),
}  # fmt: skip
_OTHER_TIME = re.compile(
    r"\b(?:today|yesterday|tonight|this (?:morning|afternoon|evening)|on (?:mon|tues|wednes|"
    r"thurs|fri|satur|sun)day|(?:mon|tues|wednes|thurs|fri|satur|sun)day|\d{1,2}(?:st|nd|rd|th)?"
    r" (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|\d{1,2}/\d{1,2}(?:/\d{2,4})?|"
    r"at about|at around|approximately \d)\b",
    re.IGNORECASE,
)
_PLACES = (
    "entrance", "exit", "door", "gate", "desk", "reception", "lobby", "foyer", "car park",
    "carpark", "office", "store", "shop", "counter", "till", "ward", "corridor", "queue",
    "platform", "concourse", "barrier", "checkpoint", "bar", "club", "venue", "site", "building",
    "floor", "level", "outside", "inside", "front of", "main ", "security", "station", "area",
)  # fmt: skip
_PEOPLE = (
    "man", "woman", "male", "female", "gentleman", "lady", "person", "visitor", "customer",
    "member of the public", "guest", "passenger", "patient", "student", "shopper", "driver",
    "individual", "subject", "resident", "relative", "father", "mother", "son", "daughter",
    "husband", "wife", "boy", "girl", "client", "employee", "contractor", "he ", "she ",
)  # fmt: skip
_ACTIONS = re.compile(
    r"\b(?:i|we)\s+(?:then\s+|also\s+|immediately\s+)?(?:[a-z]+ed|explained|asked|offered|told|"
    r"said|spoke|listened|apologi[sz]ed|gave|showed|escorted|advised|informed|checked|radioed|"
    r"rang|phoned|called|contacted|refused|let|took|kept|made|went|found|directed|approached|"
    r"reassured|stayed|remained|acknowledged|suggested|agreed|helped|arranged|walked|sat|wrote|"
    r"noted|could|did|tried|have|had)\b",
    re.IGNORECASE,
)
_OUTCOME = re.compile(
    r"\b(?:resolved|calm(?:ed)?(?: down)?|calmer|settled|de-?escalated|escalated|satisfied|"
    r"agreed|accepted|left|went (?:home|away|to)|thanked|ended|outcome|result|refused|removed|"
    r"police|walked (?:off|away)|happy|no further|sorted|was taken|waited)\b",
    re.IGNORECASE,
)
_CALMED = re.compile(
    r"\b(?:calmed(?: down)?|became calm(?:er)?|was calm(?:er)?|grew calm(?:er)?|resolved|"
    r"settled|de-?escalated|was satisfied|was happy|thanked (?:me|us)|left calmly|"
    r"no further (?:issues|problems|incident))\b",
    re.IGNORECASE,
)
_ESCALATED = re.compile(
    r"\b(?:escalated|became (?:aggressive|violent|abusive)|lost (?:his|her|their) temper|"
    r"kicked off|(?:police|security) (?:were|was) called|was removed|refused to calm|"
    r"became more (?:agitated|angry|aggressive))\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(?:not|never|n't|no longer|did not|didn't|wouldn't|refused to)\s+\w*\s*$"
)
_CLAIMS: tuple[tuple[str, re.Pattern[str], str, int, str], ...] = (
    ("explained", re.compile(r"\bi\s+(?:then\s+|also\s+)?explained\b", re.I), "explains_reason",
     50, "none of your replies gave a reason"),
    ("offered", re.compile(r"\bi\s+(?:then\s+|also\s+)?(?:offered|suggested|gave (?:him|her|them)"
                           r" (?:the )?options)\b", re.I), "offers_options", 50,
     "none of your replies offered help or a next step"),
    ("asked", re.compile(r"\bi\s+(?:then\s+|also\s+)?asked\b", re.I), "explores", 50,
     "none of your replies asked the visitor anything"),
)  # fmt: skip
_APOLOGISED = re.compile(r"\bi\s+(?:then\s+|also\s+)?(?:apologi[sz]ed|said sorry)\b", re.I)
_STAYED_CALM = re.compile(
    r"\bi\s+(?:stayed|remained|kept|was)\s+(?:calm|polite|professional|composed)\b"
    r"|\bnever raised my voice\b|\bi did not raise my voice\b",
    re.IGNORECASE,
)
_LOST_COMPOSURE = ("shouting", "insult", "threat", "profanity", "sarcasm")
_CALLED = re.compile(
    r"\bi\s+(?:then\s+|also\s+)?(?:called|rang|phoned|radioed|contacted)\s+(?P<who>[a-z ]{2,30})",
    re.I,
)
_CALL_WORDS = ("call", "ring", "phone", "radio", "contact", "get hold of", "speak to", "check with")


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


def _hours(text: str) -> list[int]:
    """Clock hours (0-23) named in a text."""
    hours = []
    for m in _CLOCK.finditer(text):
        if m["word"]:
            hours.append(0 if m["word"].lower() == "midnight" else 12)
        elif m["h24"] is not None:
            hours.append(int(m["h24"]))
        else:
            hour = int(m["h"]) % 12
            hours.append(hour + 12 if m["ap"].lower().startswith("p") else hour)
    return hours


def _dayparts(text: str) -> list[tuple[str, set[int]]]:
    lowered = text.lower()
    return [
        (word, set(hours))
        for word, hours in _DAYPARTS.items()
        if re.search(rf"\b{word}\b", lowered)
    ]


def _near(a: int, b: int, slack: int = 2) -> bool:
    return min((a - b) % 24, (b - a) % 24) <= slack


def _quote(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def check_time(report: str, ctx: ReportContext, findings: list[Finding]) -> bool:
    """The time part, and whether it fits the scene's time."""
    hours, parts = _hours(report), _dayparts(report)
    if not hours and not parts and not _OTHER_TIME.search(report):
        findings.append(Finding(FindingKind.MISSING, "time",
                                "Say when it happened (e.g. 'at about 02:10')."))  # fmt: skip
        return False
    scene = _hours(ctx.setting)
    if scene:
        when = scene[0]
        for hour in hours:
            if not _near(hour, when):
                findings.append(Finding(
                    FindingKind.CONTRADICTED, "time",
                    f"The scene was at about {when:02d}:00 ({ctx.setting}); your report says "
                    f"{hour:02d}:00.",
                ))  # fmt: skip
                break
        else:
            for word, span in parts:
                if not any(_near(h, when, 1) for h in span):
                    findings.append(Finding(
                        FindingKind.CONTRADICTED, "time",
                        f"The scene was at about {when:02d}:00 ({ctx.setting}); your report "
                        f"says '{word}'.",
                    ))  # fmt: skip
                    break
    return True


def check_place(report: str, ctx: ReportContext, findings: list[Finding]) -> bool:
    """The place part: the setting's own words or a place word."""
    lowered = report.lower()
    setting_words = _words(re.sub(_CLOCK, " ", ctx.setting)) | set(ctx.extra_place_words)
    if setting_words & _words(report) or any(p in lowered for p in _PLACES):
        return True
    example = ctx.setting.split(",")[0] if ctx.setting else "the main entrance"
    findings.append(Finding(FindingKind.MISSING, "place",
                            f"Say where it happened (e.g. '{example}')."))  # fmt: skip
    return False


def check_who(report: str, ctx: ReportContext, findings: list[Finding]) -> bool:
    """The who part: the visitor's name, role or a word for a person."""
    lowered = f" {report.lower()} "
    role = ctx.visitor_name.split(",", 1)[1] if "," in ctx.visitor_name else ""
    if (
        ctx.short_name.lower() in lowered
        or _words(role) & _words(report)
        or any(f" {p}" in lowered for p in _PEOPLE)
    ):
        return True
    findings.append(Finding(
        FindingKind.MISSING, "who",
        f"Say who was involved (e.g. '{ctx.short_name}, {role.strip() or 'a visitor'}').",
    ))  # fmt: skip
    return False


def check_story(report: str, ctx: ReportContext, findings: list[Finding]) -> bool:
    """The what-happened part: at least two words of what the incident was about."""
    if len(_words(ctx.story) & _words(report)) >= 2:
        return True
    findings.append(Finding(
        FindingKind.MISSING, "what happened",
        "Say what the incident was about: what the visitor wanted or was upset about.",
    ))  # fmt: skip
    return False


def check_outcome(report: str, ctx: ReportContext, findings: list[Finding]) -> bool:
    """The outcome part, and whether it matches how the practice ended."""
    calmed = [m for m in _CALMED.finditer(report) if not _negated(report, m.start())]
    escalated = [m for m in _ESCALATED.finditer(report) if not _negated(report, m.start())]
    if not (_OUTCOME.search(report) or calmed or escalated):
        findings.append(Finding(FindingKind.MISSING, "outcome",
                                "Say how it ended (e.g. 'he calmed down and waited in the "
                                "family room').",))  # fmt: skip
        return False
    ended_badly = ctx.outcome is Outcome.ESCALATED or ctx.final_agitation >= 7
    if calmed and ended_badly:
        findings.append(Finding(
            FindingKind.CONTRADICTED, "outcome",
            f"Your report says '{calmed[0].group(0)}', but the practice ended "
            f"{ctx.outcome.label.split(' - ')[0]} with the visitor at agitation "
            f"{ctx.final_agitation}/10.",
        ))  # fmt: skip
    elif escalated and ctx.outcome is Outcome.RESOLVED:
        findings.append(Finding(
            FindingKind.CONTRADICTED, "outcome",
            f"Your report says '{escalated[0].group(0)}', but the visitor calmed down and the "
            "practice ended resolved.",
        ))  # fmt: skip
    return True


def _lost_composure(turn: Turn) -> bool:
    return bool(set(turn.score.flags) & set(_LOST_COMPOSURE)) or (
        turn.score.criterion("composed_tone") < 40
    )


def _negated(text: str, at: int) -> bool:
    return bool(_NEGATION.search(text[max(0, at - 20) : at].lower()))


def check_actions(report: str, ctx: ReportContext, findings: list[Finding]) -> bool:
    """The officer's own actions, and the claims about them the transcript can test."""
    if not _ACTIONS.search(report):
        findings.append(Finding(
            FindingKind.MISSING, "your actions",
            "There is no account of your own actions: write what you did and said, in the first "
            "person (e.g. 'I explained that...', 'I offered to...').",
        ))  # fmt: skip
        return False
    turns = list(ctx.turns)
    said = " ".join(t.officer_text.lower() for t in turns)
    for _name, pattern, criterion, floor, why in _CLAIMS:
        m = pattern.search(report)
        if m and turns and max(t.score.criterion(criterion) for t in turns) < floor:
            best = max(t.score.criterion(criterion) for t in turns)
            findings.append(Finding(
                FindingKind.CONTRADICTED, "your actions",
                f"Your report says '{m.group(0)}', but {why} (best {criterion} score: {best}).",
            ))  # fmt: skip
    m = _APOLOGISED.search(report)
    if m and turns and not re.search(r"\bsorry\b|\bapologi[sz]e", said):
        findings.append(Finding(FindingKind.CONTRADICTED, "your actions",
                                f"Your report says '{m.group(0)}', but no reply apologised."))
    m = _STAYED_CALM.search(report)
    if m:
        lost = next((t for t in turns if _lost_composure(t)), None)
        if lost is not None:
            findings.append(Finding(
                FindingKind.CONTRADICTED, "your actions",
                f"Your report says '{m.group(0)}', but reply {lost.number} was not: "
                f"\"{_quote(lost.officer_text)}\".",
            ))  # fmt: skip
    m = _CALLED.search(report)
    if m and turns and not any(w in said for w in _CALL_WORDS):
        findings.append(Finding(
            FindingKind.UNSUPPORTED, "your actions",
            f"Your report says '{m.group(0).strip()}', but none of your replies mentions calling "
            "anyone; if you did it, say when and why.",
        ))  # fmt: skip
    return True
