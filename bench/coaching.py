"""Does the coaching follow the reply, and does the debrief fit a phone? (issue 17)

Every shipped persona is played twice with the scripted visitor and the pattern rubric: once with
its poor example replies, once with its good ones (each list repeated up to the turn limit, as
an officer who keeps making the same moves). For each session the per-reply tips are taken both
as the rubric alone would show them (its first two lines) and as the session coach shows them.

    python -m bench.coaching [--out bench/results/coaching.json]

Figures: the share of a session's score embeds (4+ replies) that carry its commonest tip (the
issue saw one in 6 of 11), tips shown again word for word and without the mistake coming again,
tips whose example the reply already said, hospital examples outside hospitals and care homes,
and the debrief embed's length (target <= 600).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from collections import Counter
from pathlib import Path

from bot.core.debrief import build_debrief
from bot.core.feedback import session_feedback
from bot.core.persona import PersonaLibrary
from bot.core.rubric import build_rubric
from bot.core.rubric.coaching import tip_source
from bot.core.rubric.tips import followed
from bot.core.scores import CRITERIA
from bot.core.session import PracticeSession
from bot.discord.practice._render import debrief_embed
from bot.model.scripted import ScriptedVisitor

PROJECT = Path(__file__).resolve().parent.parent
HEALTH_WORDS = re.compile(r"\b(?:patients?|wards?|nurses?|doctors?|triage)\b", re.IGNORECASE)
HEALTH_SETTINGS = ("hospital", "emergency", "care home", "clinic", "outpatient")
LONG_SESSION = 4  # one tip "in every embed" only means something over a few replies
QUOTED = re.compile(r'"([^"]+)"')


def _play(persona, rubric, replies):  # noqa: ANN001, ANN202 - bench glue
    session = PracticeSession.start(persona, "bench:coach", ScriptedVisitor(), rubric)
    for i in range(persona.max_turns):
        if session.finished:
            break
        session.respond(replies[i % len(replies)])
    session.end()
    return session


def _suggests_what_was_said(tip: str, reply: str) -> bool:
    """A tip's suggested words (not the officer's own, which fixes quote) the reply already
    says."""
    suggested = [q for q in QUOTED.findall(tip) if q.lower() not in reply.lower()]
    return any(followed(f'"{q}"', reply) for q in suggested)


def _measure(sessions: list[tuple[PracticeSession, list[tuple[str, ...]]]]) -> dict[str, object]:
    top_share, repeats, again, followed_tips, off_setting, shown = [], 0, 0, 0, 0, 0
    for session, tips_per_turn in sessions:
        counts = Counter(t for tips in tips_per_turn for t in set(tips))
        if counts and len(tips_per_turn) >= LONG_SESSION:
            top_share.append(max(counts.values()) / len(tips_per_turn))
        seen_keys: set[str] = set()
        seen_tips: set[str] = set()
        health = any(w in session.persona.setting.lower() for w in HEALTH_SETTINGS)
        for turn, tips in zip(session.turns, tips_per_turn, strict=True):
            keys = {tip_source(c, turn.score.criteria[c].coaching).key for c in CRITERIA}
            for tip in tips:
                shown += 1
                again += tip in seen_tips
                if tip in seen_tips and not (keys & seen_keys):
                    repeats += 1
                if _suggests_what_was_said(tip, turn.officer_text):
                    followed_tips += 1
                if not health and HEALTH_WORDS.search(tip):
                    off_setting += 1
            seen_tips.update(tips)
            seen_keys |= keys
    return {
        "tips_shown": shown,
        "sessions_of_4_plus_replies": len(top_share),
        "top_tip_share_mean": round(statistics.mean(top_share), 3) if top_share else 0.0,
        "top_tip_share_max": round(max(top_share), 3) if top_share else 0.0,
        "tips_shown_again_word_for_word": again,
        "repeats_without_the_mistake_again": repeats,
        "tips_the_reply_already_followed": followed_tips,
        "hospital_examples_outside_hospitals": off_setting,
    }


def main(argv: list[str] | None = None) -> int:
    """Play every shipped persona and write the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    rubric = build_rubric()
    library = PersonaLibrary.from_directory(PROJECT / "personas")
    raw, coached, lengths = [], [], []
    for persona in library.at_difficulty(None):
        for replies in (persona.poor_examples, persona.good_examples):
            if not replies:
                continue
            session = _play(persona, rubric, list(replies))
            if not session.turns:
                continue
            raw.append((session, [t.score.coaching[:2] for t in session.turns]))
            coached.append((session, [f.tips for f in session_feedback(session)]))
            lengths.append(len(debrief_embed(build_debrief(session, rubric))))
    result = {
        "personas": len(library.personas),
        "sessions": len(raw),
        "score_embeds": sum(len(s.turns) for s, _ in raw),
        "rubric_alone": _measure(raw),
        "session_coach": _measure(coached),
        "debrief_embed_chars": {
            "max": max(lengths),
            "mean": round(statistics.mean(lengths)),
            "target": 600,
        },
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
