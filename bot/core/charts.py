"""PNG charts of progress and leaderboards, sized for a Discord embed (800 x 450)."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
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
