"""Trainer commands: who may use them, persona upload and form, review, export, settings."""

from __future__ import annotations

import pytest

from bot.core.store import Store
from tests.discord import payloads as p
from tests.discord.conftest import GOOD_REPLY, NEUTRAL_REPLY, PERSONA_ID, persona_yaml
from tests.discord.harness import Harness, Upload, UserOption


def last(h: Harness):  # noqa: ANN201 - a Call
    return h.responses()[-1]


@pytest.mark.parametrize(
    "command, options",
    [
        ("persona list", {}),
        ("persona add", {}),
        ("persona disable", {"persona": PERSONA_ID}),
        ("review", {"officer": UserOption(p.OFFICER_ID)}),
        ("export", {}),
        ("settings mode", {"mode": "assessment"}),
        ("team create", {"name": "Night shift"}),
    ],
)
async def test_non_trainers_get_a_private_refusal(
    discord_bot: Harness, store: Store, command: str, options: dict
) -> None:
    h = discord_bot
    await h.slash(command, p.OFFICER_ID, **options)
    refusal = last(h)
    assert refusal.payload["type"] == 4  # answered at once, nothing deferred publicly
    assert refusal.payload["data"]["flags"] == 64
    assert "Only trainers" in refusal.text() and "'Trainer' role" in refusal.text()
    assert store.audit_log() == []
    assert h.bot.catalogue.is_enabled(PERSONA_ID)


async def test_trainer_role_and_administrators_are_trainers(discord_bot: Harness) -> None:
    h = discord_bot
    for user_id in (p.TRAINER_ID, p.ADMIN_ID):
        await h.slash("persona list", user_id)
        answer = last(h)
        assert answer.ephemeral and f"`{PERSONA_ID}`" in answer.text()


async def test_bad_persona_upload_names_file_field_and_fix(discord_bot: Harness) -> None:
    h = discord_bot
    bad = persona_yaml(difficulty="3").encode()
    await h.slash("persona add", p.TRAINER_ID, file=Upload("night_nurse.yaml", bad))
    assert any(c.path == "cdn" for c in h.calls)  # fetched through the recorder
    error = last(h)
    assert error.ephemeral
    assert error.text().startswith("night_nurse.yaml: field 'difficulty'")
    assert "Fix: write a whole number without quotes" in error.text()
    assert h.bot.catalogue.find("night_nurse") is None


async def test_wrong_file_type_and_encoding_are_refused(discord_bot: Harness) -> None:
    h = discord_bot
    await h.slash("persona add", p.TRAINER_ID, file=Upload("persona.txt", b"name: x"))
    assert "upload a .yaml persona file" in last(h).text()
    await h.slash(
        "persona add", p.TRAINER_ID, file=Upload("latin.yaml", "name: é".encode("latin-1"))
    )
    assert "latin.yaml: field '(file)': is not UTF-8 text" in last(h).text()


async def test_persona_upload_is_stored_audited_and_playable(
    discord_bot: Harness, store: Store
) -> None:
    h = discord_bot
    text = persona_yaml(name="Nora, night visitor", difficulty=5).encode()
    await h.slash("persona add", p.TRAINER_ID, file=Upload("night_visitor.yaml", text))
    answer = last(h)
    assert answer.ephemeral and "Persona `night_visitor` saved" in answer.text()
    assert "night_visitor" in h.bot.catalogue.ids()
    assert [row.id for row in store.trainer_personas()] == ["night_visitor"]
    assert store.audit_log()[0].action == "persona_add"
    await h.slash("practice start", p.OFFICER_ID, difficulty=5)
    assert "Nora, night visitor" in h.messages()[-1].text()


async def test_persona_form_becomes_a_persona(discord_bot: Harness, store: Store) -> None:
    h = discord_bot
    await h.slash("persona add", p.TRAINER_ID, difficulty=2, start_agitation=6)
    opened = last(h)
    assert opened.payload["type"] == 9  # the modal, as the first response
    lines = "\n".join(
        ["opening: Why is the gym locked?", "trigger: rules", "soother: a key"]
        + [f"{band}: {band} line {i}" for band in ("high", "medium", "low") for i in range(4)]
    )
    await h.submit_modal(
        p.TRAINER_ID,
        {
            "Name": "Gus, gym member locked out",
            "Setting": "Office building gym, 6 a.m.",
            "Backstory": "Gus comes every morning.",
            "Wants": "To get in and train.",
            "Lines, one per line, each with a label": lines,
        },
    )
    assert "Persona `gus` saved" in last(h).text()
    persona = h.bot.catalogue.get("gus")
    assert persona.difficulty == 2 and persona.start_agitation == 6
    assert persona.opening_lines == ("Why is the gym locked?",)
    assert store.trainer_personas()[0].id == "gus"


