"""Individual and team leaderboards.

The metric (also in docs/leaderboard.md):

- Only *scored* sessions count: finished (any outcome) with at least one officer turn. A session's
  score is the mean `overall` rubric score (0-100) of its turns.
- Period: `week` = the last 7 days, `month` = the last 30 days, `all` = everything, measured back
  from `now` and by when the session ended. Rolling windows mean the board never empties out on a
  Monday morning.
- **Officer score** = mean of the officer's best 5 session scores in the period, rounded to one
  decimal. Best-of-5 rewards getting good without punishing practice: trying a hard persona and
  failing never lowers a score that is already built on 5 good sessions.
- **Qualifying**: at least 3 scored sessions in the period, so one lucky session cannot top it.
- **Ties** (same rounded score): more scored sessions in the period first, then whoever reached
  the score earlier (earlier last session), then officer id, so the order is always stable.
- **Team score** = mean of the officer scores of its qualifying members; a team needs at least 2
  qualifying members to appear. Averaging (rather than summing) keeps small and large teams
  comparable. Ties: more qualifying members, then more sessions, then team name.
- Shown alongside, not ranked on: resolution rate (resolved / scored sessions in the period),
  the current run of resolved sessions, and consecutive UTC days practised.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from bot.core.store.errors import StoreError
from bot.core.store.history import day_streak, resolved_streak
from bot.core.store.records import Leaderboard, LeaderboardRow, TeamLeaderboardRow

BEST_OF = 5
MIN_SESSIONS = 3
MIN_TEAM_MEMBERS = 2
PERIOD_DAYS: dict[str, int | None] = {"week": 7, "month": 30, "all": None}
DAY = 86400.0


class UnknownPeriod(StoreError, ValueError):
    """A period other than week, month or all."""


def since_for(period: str, now: float) -> float | None:
    """Start of a rolling period ending now (None for all time)."""
    if period not in PERIOD_DAYS:
        raise UnknownPeriod(f"Unknown period '{period}'. Use one of: {', '.join(PERIOD_DAYS)}.")
    days = PERIOD_DAYS[period]
    return None if days is None else now - days * DAY


@dataclass(frozen=True)
class _OfficerScore:
    officer_id: str
    display_name: str
    score: float
    sessions: int
    resolved: int
    last_at: float

    @property
    def order(self) -> tuple[float, int, float, str]:
        return (-self.score, -self.sessions, self.last_at, self.officer_id)


def _officer_scores(
    db: Database, since: float | None, team_id: int | None, limit: int | None
) -> list[_OfficerScore]:
    where = ["status != 'in_progress'", "turn_count > 0", "kind = 'practice'"]
    params: dict[str, Any] = {"best": BEST_OF, "min": MIN_SESSIONS, "limit": limit or -1}
    if since is not None:
        where.append("ended_at >= :since")
        params["since"] = since
    if team_id is not None:
        where.append("officer_id IN (SELECT officer_id FROM memberships WHERE team_id = :team)")
        params["team"] = team_id
    scored = " AND ".join(where)
    # Counts come from one pass over the scored-by-officer index; each qualifying officer's best 5
    # are then read off the same index in score order (cheaper than ranking every session).
    sql = f"""
        WITH agg AS (
            SELECT officer_id, count(*) AS sessions, sum(status = 'resolved') AS resolved,
                   max(ended_at) AS last_at
            FROM sessions WHERE {scored}
            GROUP BY officer_id HAVING count(*) >= :min
        )
        SELECT agg.*, o.display_name,
               (SELECT round(avg(overall), 1) FROM (
                    SELECT overall FROM sessions
                    WHERE officer_id = agg.officer_id AND {scored}
                    ORDER BY overall DESC LIMIT :best)) AS score
        FROM agg JOIN officers o ON o.id = agg.officer_id
        ORDER BY score DESC, sessions DESC, last_at ASC, officer_id ASC
        LIMIT :limit
    """
    return [
        _OfficerScore(
            r["officer_id"], r["display_name"], r["score"], r["sessions"], r["resolved"],
            r["last_at"],
        )
        for r in db.query(sql, params)
    ]


def individual_leaderboard(
    db: Database, period: str, team_id: int | None, limit: int, now: float
) -> Leaderboard:
    """The top officers of a period (optionally one team's members), ranked by the metric."""
    since = since_for(period, now)
    rows = [
        LeaderboardRow(
            rank=rank,
            officer_id=s.officer_id,
            display_name=s.display_name,
            score=s.score,
            sessions=s.sessions,
            resolved=s.resolved,
            last_session_at=s.last_at,
            resolved_streak=resolved_streak(db, s.officer_id),
            day_streak=day_streak(db, s.officer_id, now),
        )
        for rank, s in enumerate(_officer_scores(db, since, team_id, limit), start=1)
    ]
    return Leaderboard(period, since, rows)


def team_leaderboard(db: Database, period: str, limit: int, now: float) -> Leaderboard:
    """Teams ranked by the mean score of their qualifying members."""
    since = since_for(period, now)
    scores = {s.officer_id: s for s in _officer_scores(db, since, None, None)}
    members: dict[str, list[str]] = defaultdict(list)
    for name, officer_id in db.execute(
        "SELECT t.name, m.officer_id FROM teams t JOIN memberships m ON m.team_id = t.id"
    ):
        members[name].append(officer_id)
    ranked = []
    for name, officer_ids in members.items():
        qualifying = sorted((scores[o] for o in officer_ids if o in scores), key=lambda s: s.order)
        if len(qualifying) < MIN_TEAM_MEMBERS:
            continue
        score = round(sum(s.score for s in qualifying) / len(qualifying), 1)
        ranked.append(
            (
                (-score, -len(qualifying), -sum(s.sessions for s in qualifying), name.lower()),
                name,
                score,
                qualifying,
                len(officer_ids),
            )
        )
    ranked.sort(key=lambda item: item[0])
    rows = [
        TeamLeaderboardRow(
            rank=rank,
            team=name,
            score=score,
            qualifying_members=len(qualifying),
            members=size,
            sessions=sum(s.sessions for s in qualifying),
            resolved=sum(s.resolved for s in qualifying),
            top_officer=qualifying[0].display_name,
        )
        for rank, (_, name, score, qualifying, size) in enumerate(ranked[:limit], start=1)
    ]
    return Leaderboard(period, since, rows)
