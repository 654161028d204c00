"""The trainer digest: one team's period at a glance.

Who practised (and who did not), who improved (their practices' mean overall against the period
before), and the criteria the team is weakest on, so a trainer knows what to run next week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.scores import CRITERIA, CRITERION_LABELS

PERIOD_WORDS = {"week": "the last 7 days", "month": "the last 30 days"}
WEAK_SHOWN = 3


@dataclass(frozen=True)
class OfficerActivity:
    """One team member over the period."""

    officer_id: str
    name: str
    practices: int
    drills: int
    rewinds: int
    overall: float | None  # mean overall of their practices in the period
    previous: float | None  # the same over the period before
    weakest: str | None  # their lowest criterion in the period

    @property
    def practised(self) -> bool:
        """Whether they did any practice, drill or rewind in the period."""
        return bool(self.practices or self.drills or self.rewinds)

    @property
    def change(self) -> float | None:
        """Points gained on the period before (None without practices in both)."""
        if self.overall is None or self.previous is None:
            return None
        return round(self.overall - self.previous, 1)


@dataclass(frozen=True)
class TeamDigest:
    """A team's period for its trainer."""

    team: str
    period: str
    since: float
    until: float
    officers: tuple[OfficerActivity, ...]
    weak_criteria: tuple[tuple[str, float, int], ...]  # criterion, team mean, officers weakest
    overrides: int  # trainer score overrides on the team's sessions in the period

    @property
    def practised(self) -> list[OfficerActivity]:
        """Members who practised, most sessions first."""
        active = [o for o in self.officers if o.practised]
        return sorted(active, key=lambda o: (-(o.practices + o.drills + o.rewinds), o.name))

    @property
    def idle(self) -> list[OfficerActivity]:
        """Members who did not practise at all."""
        return [o for o in self.officers if not o.practised]

    @property
    def improved(self) -> list[OfficerActivity]:
        """Members whose practices scored higher than in the period before, most gained first."""
        up = [o for o in self.officers if (o.change or 0) > 0]
        return sorted(up, key=lambda o: (-(o.change or 0), o.name))

    def title(self) -> str:
        """"Team Night shift - the last 7 days (to 12 Jan)"."""
        until = dt.datetime.fromtimestamp(self.until, dt.UTC).strftime("%d %b")
        return f"Team {self.team} - {PERIOD_WORDS.get(self.period, self.period)} (to {until})"

    def sections(self) -> list[tuple[str, list[str]]]:
        """The digest as (heading, lines) pairs, for any adapter to lay out."""
        practised = [
            f"{o.name}: {o.practices} practice(s), {o.drills} drill(s), {o.rewinds} what-if(s)"
            + (f", overall {o.overall:.0f}" if o.overall is not None else "")
            for o in self.practised
        ]
        idle = [", ".join(o.name for o in self.idle)] if self.idle else []
        improved = [
            f"{o.name}: {o.previous:.0f} -> {o.overall:.0f} (+{o.change})" for o in self.improved
        ]
        weak = [
            f"{CRITERION_LABELS[c]}: team mean {mean:.0f}"
            + (f", weakest for {n} officer(s)" if n else "")
            for c, mean, n in self.weak_criteria
        ]
        out = [
            ("Practised", practised or ["Nobody practised."]),
            ("Did not practise", idle or ["Everyone practised."]),
            ("Improved on the period before",
             improved or ["No one yet (it takes practices in both periods)."]),
            ("Weakest criteria", weak or ["No scored replies in this period."]),
        ]
        if self.overrides:
            out.append(("Trainer overrides", [f"{self.overrides} score(s) changed by trainers"]))
        return out

    def as_text(self) -> str:
        """The digest as plain text."""
        lines = [self.title()]
        for heading, items in self.sections():
            lines.append(f"{heading}:")
            lines += [f"  - {item}" for item in items]
        return "\n".join(lines)


def build_digest(
    team: str,
    period: str,
    since: float,
    until: float,
    members: Sequence[tuple[str, str]],
    current: Mapping[str, Mapping[str, Any]],
    previous: Mapping[str, Mapping[str, Any]],
    overrides: int,
) -> TeamDigest:
    """A digest from the members (id, name) and their activity now and in the period before."""
    officers = []
    for officer_id, name in members:
        now, before = current.get(officer_id, {}), previous.get(officer_id, {})
        kinds = now.get("kinds", {})
        levels = now.get("criteria", {})
        officers.append(
            OfficerActivity(
                officer_id, name, kinds.get("practice", 0), kinds.get("drill", 0),
                kinds.get("rewind", 0), now.get("overall"), before.get("overall"),
                min(levels, key=lambda c: levels[c]) if levels else None,
            )
        )  # fmt: skip
    sums: dict[str, list[float]] = {c: [] for c in CRITERIA}
    for activity in current.values():
        for c, value in activity.get("criteria", {}).items():
            sums[c].append(value)
    means = {c: sum(v) / len(v) for c, v in sums.items() if v}
    weakest_counts = {c: sum(o.weakest == c for o in officers) for c in CRITERIA}
    ranked = sorted(means, key=lambda c: (means[c], -weakest_counts[c]))[:WEAK_SHOWN]
    weak = tuple((c, round(means[c], 1), weakest_counts[c]) for c in ranked)
    return TeamDigest(team, period, since, until, tuple(officers), weak, overrides)
