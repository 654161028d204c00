"""PNG charts of progress and leaderboards, sized for a Discord embed (800 x 450)."""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

# Figure + the Agg canvas directly: no pyplot, so no global figure state and no GUI backend,
# which keeps it safe to call from worker threads in the bot.
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from bot.core.rewind import BranchComparison
    from bot.core.store.records import Progress

log = logging.getLogger(__name__)

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.5, 100
MAX_POINTS = 30  # more sessions than this and the markers turn into a smear at embed size
# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
DIMENSION_STYLE = {
    "empathy": ("#E69F00", "o"),
    "calmness": ("#56B4E9", "s"),
    "resolution": ("#009E73", "^"),
    "overall": ("#000000", "D"),
}
BAR_COLOUR, BAR_HIGHLIGHT = "#56B4E9", "#0072B2"
FONT = {"title": 17, "label": 14, "tick": 12, "legend": 12, "note": 15}


def _figure() -> Figure:
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def _empty(title: str, message: str) -> bytes:
    fig = _figure()
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(title, fontsize=FONT["title"], fontweight="bold")
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=FONT["note"], color="#444444")
    return _png(fig)


def progress_chart(progress: Progress, title: str) -> bytes:
    """PNG of an officer's empathy, calmness, resolution and overall over their latest sessions."""
    points = progress.points[-MAX_POINTS:]
    if not points:
        return _empty(title, "No finished practice sessions yet.\nFinish one to see progress.")
    first = len(progress.points) - len(points) + 1
    xs = list(range(first, first + len(points)))
    fig = _figure()
    ax = fig.add_subplot()
    for dim, (colour, marker) in DIMENSION_STYLE.items():
        ys = [p.scores[dim] for p in points]
        ax.plot(
            xs,
            ys,
            color=colour,
            marker=marker,
            markersize=7,
            linewidth=3.2 if dim == "overall" else 2.2,
            label=dim.capitalize(),
            zorder=3 if dim == "overall" else 2,
        )
    ax.set_ylim(0, 100)
    ax.set_yticks(range(0, 101, 20))
    ax.set_xlim(xs[0] - 0.5, xs[-1] + 0.5)
    if len(xs) <= 15:
        ax.set_xticks(xs)
    ax.set_xlabel("Session", fontsize=FONT["label"])
    ax.set_ylabel("Score (0-100)", fontsize=FONT["label"])
    ax.tick_params(labelsize=FONT["tick"])
    ax.grid(True, axis="y", alpha=0.35)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title, fontsize=FONT["title"], fontweight="bold", loc="left")
    ax.legend(
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=FONT["legend"],
        frameon=False,
    )
    fig.tight_layout()
    return _png(fig)


def _label(row: Any) -> str:
    name = getattr(row, "team", None) or getattr(row, "display_name", None) or str(row)
    return name if len(name) <= 22 else name[:21] + "…"


def team_chart(team_rows: Sequence[Any], title: str) -> bytes:
    """PNG bar chart of leaderboard rows (team rows, or officer rows), best at the top."""
    rows = list(team_rows)[:12]
    if not rows:
        return _empty(title, "Nobody qualifies for this period yet.")
    fig = _figure()
    ax = fig.add_subplot()
    labels = [_label(r) for r in rows]
    scores = [float(r.score) for r in rows]
    ys = list(range(len(rows)))
    colours = [BAR_HIGHLIGHT if i == 0 else BAR_COLOUR for i in ys]
    bars = ax.barh(ys, scores, color=colours, height=0.65)
    ax.set_yticks(ys, labels)
    ax.invert_yaxis()  # rank 1 at the top, as on the text leaderboard
    ax.set_xlim(0, 100)
    ax.set_xlabel("Score (0-100)", fontsize=FONT["label"])
    ax.tick_params(labelsize=FONT["tick"])
    ax.bar_label(bars, labels=[f"{s:.1f}" for s in scores], padding=4, fontsize=FONT["tick"])
    ax.grid(True, axis="x", alpha=0.35)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title, fontsize=FONT["title"], fontweight="bold", loc="left")
    fig.tight_layout()
    return _png(fig)


PATH_STYLE = {"as played": ("#D55E00", "o", "--"), "what if": ("#0072B2", "s", "-")}


