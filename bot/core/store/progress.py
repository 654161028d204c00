"""Progress that shows learning: the most-improved board, team criteria over weeks, digests.

The most-improved metric (also in docs/leaderboard.md):

- Only full practices count (no drills, no "what if?" rewinds), finished, with at least 2
  replies: a practice ended after one reply says little, and would make a cheap low baseline.
- **Recent** = the mean overall of the officer's latest 3 such practices; all 3 must have ended
  in the period. **Baseline** = the mean of the 3 practices just before those, whenever they
  were. So an officer needs 6 of them, 3 in the period.
- **Improvement** = recent - baseline, in points (0-100 scale), one decimal. Only officers who
  improved are listed.
- Ties: the higher recent mean first, then more practices in the period, then officer id.
- Three-session means (not single sessions) keep one lucky or one deliberately poor session
  from deciding it; trainers can see the sessions behind any number in /review.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlite_utils import Database

from bot.core.scores import CRITERIA
from bot.core.store.leaderboard import DAY, since_for
from bot.core.store.records import ImprovedRow, Leaderboard, WeekPoint

WINDOW = 3  # practices in the recent and in the baseline mean
MIN_REPLIES = 2
WEEK = 7 * DAY
_COUNTED = (
    f"status != 'in_progress' AND turn_count >= {MIN_REPLIES} AND kind = 'practice'"
)


def most_improved(
    db: Database, period: str, team_id: int | None, limit: int, now: float
) -> Leaderboard:
    """Officers ranked by how much their latest 3 practices beat the 3 before them."""
    since = since_for(period, now)
    params: dict[str, Any] = {"since": since if since is not None else float("-inf"),
                              "window": WINDOW, "limit": limit}  # fmt: skip
    team = ""
    if team_id is not None:
        team = "AND officer_id IN (SELECT officer_id FROM memberships WHERE team_id = :team)"
        params["team"] = team_id
    sql = f"""
        WITH eligible AS (
            SELECT officer_id FROM sessions
            WHERE {_COUNTED} AND ended_at >= :since {team}
            GROUP BY officer_id HAVING count(*) >= :window
        ), ranked AS (
            SELECT officer_id, overall, ended_at,
                   row_number() OVER (PARTITION BY officer_id ORDER BY ended_at DESC, id DESC)
                       AS rn,
                   sum(ended_at >= :since) OVER (PARTITION BY officer_id) AS in_period
            FROM sessions
            WHERE {_COUNTED} AND officer_id IN (SELECT officer_id FROM eligible)
        )
        SELECT r.officer_id, o.display_name,
               avg(CASE WHEN rn <= :window THEN overall END) AS recent,
               avg(CASE WHEN rn > :window AND rn <= 2 * :window THEN overall END) AS baseline,
               count(*) AS total, max(in_period) AS in_period
        FROM ranked r JOIN officers o ON o.id = r.officer_id
        GROUP BY r.officer_id HAVING total >= 2 * :window
    """
    rows = []
    for r in db.query(sql, params):
        gain = round(r["recent"] - r["baseline"], 1)
        if gain > 0:
            rows.append((r, gain))
    rows.sort(key=lambda x: (-x[1], -x[0]["recent"], -x[0]["in_period"], x[0]["officer_id"]))
    board = [
        ImprovedRow(rank, r["officer_id"], r["display_name"], gain, round(r["recent"], 1),
                    round(r["baseline"], 1), r["in_period"])  # fmt: skip
        for rank, (r, gain) in enumerate(rows[:limit], start=1)
    ]
    return Leaderboard(period, since, board)


def team_weeks(db: Database, team_id: int, weeks: int, now: float) -> list[WeekPoint]:
    """A team's criteria means and strategy shares per week (practices and drills), oldest
    first; weeks without replies are left out."""
    start = now - weeks * WEEK
    criteria = ", ".join(f"avg(t.{c}) AS {c}" for c in CRITERIA)
    sql = f"""
        SELECT CAST((s.ended_at - :start) / :week AS INTEGER) AS week,
               count(DISTINCT s.id) AS sessions, count(DISTINCT s.officer_id) AS officers,
               count(t.id) AS replies, {criteria},
               sum(t.strategy = 'cooperative') AS cooperative,
               sum(t.strategy = 'competitive') AS competitive,
               sum(t.strategy = 'mixed') AS mixed, sum(t.strategy = 'neutral') AS neutral
        FROM sessions s JOIN turns t ON t.session_id = s.id
        WHERE s.status != 'in_progress' AND s.kind IN ('practice', 'drill')
          AND s.ended_at >= :start AND s.ended_at < :now
          AND s.officer_id IN (SELECT officer_id FROM memberships WHERE team_id = :team)
        GROUP BY week ORDER BY week
    """
    points = []
    for r in db.query(sql, {"start": start, "week": WEEK, "now": now, "team": team_id}):
        week_start = start + r["week"] * WEEK
        label = dt.datetime.fromtimestamp(week_start, dt.UTC).strftime("%d %b")
        points.append(
            WeekPoint(
                label=label,
                start=week_start,
                sessions=r["sessions"],
                officers=r["officers"],
                criteria={c: round(r[c], 1) for c in CRITERIA if r[c] is not None},
                strategy={k: r[k] or 0 for k in ("cooperative", "competitive", "mixed",
                                                 "neutral")},  # fmt: skip
            )
        )
    return points


def officer_period(
    db: Database, officer_ids: list[str], since: float, until: float
) -> dict[str, dict[str, Any]]:
    """Per officer, in [since, until): sessions per kind, mean overall of their practices, and
    their mean per criterion over practice and drill replies."""
    out: dict[str, dict[str, Any]] = {o: {"kinds": {}, "overall": None, "criteria": {}}
                                      for o in officer_ids}  # fmt: skip
    if not officer_ids:
        return out
    marks = ", ".join("?" for _ in officer_ids)
    window = (
        "s.status != 'in_progress' AND s.turn_count > 0 AND s.ended_at >= ? AND s.ended_at < ?"
    )
    for officer, kind, count, overall in db.execute(
        f"SELECT officer_id, kind, count(*), avg(overall) FROM sessions s "
        f"WHERE officer_id IN ({marks}) AND {window} GROUP BY officer_id, kind",
        [*officer_ids, since, until],
    ):
        out[officer]["kinds"][kind] = count
        if kind == "practice":
            out[officer]["overall"] = overall
    criteria = ", ".join(f"avg(t.{c})" for c in CRITERIA)
    for row in db.execute(
        f"SELECT s.officer_id, {criteria} FROM sessions s JOIN turns t ON t.session_id = s.id "
        f"WHERE s.officer_id IN ({marks}) AND s.kind IN ('practice', 'drill') AND {window} "
        "GROUP BY s.officer_id",
        [*officer_ids, since, until],
    ):
        out[row[0]]["criteria"] = {
            c: round(v, 1) for c, v in zip(CRITERIA, row[1:], strict=True) if v is not None
        }
    return out
