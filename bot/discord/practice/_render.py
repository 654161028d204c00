"""How a practice looks in Discord: the scene, per-reply coaching, the visitor, the debrief."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.core.debrief import Debrief
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
        f"{coaching} /practice end finishes with a debrief."
    )
    return embed


def visitor_says(persona: Persona, text: str) -> str:
    """The visitor's line as message content (the model's words, shown as words)."""
    return f"**{persona.short_name}:** {literal(text)}"


def coaching_embed(turn: Turn) -> discord.Embed:
    """Live-mode feedback on one reply: overall, the three dimensions, agitation, a tip or two."""
    d = turn.score.dimensions
    lines = [
        f"Empathy **{shown(d['empathy'])}** · Calmness **{shown(d['calmness'])}** · "
        f"Resolution **{shown(d['resolution'])}**",
        f"Agitation {agitation_trend(turn.agitation_before, turn.agitation_after)}",
    ]
    if turn.score.strategy:
        leaps = ", ".join(turn.score.strategy.leaps)
        lines.append(f"Strategy: {turn.score.strategy.label}" + (f" · LEAPS: {leaps}" if leaps
                                                                   else ""))  # fmt: skip
    lines += [f"• {tip}" for tip in turn.score.coaching[:2]]
    return discord.Embed(
        title=f"Reply {turn.number}: {d['overall']}/100",
        description=clip("\n".join(lines), EMBED_DESCRIPTION),
        colour=score_colour(d["overall"]),
    )


def turn_message(session: PracticeSession, turn: Turn) -> tuple[str, list[discord.Embed]]:
    """The message that answers an officer's reply: the visitor, plus coaching in live mode."""
    embeds = [coaching_embed(turn)] if session.mode is Mode.LIVE else []
    return visitor_says(session.persona, turn.visitor_reply), embeds


def _bullets(items: tuple[str, ...]) -> str:
    return clip("\n".join(f"• {item}" for item in items), FIELD_VALUE)


def debrief_embed(debrief: Debrief) -> discord.Embed:
    """The end of a practice: scores per dimension and criterion, best and worst reply, advice."""
    replies = f"{debrief.turns} repl{'y' if debrief.turns == 1 else 'ies'}"
    embed = discord.Embed(
        title=f"Debrief - {debrief.persona_name}",
        description=(
            f"**{debrief.outcome.label.capitalize()}** after {replies}. Agitation "
            f"{debrief.start_agitation} → {debrief.final_agitation}."
        ),
        colour=OUTCOME_COLOURS.get(debrief.outcome, discord.Colour.blurple()),
    )
    if not debrief.turns:
        embed.description = f"{embed.description}\nNo replies were scored."
        return embed
    for name in ("overall", "empathy", "calmness", "resolution"):
        embed.add_field(name=name.capitalize(), value=shown(debrief.dimensions[name]), inline=True)
    table = "\n".join(f"{CRITERION_LABELS[c]:<27}{shown(debrief.criteria[c]):>4}" for c in CRITERIA)
    embed.add_field(name="Criteria", value=f"```\n{table}\n```", inline=False)
    if debrief.strategy_line():
        embed.add_field(name="Strategy", value=clip(debrief.strategy_line(), FIELD_VALUE),
                        inline=False)  # fmt: skip
    if debrief.worked:
        embed.add_field(name="What worked", value=_bullets(debrief.worked), inline=False)
    if debrief.to_improve:
        embed.add_field(name="To improve", value=_bullets(debrief.to_improve), inline=False)
    if debrief.best:
        embed.add_field(
            name=f"Best reply ({debrief.best.score.overall})",
            value=quote(literal(debrief.best.officer_text), FIELD_VALUE),
            inline=False,
        )
    if debrief.worst and debrief.worst is not debrief.best:
        embed.add_field(
            name=f"Weakest reply ({debrief.worst.score.overall})",
            value=quote(literal(debrief.worst.officer_text), FIELD_VALUE),
            inline=False,
        )
    if debrief.try_instead:
        embed.add_field(
            name="Better phrasing to try",
            value=quote(debrief.try_instead, FIELD_VALUE),
            inline=False,
        )
    if debrief.focus:
        embed.add_field(
            name=f"Drill score - {CRITERION_LABELS[debrief.focus]}",
            value=f"**{debrief.criteria[debrief.focus]}**/100",
            inline=False,
        )
    return embed


def drill_note(scores: list[float], label: str, when: str) -> str:
    """After a drill: its criterion's drill scores so far and when the next one is due."""
    line = " → ".join(f"{x:.0f}" for x in scores) or "-"
    return f"Drills on {label} so far: {line}. Next drill on it: {when}."


def resumed_note(session: PracticeSession) -> str:
    """Posted in a practice thread after the bot restarted mid-practice."""
    return (
        "Cooldown restarted; your practice carries on where it stopped "
        f"(agitation {session.agitation}/10).\n"
        f"{visitor_says(session.persona, session.last_visitor_line)}"
    )


def slow_down_note(seconds: float, per_minute: int) -> str:
    """The one notice an officer gets for sending messages too fast."""
    return (
        f"Take a breath: I play at most {per_minute} replies a minute. That message was not "
        f"played; send your next reply in about {max(1, round(seconds))} s."
    )


def _path_value(path: PathSummary) -> str:
    d = path.scores
    lines = [
        f"**{path.outcome.label.capitalize()}**",
        f"Overall **{d['overall']}** · Empathy {d['empathy']} · Calmness {d['calmness']} · "
        f"Resolution {d['resolution']}",
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
