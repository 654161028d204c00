"""How a practice looks in Discord: the scene, per-reply coaching, the visitor, the debrief."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.core.debrief import Debrief
from bot.core.feedback import TurnFeedback, latest_feedback
from bot.core.persona import Persona
from bot.core.rewind import BranchComparison, PathSummary
from bot.core.scores import CRITERIA, CRITERION_LABELS, shown
from bot.core.session import Mode, Outcome, PracticeSession, Turn
from bot.core.store import TrainerNote
from bot.discord.limits import EMBED_DESCRIPTION, FIELD_VALUE, clip, quote
from bot.discord.markdown import literal

DIFFICULTY_LABELS = {1: "easy", 2: "mild", 3: "moderate", 4: "hard", 5: "very hard"}
OUTCOME_COLOURS = {
    Outcome.RESOLVED: discord.Colour.green(),
    Outcome.ESCALATED: discord.Colour.red(),
    Outcome.TURN_LIMIT: discord.Colour.gold(),
    Outcome.ENDED_BY_OFFICER: discord.Colour.blurple(),
    Outcome.IN_PROGRESS: discord.Colour.blurple(),
}


OUTCOME_WORDS = {
    Outcome.RESOLVED: "Resolved",
    Outcome.ESCALATED: "Escalated",
    Outcome.TURN_LIMIT: "Turn limit",
    Outcome.ENDED_BY_OFFICER: "Ended early",
    Outcome.IN_PROGRESS: "In progress",
}
# The debrief is read on a phone: everything before Details fits in about one screen.
DEBRIEF_ROOM = 600
DEBRIEF_PARTS = {"bullet": 110, "line": 120, "better": 200}  # starting clip per part
DEBRIEF_FLOORS = {"bullet": 28, "line": 50, "better": 60}


def score_colour(score: int) -> discord.Colour:
    """Green for good handling, gold for middling, red for poor."""
    if score >= 70:
        return discord.Colour.green()
    if score >= 40:
        return discord.Colour.gold()
    return discord.Colour.red()


def agitation_colour(agitation: int) -> discord.Colour:
    """Red for a visitor about to explode, gold in the middle, green when calm."""
    if agitation >= 7:
        return discord.Colour.red()
    if agitation >= 4:
        return discord.Colour.gold()
    return discord.Colour.green()


def agitation_trend(before: int, after: int) -> str:
    """The agitation change as an arrow and a word."""
    if after < before:
        return f"{before} → {after} ⬇ calmer"
    if after > before:
        return f"{before} → {after} ⬆ more agitated"
    return f"{before} → {after} ➡ no change"


def persona_choice_name(persona: Persona) -> str:
    """How a persona reads in autocomplete and lists."""
    return clip(f"{persona.name} ({persona.difficulty}/5)", 100)


def scene_embed(session: PracticeSession) -> discord.Embed:
    """The opening of a practice: where we are, who the visitor is, and their first words."""
    persona = session.persona
    coaching = (
        "You get a score and a tip after every reply."
        if session.mode is Mode.LIVE
        else "Assessment: no scores until the debrief."
    )
    embed = discord.Embed(
        title=persona.name,
        description=(
            f"*{persona.setting}*\n\n**{persona.short_name}:** {literal(session.opening_line)}"
        ),
        colour=agitation_colour(session.agitation),
    )
    label = DIFFICULTY_LABELS.get(persona.difficulty, "")
    embed.add_field(name="Difficulty", value=f"{persona.difficulty}/5 {label}", inline=True)
    embed.add_field(name="Agitation", value=f"{session.agitation}/10", inline=True)
    embed.add_field(name="Mode", value=session.mode.value, inline=True)
    if session.focus:
        embed.add_field(
            name="Drill",
            value=f"{CRITERION_LABELS[session.focus]}, {session.persona.max_turns} replies",
            inline=False,
        )
    embed.set_footer(
        text="Answer in this thread with normal messages, in your own words. "
        f"{coaching} Stuck? Hint. Done? End (or /practice end) for your debrief."
    )
    return embed


def visitor_says(persona: Persona, text: str) -> str:
    """The visitor's line as message content (the model's words, shown as words)."""
    return f"**{persona.short_name}:** {literal(text)}"


def coaching_embed(turn: Turn, feedback: TurnFeedback | None = None) -> discord.Embed:
    """Live-mode feedback on one reply: the three dimensions, agitation, why the visitor
    reacted, and a tip or two that follow this reply."""
    d = turn.score.dimensions
    lines = [
        f"Empathy **{shown(d['empathy'])}** · Calmness **{shown(d['calmness'])}** · "
        f"Resolution **{shown(d['resolution'])}**",
        f"Agitation {agitation_trend(turn.agitation_before, turn.agitation_after)}",
    ]
    if feedback is not None:
        lines.append(f"*{feedback.why}*")
    if turn.score.strategy:
        leaps = ", ".join(turn.score.strategy.leaps)
        lines.append(f"Strategy: {turn.score.strategy.label}" + (f" · LEAPS: {leaps}" if leaps
                                                                   else ""))  # fmt: skip
    tips = feedback.tips if feedback is not None else turn.score.coaching[:2]
    lines += [f"• {tip}" for tip in tips]
    return discord.Embed(
        title=f"Reply {turn.number}: {d['overall']}/100",
        description=clip("\n".join(lines), EMBED_DESCRIPTION),
        colour=score_colour(d["overall"]),
    )


def turn_message(session: PracticeSession, turn: Turn) -> tuple[str, list[discord.Embed]]:
    """The message that answers an officer's reply: the visitor, plus coaching in live mode."""
    embeds = []
    if session.mode is Mode.LIVE:
        embeds.append(coaching_embed(turn, latest_feedback(session)))
    return visitor_says(session.persona, turn.visitor_reply), embeds


