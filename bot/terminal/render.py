"""What the officer reads in the terminal: the scene, each turn's scores and tips, the debrief.

Everything is a rich renderable built from Text (never markup: officer and visitor words are
shown as typed). Colour says at a glance what is good or bad, labels sit in a column with the
text wrapped beside them at word boundaries; on a pipe the same words come out plain, one line
each.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.segment import Segment
from rich.text import Text

from bot.core.debrief import Debrief
from bot.core.feedback import TurnFeedback
from bot.core.persona import Persona, band_for
from bot.core.scores import CRITERIA, CRITERION_LABELS, DIMENSIONS, shown
from bot.core.session import Outcome, PracticeSession, Turn
from bot.core.store.errors import StoreError
from bot.core.typed_text import for_terminal
from bot.core.visitor import visitor_loading

STARTING = "Getting the visitor ready"
# The debrief lists a criterion under "What worked" from 60 and under "What to work on" below 50.
GOOD_FROM, POOR_BELOW = 60, 50
AGITATION_STYLE = {"high": "bold red", "medium": "yellow", "low": "green"}
OUTCOME_STYLE = {
    Outcome.RESOLVED: "bold green",
    Outcome.ESCALATED: "bold red",
    Outcome.TURN_LIMIT: "yellow",
    Outcome.ENDED_BY_OFFICER: "bold",
    Outcome.IN_PROGRESS: "bold",
}


def score_style(value: int) -> str:
    """Green for a score that worked, red for one to work on, yellow between."""
    if value >= GOOD_FROM:
        return "green"
    return "yellow" if value >= POOR_BELOW else "red"


def agitation(value: int) -> Text:
    """An agitation level, coloured by the band the visitor speaks from."""
    return Text(str(value), style=AGITATION_STYLE[band_for(value)])


class Hanging:
    """Rows of label and text: labels in a column, each text wrapped beside its label.

    Wrapped lines start under the text, not under the label, and carry no trailing spaces; with
    wrapping off (a pipe) every row is one line.
    """

    def __init__(self, rows: Sequence[tuple[str | Text, Text]], indent: int = 2) -> None:
        self.rows = [(Text(head) if isinstance(head, str) else head, text) for head, text in rows]
        self.indent = indent

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        column = max((cell_len(label.plain) for label, _ in self.rows), default=0)
        lead = self.indent + column + (1 if column else 0)
        width = max(20, options.max_width - lead)
        for label, text in self.rows:
            lines = [text] if options.no_wrap else list(text.wrap(console, width))
            for i, line in enumerate(lines or [Text("")]):
                line = line.copy()
                line.rstrip()
                head = label.copy() if i == 0 else Text("")
                head.pad_right(column - cell_len(head.plain))
                row = Text(" " * self.indent) + head + Text(" " if column else "") + line
                row.rstrip()
                yield from row.render(console)
                yield Segment.line()


def starting(ellipsis: str = "...") -> str:
    """The start-up line: what the officer is waiting for before the scene shows."""
    return f"{STARTING}{ellipsis}"


def waiting(visitor: object, persona: Persona, ellipsis: str = "...") -> str:
    """The line while a reply waits: for a model still loading (and why), or for the answer."""
    loading = visitor_loading(visitor)
    if loading:
        return f"{STARTING} ({loading}){ellipsis}"
    return f"{persona.short_name}{ellipsis}"


def said(name: str, words: str) -> Text:
    """A line of the conversation: `Name: "words"`, wrapped at word boundaries."""
    return Text.assemble((name, "bold"), f': "{for_terminal(words)}"')


def scene(persona: Persona, session: PracticeSession) -> RenderableType:
    """The scene header and the visitor's opening line."""
    how = Text.assemble(
        "Agitation ",
        agitation(session.agitation),
        "/10. Type your reply; /end or Ctrl-C ends with a debrief.",
    )
    return _header(persona, how, session.opening_line)


def resumed(persona: Persona, session: PracticeSession) -> RenderableType:
    """The scene header of a practice carried on after the program was stopped mid-way."""
    done = len(session.turns)
    how = Text.assemble(
        f"Carrying on your practice: {done} repl{'y' if done == 1 else 'ies'} so far, agitation ",
        agitation(session.agitation),
        "/10. /end or Ctrl-C ends with a debrief.",
    )
    return _header(persona, how, session.last_visitor_line)


def _header(persona: Persona, how: Text, visitor_line: str) -> Group:
    title = Text(f"== {persona.name} (difficulty {persona.difficulty}/5) ==", style="bold")
    setting = Text(persona.setting, style="italic")
    return Group(title, setting, how, Text(""), said(persona.short_name, visitor_line))


def store_problem(error: StoreError, turns: int) -> Text:
    """The store stopped taking results: what happened, and what the officer still gets."""
    saved = f"the first {turns} repl{'y' if turns == 1 else 'ies'}" if turns else "nothing"
    return Text(
        f"!! Your results could not be saved: {error}\n"
        f"!! The practice stops here. The record keeps {saved}, nothing half-written; "
        "your debrief follows.",
        style="bold red",
    )


def _value(value: int | None) -> Text:
    """A score coloured by how it went; "n/a" (dim) where the criterion did not apply."""
    if value is None:
        return Text(shown(value), style="dim")
    return Text(str(value), style=score_style(value))


def _scores(values: dict[str, int | None], names: Sequence[str] = DIMENSIONS) -> Text:
    text = Text()
    for i, name in enumerate(names):
        text.append("   " if i else "")
        text.append(f"{name} ")
        text.append_text(_value(values.get(name)))
    return text


