"""Progress that shows learning in a terminal: criteria and strategy over time, a team's weeks,
the most-improved board, and the trainer digest."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.scores import CRITERIA, CRITERION_LABELS
from bot.core.strategy import describe_shares

if TYPE_CHECKING:
    from bot.core.store import Leaderboard, Progress, Store, WeekPoint

def print_learning(progress: Progress, chart: Path | None = None) -> None:
    """Per criterion: the first 3 sessions against the latest 3; the strategy shares."""
    from bot.cli_stats import table, write_chart

    trend = progress.criterion_trend()
    if not trend:
        return
    print()
    rows = [
        (CRITERION_LABELS[c], first, latest, f"{latest - first:+.1f}")
        for c, (first, latest) in trend.items()
    ]
    size = progress.trend_window()
    print(table(("Criterion", f"First {size}", f"Latest {size}", "Change"), rows))
    print(f"\nStrategy, all sessions:    {describe_shares(progress.strategy_share())}")
    print(f"Strategy, latest 5:        {describe_shares(progress.strategy_share(last=5))}")
    if chart:
        from bot.core.charts import learning_chart

        first = len(progress.points) - min(len(progress.points), 30) + 1
        labels = [str(first + i) for i in range(min(len(progress.points), 30))]
        points = progress.points[-30:]
        title = f"{progress.display_name} - criteria and strategy"
        write_chart(chart, learning_chart(labels, [p.criteria for p in points],
                                          [p.shares() for p in points], title))  # fmt: skip


def print_team_weeks(store: Store, team: str, weeks: int, chart: Path | None) -> int:
    """A team's criteria means and strategy shares, week by week."""
    from bot.cli_stats import table, write_chart

    points: list[WeekPoint] = store.team_weeks(team, weeks)
    print(f"Team {team} - the last {weeks} weeks (practices and drills)")
    if not points:
        print("No scored replies in these weeks yet.")
        return 1
    short = [c.split("_")[0][:7] for c in CRITERIA]
    rows = [
        (p.label, p.officers, p.sessions,
         *[p.criteria.get(c, "-") for c in CRITERIA],
         f"{p.shares().get('cooperative', 0):.0%}", f"{p.shares().get('competitive', 0):.0%}")
        for p in points
    ]  # fmt: skip
    print(table(("Week", "Officers", "Sessions", *short, "Coop", "Comp"), rows))
    if chart:
        from bot.core.charts import learning_chart

        title = f"Team {team} - criteria and strategy by week"
        png = learning_chart([p.label for p in points], [p.criteria for p in points],
                             [p.shares() for p in points], title)  # fmt: skip
        write_chart(chart, png)
    return 0


def print_improved(board: Leaderboard, title: str) -> None:
    """The most-improved board."""
    from bot.cli_stats import table

    print(f"Most improved - {title}")
    if not board.rows:
        print("Nobody qualifies yet: 6 practices of 2+ replies, the latest 3 in this period.")
    else:
        print(table(("#", "Officer", "Gain", "Latest 3", "3 before", "In period"),
                    [(r.rank, r.display_name, f"+{r.improvement}", r.recent, r.baseline,
                      r.sessions) for r in board.rows]))  # fmt: skip
    print("\nGain: mean overall of the latest 3 practices minus the 3 before them (2+ replies "
          "each; drills and what-ifs do not count). See docs/leaderboard.md.")  # fmt: skip


def cmd_digest(args: argparse.Namespace, store: Store) -> int:
    """A team's period for its trainer: who practised, who improved, the weakest criteria."""
    print(store.team_digest(args.team, args.period).as_text())
    return 0


def add_digest_parser(add: Callable[..., argparse.ArgumentParser]) -> None:
    """Register `digest` (with the stats commands' store handling)."""
    p = add("digest", cmd_digest, "trainers: a team's week or month at a glance")
    p.add_argument("--team", required=True, help="the team")
    p.add_argument("--period", choices=("week", "month"), default="week")