def debrief_colour(debrief: Debrief) -> discord.Colour:
    """Green for a calmed visitor, red for an escalation, otherwise the overall score's colour."""
    if debrief.outcome is Outcome.RESOLVED:
        return discord.Colour.green()
    if debrief.outcome is Outcome.ESCALATED:
        return discord.Colour.red()
    if not debrief.turns:
        return discord.Colour.blurple()
    return score_colour(debrief.dimensions["overall"])


def score_line(debrief: Debrief) -> str:
    """The outcome and the four scores on one line."""
    d = debrief.dimensions
    return (
        f"**{OUTCOME_WORDS[debrief.outcome]}** · Overall {d['overall']} · "
        f"Empathy {shown(d['empathy'])} · Calmness {shown(d['calmness'])} · "
        f"Resolution {shown(d['resolution'])}"
    )


def _debrief_text(debrief: Debrief, room: dict[str, int]) -> str:
    replies = f"{debrief.turns} repl{'y' if debrief.turns == 1 else 'ies'}"
    lines = [
        score_line(debrief),
        f"Agitation {debrief.start_agitation} → {debrief.final_agitation} over {replies}.",
        "",
    ]
    for good, text in debrief.bullets():
        # "Offers options (9): <tip>": the whole tip or none of it - a tip cut short reads as a
        # mistake; every tip is in Details.
        if len(text) > room["bullet"]:
            text = text.split("): ", 1)[0] + ")" if "): " in text else clip(text, room["bullet"])
        lines.append(f"{'✅' if good else '⚠️'} {text}")
    worst = debrief.worst
    if worst is not None:
        name = debrief.persona_name.split(",")[0].strip()
        where = "Your reply" if debrief.turns == 1 else f"Weakest moment, reply {worst.number}"
        lines += [
            "",
            f"**{where}** ({worst.score.overall})",
            # Their words and the visitor's, shown as typed (clipped first, so no cut escape).
            f"> **{name}:** {literal(clip(worst.visitor_line, room['line']))}",
            f"> **You:** {literal(clip(worst.officer_text, room['line']))}",
        ]
        if debrief.try_instead:
            lines.append(f"**Better:** {clip(debrief.try_instead, room['better'])}")
    return "\n".join(lines)


def debrief_embed(debrief: Debrief, room: int = DEBRIEF_ROOM) -> discord.Embed:
    """The end of a practice, made for a phone: outcome and scores on one line, three bullets,
    then the weakest moment (their line, your reply, a better one). The criteria and the best
    reply are behind the Details button (details_embed)."""
    name = debrief.persona_name.split(",")[0].strip()
    embed = discord.Embed(title=f"Debrief: {name}", colour=debrief_colour(debrief))
    if not debrief.turns:
        embed.description = (
            f"**{OUTCOME_WORDS[debrief.outcome]}** · no replies were scored. "
            "Try again when you are ready."
        )
        return embed
    parts = dict(DEBRIEF_PARTS)
    # Shrink the least useful part first (bullets, then the quoted lines, then the better
    # reply) until the whole embed fits one phone screen.
    for part in ("bullet", "line", "better"):
        while True:
            embed.description = _debrief_text(debrief, parts)
            if len(embed) <= room:
                return embed
            if parts[part] <= DEBRIEF_FLOORS[part]:
                break
            parts[part] = max(DEBRIEF_FLOORS[part], parts[part] - 10)
    return embed