def _trend(before: int, after: int, arrow: str) -> Text:
    if after < before:
        word, style = "calmer", "green"
    elif after > before:
        word, style = "more agitated", "red"
    else:
        word, style = "no change", "dim"
    return Text.assemble(agitation(before), f" {arrow} ", agitation(after), "  ", (word, style))


def turn(
    persona: Persona,
    played: Turn,
    coaching: bool = True,
    arrow: str = "->",
    feedback: TurnFeedback | None = None,
) -> Group:
    """One turn as the officer sees it: scores, why the visitor reacted and tips (live mode),
    then the visitor's answer.

    `feedback` (bot.core.feedback) carries the session's tips, which follow the reply and do not
    repeat themselves; without it the turn's own first two tips are shown.
    """
    parts: list[RenderableType] = []
    if coaching:
        d = played.score.dimensions
        headline = Text.assemble(
            (str(d["overall"]), f"bold {score_style(d['overall'])}"), " overall   "
        )
        headline.append_text(_scores(d, ("empathy", "calmness", "resolution")))
        if played.score.strategy is not None:
            headline.append(f"   {played.score.strategy.label}", style="dim")
        rows: list[tuple[str | Text, Text]] = [
            (Text("score", style="dim"), headline),
            (
                Text("agitation", style="dim"),
                _trend(played.agitation_before, played.agitation_after, arrow),
            ),
        ]
        if feedback is not None:
            # "Why Dana calmed down: ..." reads "why  Dana calmed down: ..." beside its label.
            why = feedback.why.removeprefix("Why ")
            rows.append((Text("why", style="dim"), Text(for_terminal(why))))
        tips = feedback.tips if feedback is not None else played.score.coaching[:2]
        rows += [(Text("tip", style="cyan"), Text(tip)) for tip in tips]
        parts.append(Hanging(rows))
    parts.append(said(persona.short_name, played.visitor_reply))
    return Group(*parts)


def refused(reason: str) -> Hanging:
    """A reply the session would not take (empty, too long), with the reason."""
    return Hanging([(Text("!", style="bold yellow"), Text(reason))])


def banner(words: str) -> Text:
    """A heading between the parts of a longer printout (the demo's two officers)."""
    return Text(words, style="bold")


def demo_result(label: str, report: Debrief, arrow: str = "->") -> Text:
    """One officer's line in the demo summary: outcome, overall score, agitation."""
    overall = report.dimensions["overall"]
    return Text.assemble(
        f"  {label} officer: ",
        (report.outcome.label, OUTCOME_STYLE[report.outcome]),
        ", overall ",
        (str(overall), score_style(overall)),
        ", agitation ",
        agitation(report.start_agitation),
        f" {arrow} ",
        agitation(report.final_agitation),
    )


def problem(sentence: str) -> Text:
    """A visitor that lost its model, said so the officer cannot miss it."""
    return Text(
        f"!! {sentence[0].upper()}{sentence[1:]}.\n"
        "!! The visitor now speaks the persona's scripted lines, not the model's. "
        "Run with -v for details.",
        style="bold red",
    )


def debrief(report: Debrief, arrow: str = "->") -> Group:
    """The end-of-session debrief: outcome, scores per criterion, what worked, what to try."""
    replies = f"repl{'y' if report.turns == 1 else 'ies'}"
    title = Text.assemble(
        ("Debrief - ", "bold"),
        (report.persona_name, "bold"),
        ": ",
        (report.outcome.label, OUTCOME_STYLE[report.outcome]),
        f" after {report.turns} {replies} (agitation ",
        agitation(report.start_agitation),
        f" {arrow} ",
        agitation(report.final_agitation),
        ")",
    )
    if not report.turns:
        return Group(title, Text("No replies were scored."))
    parts: list[RenderableType] = [
        title,
        Text.assemble("Scores: ", _scores(report.dimensions)),
        Hanging([(CRITERION_LABELS[c], _number(report.criteria[c])) for c in CRITERIA]),
    ]
    if report.strategy_line():
        parts.append(Text(report.strategy_line()))
    if report.worked:
        parts.append(Text("What worked:", style="bold"))
        parts.append(Hanging([(Text("+", style="green"), Text(w)) for w in report.worked]))
    if report.to_improve:
        parts.append(Text("What to work on:", style="bold"))
        parts.append(Hanging([(Text("-", style="red"), Text(w)) for w in report.to_improve]))
    quotes: list[tuple[str | Text, Text]] = []
    if report.best:
        best = report.best
        quotes.append((f"Best reply ({best.score.overall}):", _quoted(best.officer_text)))
    if report.worst and report.worst is not report.best:
        # A lone reply is neither anyone's best nor their weakest: it is just theirs.
        label = "Your reply" if report.turns == 1 else "Weakest reply"
        quotes.append(
            (f"{label} ({report.worst.score.overall}):", _quoted(report.worst.officer_text))
        )
    if report.try_instead:
        quotes.append((Text("Try instead:", style="bold cyan"), _quoted(report.try_instead)))
    if quotes:
        parts.append(Hanging(quotes, indent=0))
    if report.focus:  # a drill: the one criterion it practised
        parts.append(
            Text.assemble(
                (f"Drill score on {CRITERION_LABELS[report.focus]}: ", "bold"),
                _number(report.criteria[report.focus]),
            )
        )
    return Group(*parts)


def _number(value: int | None) -> Text:
    if value is None:
        return Text(f"{shown(value):>3}  (not called for in this session)", style="dim")
    return Text(f"{value:>3}", style=score_style(value))


def _quoted(words: str) -> Text:
    return Text(f'"{for_terminal(words)}"')
