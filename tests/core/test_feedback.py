"""Coaching that follows the reply: not the tip just followed, no repeats without a repeated
mistake, examples from the persona's setting, and why the visitor reacted."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.core.feedback import session_feedback, why_reacted
from bot.core.persona import Persona
from bot.core.rubric import build_rubric
from bot.core.rubric.coaching import ADD, tip_source
from bot.core.rubric.tips import SessionCoach, followed, in_scene, scene_for
from bot.core.scores import CRITERIA, CriterionScore, RubricScore, dimensions_from
from bot.core.session import PracticeSession, Turn
from bot.model.scripted import ScriptedVisitor

VISITOR = "Where is my mother? Nobody tells me anything!"
# Eleven replies of a struggling officer: the same gaps (no feeling named, no option) again and
# again, a "calm down" twice and bare rules twice.
STRUGGLING = [
    "Tell me what's happened so far.",
    "Okay, give me a moment.",
    "Sorry. You can't go in, it's the rules.",
    "Calm down. Rules are rules.",
    "Calm down please.",
    "What's happened so far?",
    "I hear you. I'll call the ward now.",
    "Okay.",
    "Okay, one moment.",
    "Right, it's the rules.",
    "Fine.",
]


@pytest.fixture(scope="module")
def rubric():  # noqa: ANN201 - the pattern rubric: real coaching lines, no model
    return build_rubric()


def score_with(low: dict[str, str], value: int = 20) -> RubricScore:
    """A score where the named criteria are low with these coaching lines, the rest fine."""
    values = {c: (value if c in low else 80) for c in CRITERIA}
    criteria = {c: CriterionScore(c, values[c], (), low.get(c, "fine")) for c in CRITERIA}
    return RubricScore(criteria, dimensions_from(values), tuple(low.values()))


def test_a_tip_the_reply_already_followed_is_not_suggested() -> None:
    reply = "Tell me what's happened so far."
    assert followed('Ask, e.g. "What\'s happened so far?"', reply)
    coach = SessionCoach("")  # the default scene's question is exactly that one
    tips = coach.tips(score_with({"explores": ADD["explores"]}), reply)
    assert tips and not any("happened so far" in t for t in tips)
    assert "open question" in tips[0] or "Ask" in tips[0]


def test_no_tip_repeats_unless_the_officer_repeats_the_mistake(rubric) -> None:  # noqa: ANN001
    coach = SessionCoach("Hospital emergency entrance, 2 a.m.")
    seen_keys: set[str] = set()
    shown: Counter[str] = Counter()
    for reply in STRUGGLING:
        score = rubric.score(reply, VISITOR)
        keys = {tip_source(c, score.criteria[c].coaching).key for c in CRITERIA}
        for tip in coach.tips(score, reply):
            if shown[tip]:
                # a repeat is only allowed for a mistake made before and made again now
                assert any(k in seen_keys and k in keys for k in keys), (reply, tip)
            shown[tip] += 1
        seen_keys |= keys
    raw = Counter(t for r in STRUGGLING for t in rubric.score(r, VISITOR).coaching[:2])
    # The rubric alone says its commonest line under most replies; the coach varies it.
    assert max(raw.values()) >= 6
    assert max(shown.values()) < max(raw.values())
    assert len(shown) > len(raw)


def test_the_same_cue_is_coached_once_per_reply(rubric) -> None:  # noqa: ANN001
    score = rubric.score("Calm down. Rules are rules.", VISITOR)
    tips = SessionCoach("").tips(score, "Calm down. Rules are rules.")
    assert sum('"Calm down"' in t for t in tips) == 1


def test_examples_come_from_the_persona_setting(rubric) -> None:  # noqa: ANN001
    reply = "Sorry. You can't go in, it's the rules."
    score = rubric.score(reply, VISITOR)
    line = score.criteria["explains_reason"].coaching
    assert "patients" not in line and "hospital" not in line.lower()  # the rubric is neutral
    library = in_scene("explains_reason", line, "Public library computer area, 7.55 p.m.")
    hospital = in_scene("explains_reason", line, "Hospital emergency entrance, 2 a.m.")
    assert '"it\'s the rules"' in library and "doctors" not in library
    assert "doctors" in hospital
    assert scene_for("Rugby stadium north stand, accessible viewing platform B") is scene_for(
        "Arena concert gate C"
    )
    assert scene_for("Reception barriers of Carrick House, an office tower") is not scene_for(
        "Front bar of The Swan, a busy pub"
    )


def turn(reasons: tuple[str, ...], before: int, after: int) -> Turn:
    values = dict.fromkeys(CRITERIA, 50)
    score = RubricScore({c: CriterionScore(c, 50) for c in CRITERIA}, dimensions_from(values), ())
    return Turn(1, "line", "reply", score, before, after, reasons, "answer", 0.0)


def test_why_the_visitor_reacted_names_the_trigger_or_soother() -> None:
    up = turn(("gave orders or blamed instead of asking (+1)",
               "trigger: being told to calm down (+1)"), 6, 8)  # fmt: skip
    assert why_reacted(up, "Dana") == (
        "Why Dana got more agitated: being told to calm down (a trigger, +1)."
    )
    down = turn(("handled well overall (-2)", "soother: hearing where the car is (-1)"), 7, 4)
    assert "hearing where the car is (a soother, -1)" in why_reacted(down, "Dana")
    plain = turn(("handled well overall (-2)",), 7, 5)
    assert why_reacted(plain, "Dana") == "Why Dana calmed down: your reply handled it well (-2)."
    still = turn((), 5, 5)
    assert "nothing in that reply moved them" in why_reacted(still, "Dana")
    mixed = turn(("trigger: rules quoted without a reason (+1)", "heard news (-1)"), 5, 5)
    assert "cancelled out" in why_reacted(mixed, "Dana")


def test_session_feedback_is_the_same_when_replayed(persona: Persona, rubric) -> None:  # noqa: ANN001
    session = PracticeSession.start(persona, "cli:t", ScriptedVisitor(), rubric)
    for reply in STRUGGLING[:5]:
        if session.finished:
            break
        session.respond(reply)
    first = session_feedback(session)
    again = PracticeSession(persona, "cli:t", ScriptedVisitor(), rubric, turns=list(session.turns))
    assert session_feedback(again) == first
    assert all(f.why.startswith("Why Dana") for f in first)
    assert all(len(f.tips) <= 2 for f in first)
