"""Incident reports: the short report an officer would file, checked against the transcript.

Security training ends an incident with a written record: what happened, when, where, who was
involved, what the officer did, and how it ended. After a practice the officer writes that
report; this module checks it is complete (each part is there) and consistent with what was
actually said (a report that says the visitor calmed down when they escalated, or that the
officer explained the rule when no reply gave a reason, is contradicted by the transcript), and
says specifically what is missing or wrong. It is a checklist reader, not a language model: it
looks for the words a part is written with, so it can miss a part said in unusual words, and it
never invents one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core.catalogue import PersonaCatalogue
from bot.core.persona import Persona
from bot.core.report.findings import (
    MAX_REPORT_CHARS,
    MIN_WORDS,
    PARTS,
    Finding,
    FindingKind,
    ReportCheck,
    ReportContext,
    ReportRefused,
)
from bot.core.report.parts import (
    check_actions,
    check_outcome,
    check_place,
    check_story,
    check_time,
    check_who,
)
from bot.core.session import Outcome

if TYPE_CHECKING:
    from bot.core.practice import StoredSessionLike
    from bot.core.store import Store

__all__ = [
    "MAX_REPORT_CHARS", "MIN_WORDS", "PARTS", "Finding", "FindingKind", "ReportCheck",
    "ReportContext", "ReportRefused", "check_length", "check_report", "context_for", "file_report",
]  # fmt: skip


def check_report(text: str, ctx: ReportContext) -> ReportCheck:
    """Check a report for its six parts and against the transcript; specific findings."""
    report = " ".join(text.split())
    findings: list[Finding] = []
    if len(report.split()) < MIN_WORDS:
        findings.append(Finding(
            FindingKind.MISSING, "what happened",
            f"The report is {len(report.split())} words; a usable one takes at least "
            f"{MIN_WORDS}: what happened, when, where, who, what you did and how it ended.",
        ))  # fmt: skip
    found = []
    checks = (("what happened", check_story), ("time", check_time), ("place", check_place),
              ("who", check_who), ("your actions", check_actions), ("outcome", check_outcome))
    for part, check in checks:  # fmt: skip
        if check(report, ctx, findings):
            found.append(part)
    # The length note and a missing story are one point, said once.
    seen: set[tuple[str, str]] = set()
    unique = []
    for f in findings:
        key = (f.kind.value, f.part) if f.part == "what happened" else (f.kind.value, f.message)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return ReportCheck(tuple(unique), tuple(found))


def check_length(text: str) -> str:
    """The report stripped; ReportRefused when empty or too long."""
    cleaned = text.strip()
    if not cleaned:
        raise ReportRefused("The report is empty. Write what you would file for this incident.")
    if len(cleaned) > MAX_REPORT_CHARS:
        raise ReportRefused(
            f"The report is {len(cleaned):,} characters; keep it under {MAX_REPORT_CHARS:,}."
        )
    return cleaned


def context_for(stored: StoredSessionLike, persona: Persona | None, name: str) -> ReportContext:
    """What a report on this session is checked against (the persona may have been removed)."""
    said = [stored.opening_line, *(t.visitor_reply for t in stored.turns)]
    story = [persona.name, persona.backstory, persona.wants] if persona else [name]
    return ReportContext(
        visitor_name=persona.name if persona else name,
        setting=persona.setting if persona else "",
        outcome=stored.outcome,
        final_agitation=stored.agitation,
        turns=tuple(stored.turns),
        story=" ".join(story + said),
    )


def file_report(
    store: Store,
    catalogue: PersonaCatalogue,
    session_id: str,
    text: str,
    officer_id: str | None = None,
) -> ReportCheck:
    """Check an officer's report on a finished session and store it with the session.

    ReportRefused for someone else's session, a session still running, or an empty or overlong
    report; a new report on the same session replaces the earlier one.
    """
    report = check_length(text)
    stored = store.load_session(session_id)
    if officer_id is not None and stored.officer_id != officer_id:
        raise ReportRefused("You can only file the report for your own practices.")
    if stored.outcome is Outcome.IN_PROGRESS:
        raise ReportRefused("That practice is still running: finish it, then write the report.")
    persona = catalogue.find(stored.persona_id)
    summary = store.session_transcript(session_id).summary
    check = check_report(report, context_for(stored, persona, summary.persona_name))
    store.save_report(session_id, stored.officer_id, report, check)
    return check
