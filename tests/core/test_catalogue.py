"""The persona catalogue: shipped and trainer personas, enable/disable, kept in the store."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.core.catalogue import Origin, PersonaCatalogue
from bot.core.persona import PersonaError, UnknownPersona
from bot.core.store import Store
from tests.conftest import PERSONA_DATA


def write(folder: Path, persona_id: str, **changes: object) -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"{persona_id}.yaml").write_text(yaml.safe_dump({**PERSONA_DATA, **changes}))


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    folder = tmp_path / "personas"
    write(folder, "towed_car", name="Dana, driver")
    write(folder, "mall_alarm", name="Vic, shopper", difficulty=4)
    return folder


def test_trainer_personas_and_disabled_ids_survive_a_restart(
    shipped: Path, tmp_path: Path
) -> None:
    db = tmp_path / "cooldown.db"
    with Store(db) as store:
        catalogue = PersonaCatalogue.load(shipped, store)
        saved = catalogue.add("night_nurse", yaml.safe_dump(PERSONA_DATA), "cli:tessa")
        assert not saved.replaced and saved.persona.id == "night_nurse"
        catalogue.disable("mall_alarm", "cli:tessa")
        assert catalogue.ids() == ["night_nurse", "towed_car"]

    with Store(db) as store:  # a new process: the terminal after Discord, or the other way
        again = PersonaCatalogue.load(shipped, store)
        assert again.ids() == ["night_nurse", "towed_car"]
        assert again.ids(include_disabled=True) == ["mall_alarm", "night_nurse", "towed_car"]
        assert again.origin("night_nurse") is Origin.TRAINER
        assert again.origin("towed_car") is Origin.SHIPPED
        assert [(e.persona.id, e.enabled) for e in again.entries()] == [
            ("mall_alarm", False), ("night_nurse", True), ("towed_car", True),
        ]  # fmt: skip


def test_a_disabled_persona_is_known_but_never_given(shipped: Path) -> None:
    catalogue = PersonaCatalogue.load(shipped)
    catalogue.disable("mall_alarm", "t")
    assert catalogue.known("mall_alarm").name == "Vic, shopper"
    with pytest.raises(UnknownPersona, match="towed_car") as refused:
        catalogue.get("mall_alarm")
    assert "mall_alarm" not in refused.value.valid
    assert catalogue.at_difficulty(4) == []
    catalogue.enable("mall_alarm", "t")
    assert [p.id for p in catalogue.at_difficulty(4)] == ["mall_alarm"]


def test_unknown_ids_are_refused_with_every_known_id(shipped: Path) -> None:
    catalogue = PersonaCatalogue.load(shipped)
    catalogue.disable("mall_alarm", "t")
    with pytest.raises(UnknownPersona) as refused:
        catalogue.disable("no_such", "t")
    assert refused.value.valid == ["mall_alarm", "towed_car"]


def test_a_trainer_persona_replaces_a_shipped_one_with_its_id(shipped: Path) -> None:
    store = Store.memory()
    catalogue = PersonaCatalogue.load(shipped, store)
    saved = catalogue.add("towed_car", yaml.safe_dump({**PERSONA_DATA, "name": "Dee, new"}), "t")
    assert saved.replaced and catalogue.get("towed_car").name == "Dee, new"
    assert catalogue.origin("towed_car") is Origin.TRAINER
    store.close()


def test_invalid_yaml_is_refused_and_nothing_is_stored(shipped: Path) -> None:
    store = Store.memory()
    catalogue = PersonaCatalogue.load(shipped, store)
    bad = yaml.safe_dump({**PERSONA_DATA, "difficulty": 9})
    with pytest.raises(PersonaError, match="difficulty"):
        catalogue.add("bad", bad, "t", source="bad.yaml")
    assert catalogue.find("bad") is None
    assert store.trainer_personas() == [] and store.audit_log() == []
    store.close()


def test_a_stored_persona_that_no_longer_validates_is_skipped(shipped: Path) -> None:
    store = Store.memory()
    good = PersonaCatalogue.load(shipped, store).add("gus", yaml.safe_dump(PERSONA_DATA), "t")
    # A row written by an older version with looser rules.
    store._write(
        lambda db: db.execute("UPDATE personas SET yaml = 'name: [' WHERE id = ?", ["gus"])
    )
    catalogue = PersonaCatalogue.load(shipped, store)
    assert catalogue.find(good.persona.id) is None
    assert len(catalogue.errors) == 1 and "trainer persona gus" in str(catalogue.errors[0])
    store.close()
