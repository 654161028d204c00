"""`cooldown rewind` and `cooldown drill`: the learning loop's practice flows in a terminal."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Group
from rich.text import Text

from bot.cli_practice import play, prompt_lines, show_trainer_notes
from bot.cli_stats import officer_id
from bot.core.scores import CRITERIA, CRITERION_LABELS
from bot.core.session import Mode, PracticeSession, Turn
from bot.core.typed_text import for_terminal
from bot.terminal import render
from bot.terminal.screen import Screen

if TYPE_CHECKING:
    from bot.core.drills import DrillDue, DrillResult
    from bot.settings import Settings


def render_rewind_opening(session: PracticeSession, replaced: Turn) -> str:
    """Where the rewind starts: the conversation so far, what was said then, the visitor's line."""
    persona = session.persona
    lines = [
        f"== What if? {persona.name} - from your reply {replaced.number} ==",
        persona.setting,
        "",
        f'{persona.short_name}: "{session.opening_line}"',
    ]
    for turn in session.turns:
        lines += [f'You: "{turn.officer_text}"', f'{persona.short_name}: "{turn.visitor_reply}"']
    lines += [
        "",
        f'Then you said: "{replaced.officer_text}" (overall {replaced.score.overall}; agitation '
        f"{replaced.agitation_before} -> {replaced.agitation_after}).",
        f"Agitation is {session.agitation}/10 again. Say something else and play on; "
        "/end or Ctrl-C ends with a debrief and the two paths side by side.",
    ]
    return "\n".join(lines)


def cmd_rewind(args: argparse.Namespace, settings: Settings) -> int:
    """Go back to one reply of a recorded session, answer differently, and play on from there."""
    from bot.runtime import build_app

    with build_app(settings, scripted=args.scripted) as app:
        stored = app.store.load_session(args.session)
        session = app.room.rewind(args.session, args.turn)
        opening = for_terminal(render_rewind_opening(session, stored.turns[args.turn - 1]))
        screen = Screen()
        play(app.room, session, prompt_lines("You: ", screen), screen, opening=opening)
        show_trainer_notes(app.store, session.officer_id, screen)
        comparison = app.room.comparison(session.id)
        print()
        print(comparison.as_text())
        if args.chart:
            from bot.cli_stats import write_chart
            from bot.core.charts import branch_chart

            title = f"What if? {session.persona.short_name}, from reply {args.turn}"
            write_chart(args.chart, branch_chart(comparison, title))
    return 0


def render_drill_progress(results: list[DrillResult], due: list[DrillDue], criterion: str,
                          now: float) -> str:  # fmt: skip
    """After a drill: the scores of every drill on that criterion, and when the next is due."""
    scores = [f"{r.score:.0f}" for r in results if r.criterion == criterion]
    label = CRITERION_LABELS[criterion]
    lines = [f"Drills on {label} so far: {' -> '.join(scores) or 'none'}"]
    nxt = next((d for d in due if d.criterion == criterion), None)
    if nxt is not None:
        lines.append(f"Next drill on {label}: {nxt.when(now)}.")
    return "\n".join(lines)


def cmd_drill(args: argparse.Namespace, settings: Settings) -> int:
    """A few replies on your weakest skill, starting from a hard moment."""
    from bot.core.drills import due_drills, plan_for
    from bot.runtime import build_app

    officer = officer_id(args.officer)
    with build_app(settings, scripted=args.scripted) as app:
        app.store.ensure_officer(officer, args.officer)
        plan = plan_for(app.store, app.catalogue, officer, args.skill)
        mode = Mode.ASSESSMENT if args.assessment else Mode.LIVE
        session = app.room.start_drill(officer, plan, mode=mode)
        opening = Group(Text(plan.describe()), Text(""), render.scene(plan.persona, session))
        screen = Screen()
        debrief = play(app.room, session, prompt_lines("You: ", screen), screen, opening=opening)
        show_trainer_notes(app.store, officer, screen)
        if debrief.turns:
            now = app.store.now()
            results = app.store.drill_results(officer)
            print()
            print(render_drill_progress(results, due_drills(app.store, officer, now),
                                        plan.criterion, now))  # fmt: skip
    return 0


def add_rewind_parsers(sub: argparse._SubParsersAction) -> None:
    """Register `rewind` and `drill` on the `cooldown` command."""
    p = sub.add_parser(
        "rewind", help="what if? go back to a reply of a past session and try another"
    )
    p.add_argument("session", help="the session id (cooldown stats NAME lists them)")
    p.add_argument("--turn", type=int, required=True, help="the reply to say differently")
    p.add_argument("--chart", type=Path, help="also write both paths' agitation as a PNG here")
    p.add_argument("--scripted", action="store_true", help="scripted visitor instead of a model")
    p.set_defaults(func=cmd_rewind)

    p = sub.add_parser("drill", help="a short session on your weakest skill, spaced over days")
    p.add_argument("--officer", default="trainee", help="your name (results are kept per name)")
    p.add_argument("--skill", choices=CRITERIA, help="drill this criterion instead of the weakest")
    p.add_argument("--assessment", action="store_true", help="coaching only in the debrief")
    p.add_argument("--scripted", action="store_true", help="scripted visitor instead of a model")
    p.set_defaults(func=cmd_drill)

