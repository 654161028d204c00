"""Incident reports, one per session: the officer's text and the findings of the check."""

from __future__ import annotations

import json

from sqlite_utils import Database

from bot.core.report.findings import Finding, ReportCheck
from bot.core.store.records import StoredReport


def save_report(
    db: Database, session_id: str, officer_id: str, text: str, check: ReportCheck, now: float
) -> None:
    """Store (or replace) a session's report with its findings."""
    db["reports"].insert(
        {
            "session_id": session_id,
            "officer_id": officer_id,
            "text": text,
            "findings": json.dumps([f.to_dict() for f in check.findings]),
            "complete": int(check.complete),
            "consistent": int(check.consistent),
            "written_at": now,
        },
        replace=True,
    )


def load_report(db: Database, session_id: str) -> StoredReport | None:
    """A session's report, or None when the officer has not written one."""
    rows = list(db.query("SELECT * FROM reports WHERE session_id = ?", [session_id]))
    if not rows:
        return None
    row = rows[0]
    findings = tuple(Finding.from_dict(f) for f in json.loads(row["findings"] or "[]"))
    return StoredReport(
        row["session_id"], row["officer_id"], row["text"], ReportCheck(findings),
        row["written_at"],
    )  # fmt: skip