def branch_chart(comparison: BranchComparison, title: str) -> bytes:
    """PNG of the visitor's agitation on the original path and on the "what if?" path.

    Both lines share the turns before the branch point; each reply from there on is marked with
    its overall score, so the officer sees which words moved the visitor which way.
    """
    fig = _figure()
    ax = fig.add_subplot()
    longest = 0
    for path in (comparison.original, comparison.branch):
        colour, marker, style = PATH_STYLE.get(path.label, ("#000000", "o", "-"))
        xs = list(range(len(path.agitation)))
        longest = max(longest, len(xs))
        label = f"{path.label}: {path.outcome.label.split(' - ')[0]}, overall {path.overall}"
        ax.plot(xs, path.agitation, color=colour, marker=marker, linestyle=style,
                linewidth=2.6, markersize=7, label=label)  # fmt: skip
        for turn in path.turns:
            ax.annotate(
                str(turn.score.overall), (turn.number, turn.agitation_after),
                textcoords="offset points", xytext=(0, 9), ha="center", color=colour,
                fontsize=FONT["tick"],
            )  # fmt: skip
    branch_x = comparison.branch_turn - 1
    ax.axvline(branch_x, color="#777777", linewidth=1.2, linestyle=":")
    ax.text(branch_x, 10.3, f" reply {comparison.branch_turn}: what if?", color="#444444",
            fontsize=FONT["tick"], va="bottom")  # fmt: skip
    ax.axhspan(7, 10.5, color="#D55E00", alpha=0.06)
    ax.axhspan(-0.5, 2, color="#009E73", alpha=0.08)
    ax.set_ylim(-0.5, 11.5)
    ax.set_yticks(range(0, 11, 2))
    ax.set_xlim(-0.4, max(1, longest - 1) + 0.4)
    ax.set_xticks(range(longest))
    ax.set_xlabel("Reply (0 = start)", fontsize=FONT["label"])
    ax.set_ylabel("Visitor agitation (0-10)", fontsize=FONT["label"])
    ax.tick_params(labelsize=FONT["tick"])
    ax.grid(True, axis="y", alpha=0.35)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title, fontsize=FONT["title"], fontweight="bold", loc="left")
    ax.legend(loc="lower left", fontsize=FONT["legend"], frameon=False)
    fig.tight_layout()
    return _png(fig)


STRATEGY_STYLE = {  # bottom to top
    "cooperative": "#009E73", "mixed": "#F0E442", "neutral": "#BBBBBB", "competitive": "#D55E00",
}  # fmt: skip
CRITERION_MARKERS = ("o", "s", "^")


def learning_chart(
    labels: Sequence[str],
    criteria: Sequence[Mapping[str, float]],
    shares: Sequence[Mapping[str, float]],
    title: str,
) -> bytes:
    """PNG of criterion scores over time (one panel per dimension) and the share of cooperative
    and competitive replies, for an officer's sessions or a team's weeks (800 x 600)."""
    from bot.core.scores import CRITERION_LABELS, DIMENSION_CRITERIA

    labels, criteria, shares = labels[-MAX_POINTS:], criteria[-MAX_POINTS:], shares[-MAX_POINTS:]
    fig = Figure(figsize=(WIDTH_IN, 6.0), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    if not labels:
        return _empty(title, "No scored replies yet.")
    axes = fig.subplots(2, 2, sharex=True)
    xs = list(range(len(labels)))
    panels = list(DIMENSION_CRITERIA.items())
    for ax, (dimension, names) in zip(axes.flat[:3], panels, strict=True):
        colour = DIMENSION_STYLE[dimension][0]
        for name, marker in zip(names, CRITERION_MARKERS, strict=True):
            ys = [point.get(name) for point in criteria]
            ax.plot(xs, [float("nan") if y is None else y for y in ys], marker=marker,
                    color=colour, alpha=0.55 + 0.15 * CRITERION_MARKERS.index(marker),
                    linewidth=2, markersize=5, label=CRITERION_LABELS[name])  # fmt: skip
        ax.set_title(dimension.capitalize(), fontsize=FONT["tick"] + 1, loc="left")
        ax.set_ylim(0, 100)
        ax.set_yticks(range(0, 101, 25))
        ax.legend(fontsize=8, loc="best", frameon=True, framealpha=0.85, edgecolor="none")
    ax = axes.flat[3]
    bottom = [0.0] * len(xs)
    for label, colour in STRATEGY_STYLE.items():
        heights = [100 * share.get(label, 0.0) for share in shares]
        ax.bar(xs, heights, bottom=bottom, color=colour, width=0.8, label=label)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.set_title("Replies by strategy (%)", fontsize=FONT["tick"] + 1, loc="left", pad=18)
    ax.set_ylim(0, 100)
    ax.legend(fontsize=8, loc="lower left", bbox_to_anchor=(0.0, 1.0), frameon=False, ncol=4,
              handlelength=1.0, columnspacing=0.8, borderaxespad=0.1)  # fmt: skip
    step = max(1, len(xs) // 8)
    for ax in axes.flat:
        ax.set_xticks(xs[::step], [labels[i] for i in xs[::step]], fontsize=9)
        ax.grid(True, axis="y", alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=9)
    fig.suptitle(title, fontsize=FONT["title"] - 2, fontweight="bold", x=0.01, ha="left")
    fig.tight_layout()
    return _png(fig)
