"""Incident reports: checked for their six parts and against what the transcript shows."""

from __future__ import annotations

import csv
import io

import pytest

from bot.core.catalogue import PersonaCatalogue
from bot.core.persona import Persona
from bot.core.practice import PracticeRoom
from bot.core.report import FindingKind, ReportRefused, file_report
from bot.core.store import Store
from bot.model.scripted import ScriptedVisitor
from tests.conftest import FakeRubric

GOOD = "I can see how stressful this is, I'm sorry. Let me help you find it - can I ask?"
POOR = "Calm down. Rules are rules."
OFFICER = "cli:alice"
# The test persona: Dana, whose car was towed; "Multi-storey car park office, 6 p.m."
WELL_WRITTEN = (
    "At about 18:05 in the multi-storey car park office, Dana, a driver whose car had been towed "
    "from the loading bay, came in shouting that her car was gone. I listened, apologised and "
    "asked where she had parked. I explained what had happened to the car and offered to help "
    "her get it back tonight. She calmed down and agreed to go to the pound."
)


@pytest.fixture
def setup(persona: Persona) -> tuple[Store, PersonaCatalogue, PracticeRoom]:
    store = Store.memory()
    catalogue = PersonaCatalogue([persona], store)
    yield store, catalogue, PracticeRoom(catalogue, ScriptedVisitor(), FakeRubric(), store)
    store.close()


def session_with(room: PracticeRoom, persona: Persona, replies: list[str]) -> str:
    session = room.start(OFFICER, persona.id)
    for text in replies:
        if not session.finished:
            room.reply(OFFICER, text)
    if not session.finished:
        room.end(OFFICER)
    return session.id


def test_a_complete_consistent_report_has_nothing_to_fix(setup, persona: Persona) -> None:  # noqa: ANN001
    store, catalogue, room = setup
    sid = session_with(room, persona, [GOOD, GOOD + " It's at the pound."])
    check = file_report(store, catalogue, sid, WELL_WRITTEN, OFFICER)
    assert check.findings == () and check.complete and check.consistent
    assert check.verdict.startswith("Complete and consistent")
    assert store.report(sid).text == WELL_WRITTEN


def test_missing_parts_are_named_with_what_to_write(setup, persona: Persona) -> None:  # noqa: ANN001
    store, catalogue, room = setup
    sid = session_with(room, persona, [GOOD])
    text = "She was upset about something. Sorted now."
    check = file_report(store, catalogue, sid, text, OFFICER)
    missing = {f.part: f.message for f in check.findings if f.kind is FindingKind.MISSING}
    assert set(missing) == {"what happened", "time", "place", "your actions"}
    assert "at least 25" in missing["what happened"]
    assert "Multi-storey car park office" in missing["place"]  # the scene's own words
    assert "no account of your own actions" in missing["your actions"]
    assert not check.complete and check.consistent


def test_claims_the_transcript_contradicts_are_quoted(setup, persona: Persona) -> None:  # noqa: ANN001
    store, catalogue, room = setup
    sid = session_with(room, persona, [POOR])  # the visitor escalates at once
    report = (
        "At 14:00 in the car park office Dana, the driver, was upset because her car had been "
        "towed. I stayed calm throughout, I explained the parking rules and I called the towing "
        "company for her. In the end she calmed down and went to the pound."
    )
    check = file_report(store, catalogue, sid, report, OFFICER)
    found = {(f.kind, f.part): f.message for f in check.findings}
    assert found[(FindingKind.CONTRADICTED, "time")].startswith(
        "The scene was at about 18:00 (Multi-storey car park office, 6 p.m.); your report says "
        "14:00"
    )
    outcome = found[(FindingKind.CONTRADICTED, "outcome")]
    assert "'calmed down'" in outcome and "ended escalated" in outcome and "10/10" in outcome
    actions = [f.message for f in check.findings if f.part == "your actions"]
    assert any("'I stayed calm'" in m and f'reply 1 was not: "{POOR}"' in m for m in actions)
    assert any("'I explained'" in m and "none of your replies gave a reason" in m for m in actions)
    assert any(
        f.kind is FindingKind.UNSUPPORTED and "'I called the towing company" in f.message
        for f in check.findings
    )
    assert check.complete and not check.consistent


def test_a_negated_claim_is_not_a_contradiction(setup, persona: Persona) -> None:  # noqa: ANN001
    store, catalogue, room = setup
    sid = session_with(room, persona, ["Okay.", POOR])
    report = WELL_WRITTEN.replace(
        "She calmed down and agreed to go to the pound.",
        "She did not calm down; she escalated and left shouting.",
    ).replace("I explained what had happened to the car and offered to help her get it back "
              "tonight.", "I asked her to wait.")  # fmt: skip
    check = file_report(store, catalogue, sid, report, OFFICER)
    assert [f for f in check.findings if f.part == "outcome"] == []


def test_reports_are_refused_for_others_and_running_practices(
    setup, persona: Persona  # noqa: ANN001
) -> None:
    store, catalogue, room = setup
    sid = session_with(room, persona, [GOOD])
    with pytest.raises(ReportRefused, match="your own practices"):
        file_report(store, catalogue, sid, WELL_WRITTEN, "cli:bob")
    with pytest.raises(ReportRefused, match="empty"):
        file_report(store, catalogue, sid, "   ", OFFICER)
    running = room.start(OFFICER, persona.id)
    with pytest.raises(ReportRefused, match="still running"):
        file_report(store, catalogue, running.id, WELL_WRITTEN, OFFICER)


def test_the_report_is_stored_once_and_exported_with_its_session(
    setup, persona: Persona  # noqa: ANN001
) -> None:
    store, catalogue, room = setup
    sid = session_with(room, persona, [GOOD, GOOD])
    file_report(store, catalogue, sid, "Too short.", OFFICER)
    file_report(store, catalogue, sid, WELL_WRITTEN, OFFICER)  # a better draft replaces it
    assert store.report(sid).check.complete
    out = io.StringIO()
    store.export_csv(out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert {r["incident_report"] for r in rows} == {WELL_WRITTEN}
    assert {r["report_verdict"] for r in rows} == {"complete, consistent"}
    data = store.export_officer(OFFICER)
    assert data["sessions"][0]["incident_report"]["text"] == WELL_WRITTEN
