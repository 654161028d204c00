"""One core for both doors: what a trainer does in the terminal holds in Discord, and back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.runtime import build_app
from bot.settings import get_settings
from tests.discord import payloads as p
from tests.discord.conftest import PERSONA_ID, make_settings, persona_yaml
from tests.discord.harness import start_bot


@pytest.fixture
def personas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Two shipped personas, and the terminal pointed at the same folder and database."""
    folder = tmp_path / "personas"
    folder.mkdir()
    (folder / f"{PERSONA_ID}.yaml").write_text(persona_yaml())
    (folder / "alarm_shopper.yaml").write_text(persona_yaml(name="Vic, shopper", difficulty=4))
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "cooldown.db"))
    monkeypatch.setenv("PERSONAS_DIR", str(folder))
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


async def test_terminal_persona_changes_hold_in_discord_and_back(
    personas: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = tmp_path / "night_visitor.yaml"
    extra.write_text(persona_yaml(name="Nora, night visitor", difficulty=5))
    assert main(["personas", "add", str(extra)]) == 0
    assert main(["personas", "disable", "alarm_shopper"]) == 0

    settings = make_settings(tmp_path, personas_dir=personas, rubric_encoder="none")
    app = build_app(settings, scripted=True)
    h = await start_bot(settings, app)
    try:
        await h.slash("practice start", p.OFFICER_ID, persona="alarm_shopper")
        assert "No persona 'alarm_shopper'" in h.responses()[-1].text()
        await h.slash("persona list", p.TRAINER_ID)
        listing = h.responses()[-1].text()
        assert "`night_visitor` - Nora, night visitor (5/5) - trainer" in listing
        assert "`alarm_shopper` - Vic, shopper (4/5) - **disabled**" in listing
        await h.slash("persona enable", p.TRAINER_ID, persona="alarm_shopper")
        await h.slash("practice start", p.OFFICER_ID, difficulty=5)
        assert "Nora, night visitor" in h.messages()[-1].text()
    finally:
        await h.close()
        app.close()

    capsys.readouterr()
    assert main(["personas", "list"]) == 0
    [shopper] = [line for line in capsys.readouterr().out.splitlines() if "alarm_shopper" in line]
    assert "[disabled]" not in shopper