async def test_persona_form_errors_are_shown_privately(discord_bot: Harness) -> None:
    h = discord_bot
    await h.slash("persona add", p.TRAINER_ID, id="gym")
    await h.submit_modal(
        p.TRAINER_ID,
        {
            "Name": "Gus",
            "Setting": "Gym",
            "Backstory": "b",
            "Wants": "w",
            "Lines, one per line, each with a label": "opening: hi\nshouting without a label",
        },
    )
    error = last(h)
    assert error.ephemeral and "form persona gym: field 'lines (line 2)'" in error.text()
    assert h.bot.catalogue.find("gym") is None


async def test_disable_and_enable_a_persona(discord_bot: Harness, store: Store) -> None:
    h = discord_bot
    await h.slash("persona disable", p.TRAINER_ID, persona="alarm_shopper")
    assert "alarm_shopper" not in h.bot.catalogue.ids()
    assert "alarm_shopper" in store.disabled_personas()
    await h.slash("practice start", p.OFFICER_ID, persona="alarm_shopper")
    assert "No persona 'alarm_shopper'" in last(h).text()
    await h.slash("persona enable", p.TRAINER_ID, persona="alarm_shopper")
    assert "alarm_shopper" in h.bot.catalogue.ids()
    assert [e.action for e in store.audit_log()] == ["persona_enable", "persona_disable"]


async def test_persona_show_attaches_the_yaml(discord_bot: Harness) -> None:
    h = discord_bot
    await h.slash("persona show", p.TRAINER_ID, persona=PERSONA_ID)
    assert last(h).files == [f"{PERSONA_ID}.yaml"]


async def test_review_shows_recent_transcripts_privately(
    discord_bot: Harness, store: Store
) -> None:
    h = discord_bot
    for _ in range(2):
        await h.slash("practice start", p.OFFICER_ID, persona=PERSONA_ID)
        thread_id = int(h.threads()[-1]["id"])
        await h.say(p.OFFICER_ID, thread_id, NEUTRAL_REPLY)
        await h.say(p.OFFICER_ID, thread_id, GOOD_REPLY)
        await h.slash("practice end", p.OFFICER_ID)
    await h.slash("review", p.TRAINER_ID, officer=UserOption(p.OFFICER_ID))
    page = last(h)
    assert page.ephemeral
    assert NEUTRAL_REPLY in page.text() and "Transcript 1 of 2" in str(page.payload)
    buttons = page.payload["components"][0]["components"]
    assert [b["label"] for b in buttons] == ["Previous", "Next", "Comment", "Override score"]
    assert store.audit_log()[0].action == "review"

    await h.click(p.TRAINER_ID, page, "Next")
    turned = last(h)
    assert turned.payload["type"] == 7  # the same private message, updated in place
    assert "Transcript 2 of 2" in str(turned.payload)
    buttons = turned.payload["data"]["components"][0]["components"]
    assert [b.get("disabled", False) for b in buttons] == [False, True, False, False]
    await h.click(p.ADMIN_ID, page, "Previous")
    assert "Only the trainer who ran /review" in last(h).text()


async def test_review_of_a_long_transcript_is_cut_between_replies(
    discord_bot: Harness,
) -> None:
    h = discord_bot
    h.bot.pacing.per_minute = 100
    await h.slash("practice start", p.OFFICER_ID, persona=PERSONA_ID)
    thread_id = int(h.threads()[-1]["id"])
    for i in range(5):
        await h.say(p.OFFICER_ID, thread_id, f"{NEUTRAL_REPLY} {i} " + "word " * 300)
    await h.slash("review", p.TRAINER_ID, officer=UserOption(p.OFFICER_ID))
    embed = last(h).payload["embeds"][0]
    assert len(embed["description"]) <= 4096
    assert "more repl(ies) not shown" in embed["description"]


async def test_export_attaches_a_csv(discord_bot: Harness, store: Store) -> None:
    h = discord_bot
    await h.slash("practice start", p.OFFICER_ID, persona=PERSONA_ID)
    await h.say(p.OFFICER_ID, int(h.threads()[-1]["id"]), NEUTRAL_REPLY)
    await h.slash("export", p.TRAINER_ID, period="week")
    answer = last(h)
    assert answer.ephemeral and answer.files == ["cooldown-all-week.csv"]
    assert "1 row(s)" in answer.text()
    assert store.audit_log()[0].action == "export"


async def test_settings_mode_is_stored_per_server_and_audited(
    discord_bot: Harness, store: Store
) -> None:
    h = discord_bot
    await h.slash("settings mode", p.TRAINER_ID, mode="assessment")
    assert "assessment" in last(h).text()
    assert store.get_setting(f"guild:{p.GUILD_ID}", "mode") == "assessment"
    assert store.audit_log()[0].action == "setting"