def details_embed(debrief: Debrief) -> discord.Embed:
    """Behind the debrief's Details button: every criterion, the best reply, every tip."""
    embed = discord.Embed(
        title=f"Details: {debrief.persona_name}", colour=debrief_colour(debrief)
    )
    replies = f"{debrief.turns} repl{'y' if debrief.turns == 1 else 'ies'}"
    embed.description = (
        f"{debrief.outcome.label.capitalize()} after {replies}. Agitation "
        f"{debrief.start_agitation} → {debrief.final_agitation}."
    )
    if not debrief.turns:
        return embed
    table = "\n".join(f"{CRITERION_LABELS[c]:<27}{shown(debrief.criteria[c]):>4}" for c in CRITERIA)
    embed.add_field(name="Criteria", value=f"```\n{table}\n```", inline=False)
    if debrief.strategy_line():
        embed.add_field(name="Strategy", value=clip(debrief.strategy_line(), FIELD_VALUE),
                        inline=False)  # fmt: skip
    if debrief.worked:
        embed.add_field(name="What worked", value=_bullets(debrief.worked), inline=False)
    if debrief.to_improve:
        embed.add_field(name="To work on", value=_bullets(debrief.to_improve), inline=False)
    if debrief.best:
        embed.add_field(
            name=f"Best reply, reply {debrief.best.number} ({debrief.best.score.overall})",
            value=quote(literal(debrief.best.officer_text), FIELD_VALUE),
            inline=False,
        )
    if debrief.focus:
        embed.add_field(
            name=f"Drill score - {CRITERION_LABELS[debrief.focus]}",
            value=f"**{debrief.criteria[debrief.focus]}**/100",
            inline=False,
        )
    return embed


def _bullets(items: tuple[str, ...]) -> str:
    return clip("\n".join(f"• {item}" for item in items), FIELD_VALUE)


def drill_note(scores: list[float], label: str, when: str) -> str:
    """After a drill: its criterion's drill scores so far and when the next one is due."""
    line = " → ".join(f"{x:.0f}" for x in scores) or "-"
    return f"Drills on {label} so far: {line}. Next drill on it: {when}."


def drill_embed(debrief: Debrief, note: str) -> discord.Embed:
    """Under a drill's debrief (which stays phone-sized): the drilled skill's score and the
    drill's place in the spaced schedule."""
    assert debrief.focus is not None
    embed = discord.Embed(title="Drill", colour=discord.Colour.dark_teal())
    embed.add_field(
        name=f"Drill score - {CRITERION_LABELS[debrief.focus]}",
        value=f"**{debrief.criteria[debrief.focus]}**/100",
        inline=False,
    )
    embed.add_field(name="Spaced drills", value=clip(note, FIELD_VALUE), inline=False)
    return embed


def resumed_note(session: PracticeSession) -> str:
    """Posted in a practice thread after the bot restarted mid-practice."""
    return (
        "Cooldown restarted; your practice carries on where it stopped "
        f"(agitation {session.agitation}/10).\n"
        f"{visitor_says(session.persona, session.last_visitor_line)}"
    )


def slow_down_note(seconds: float, per_minute: int, dropped: int = 0) -> str:
    """The one notice an officer gets for sending messages too fast; it is edited to count the
    messages dropped after it, so none disappears without a sign."""
    note = (
        f"Take a breath: I play at most {per_minute} replies a minute. That message was not "
        f"played; send your next reply in about {max(1, round(seconds))} s."
    )
    if dropped:
        more = f"{dropped} more message{'s' if dropped > 1 else ''}"
        note += f"\n{more} sent since then {'were' if dropped > 1 else 'was'} not played either."
    return note


def finished_note() -> str:
    """The answer to a message in a practice thread whose practice is over."""
    return (
        "This practice has finished, so that was not played. Press **Try again**, **New "
        "visitor** or **What if?** under the debrief, or use `/practice start`."
    )


def _path_value(path: PathSummary) -> str:
    d = path.scores
    lines = [
        f"**{path.outcome.label.capitalize()}**",
        f"Overall **{d['overall']}** · Empathy {d['empathy']} · Calmness {d['calmness']} · "
        f"Resolution {shown(d['resolution'])}",
        "Agitation " + " → ".join(str(a) for a in path.agitation),
    ]
    lines += [f"{t.number}. ({t.score.overall}) {t.officer_text}" for t in path.turns]
    return clip("\n".join(lines), FIELD_VALUE)


def comparison_embed(comparison: BranchComparison, chart: str | None = None) -> discord.Embed:
    """The original path and the "what if?" path side by side, from the branch point on."""
    better = comparison.branch.overall - comparison.original.overall
    verdict = (
        f"The other reply scored {abs(better)} point{'s' if abs(better) != 1 else ''} "
        f"{'higher' if better > 0 else 'lower'} from there on."
        if better
        else "Both paths scored the same from there on."
    )
    embed = discord.Embed(
        title=f"What if? From reply {comparison.branch_turn}",
        description=verdict,
        colour=score_colour(comparison.branch.overall),
    )
    embed.add_field(name="As played", value=_path_value(comparison.original), inline=True)
    embed.add_field(name="What if", value=_path_value(comparison.branch), inline=True)
    if chart:
        embed.set_image(url=f"attachment://{chart}")
    return embed


def notes_embed(
    notes: Sequence[TrainerNote], title: str = "Trainer notes for you"
) -> discord.Embed:
    """Trainer comments and score changes on the officer's replies, newest last."""
    lines = [f"• **{n.persona_name.split(',')[0]}**, {n.describe()}" for n in notes]
    return discord.Embed(
        title=title,
        description=clip("\n".join(lines), EMBED_DESCRIPTION),
        colour=discord.Colour.teal(),
    )
