"""Persona files: shipped ones validate; each kind of mistake gets its own clear error."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.core.persona import (
    MIN_LINES_PER_BAND,
    PersonaError,
    PersonaLibrary,
    UnknownPersona,
    band_for,
    load_persona,
    parse_persona,
)
from tests.conftest import PERSONAS_DIR


def shipped() -> list[Path]:
    return sorted(PERSONAS_DIR.glob("*.yaml"))


def test_at_least_ten_personas_ship() -> None:
    assert len(shipped()) >= 10


@pytest.mark.parametrize("path", shipped(), ids=lambda p: p.stem)
def test_every_shipped_persona_validates(path: Path) -> None:
    persona = load_persona(path)
    assert persona.id == path.stem
    assert 1 <= persona.difficulty <= 5
    for band in ("high", "medium", "low"):
        assert len(persona.lines[band]) >= MIN_LINES_PER_BAND
    assert persona.good_examples and persona.poor_examples


def test_shipped_personas_cover_distinct_settings() -> None:
    personas = [load_persona(p) for p in shipped()]
    assert len({p.setting for p in personas}) == len(personas)
    assert {p.difficulty for p in personas} >= {1, 2, 3, 4, 5}


def write(tmp_path: Path, data: object, name: str = "broken.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return path


def error_for(tmp_path: Path, data: object, name: str = "broken.yaml") -> PersonaError:
    with pytest.raises(PersonaError) as info:
        load_persona(write(tmp_path, data, name))
    return info.value


def test_bad_yaml_names_file_position_and_fix(tmp_path: Path) -> None:
    err = error_for(tmp_path, "name: Dana\nlines: [unclosed\n")
    assert err.source.endswith("broken.yaml")
    assert err.field == "(YAML syntax)"
    assert "line" in err.problem
    assert "indentation" in err.fix
    assert "broken.yaml" in str(err)


def test_missing_field(tmp_path: Path, persona_data: dict) -> None:
    del persona_data["wants"]
    err = error_for(tmp_path, persona_data)
    assert err.field == "wants"
    assert "missing" in err.problem
    assert "add the field" in err.fix


def test_wrong_type(tmp_path: Path, persona_data: dict) -> None:
    persona_data["difficulty"] = "hard"
    err = error_for(tmp_path, persona_data)
    assert err.field == "difficulty"
    assert "whole number" in err.fix


def test_quoted_number_is_reported_not_guessed(tmp_path: Path, persona_data: dict) -> None:
    persona_data["start_agitation"] = "7"
    assert error_for(tmp_path, persona_data).field == "start_agitation"


def test_agitation_out_of_range(tmp_path: Path, persona_data: dict) -> None:
    persona_data["start_agitation"] = 14
    err = error_for(tmp_path, persona_data)
    assert err.field == "start_agitation"
    assert "out of range" in err.problem
    assert "0 (calm) to 10" in err.fix


def test_empty_line_list(tmp_path: Path, persona_data: dict) -> None:
    persona_data["lines"]["medium"] = []
    err = error_for(tmp_path, persona_data)
    assert err.field == "lines.medium"
    assert f"at least {MIN_LINES_PER_BAND}" in err.problem


def test_blank_line_in_list(tmp_path: Path, persona_data: dict) -> None:
    persona_data["opening_lines"] = ["Where is my car?", "   "]
    err = error_for(tmp_path, persona_data)
    assert err.field == "opening_lines[1]"


def test_unknown_field_is_named(tmp_path: Path, persona_data: dict) -> None:
    persona_data["agitaton"] = 3
    err = error_for(tmp_path, persona_data)
    assert err.field == "agitaton"
    assert "spelling" in err.fix


def test_wrong_type_inside_band(tmp_path: Path, persona_data: dict) -> None:
    persona_data["lines"]["high"] = "just one string"
    err = error_for(tmp_path, persona_data)
    assert err.field == "lines.high"
    assert "list" in err.fix


def test_empty_file(tmp_path: Path) -> None:
    err = error_for(tmp_path, "")
    assert err.field == "(top level)"


def test_bad_file_name_is_an_id_error(tmp_path: Path, persona_data: dict) -> None:
    err = error_for(tmp_path, persona_data, name="Bad Name!.yaml")
    assert err.field == "id"


def test_each_mistake_gets_a_different_message(tmp_path: Path, persona_data: dict) -> None:
    variants = []
    for key, value in [("difficulty", 9), ("name", ""), ("triggers", []), ("max_turns", 1)]:
        data = dict(persona_data, **{key: value})
        variants.append(str(error_for(tmp_path, data)))
    assert len(set(variants)) == len(variants)


def test_library_skips_bad_files_and_keeps_the_rest(tmp_path: Path, persona_data: dict) -> None:
    write(tmp_path, persona_data, "good_one.yaml")
    write(tmp_path, "::: not yaml", "bad_one.yaml")
    library = PersonaLibrary.from_directory(tmp_path)
    assert library.ids() == ["good_one"]
    assert len(library.errors) == 1 and "bad_one.yaml" in str(library.errors[0])


def test_unknown_persona_lists_valid_ids(tmp_path: Path, persona_data: dict) -> None:
    write(tmp_path, persona_data, "good_one.yaml")
    library = PersonaLibrary.from_directory(tmp_path)
    with pytest.raises(UnknownPersona, match="good_one"):
        library.get("nope")


def test_yaml_round_trip(persona_data: dict) -> None:
    persona = parse_persona(yaml.safe_dump(persona_data), "towed_car_driver")
    again = parse_persona(persona.to_yaml(), "towed_car_driver")
    assert again == persona


@pytest.mark.parametrize(
    ("agitation", "band"),
    [(0, "low"), (3, "low"), (4, "medium"), (6, "medium"), (7, "high"), (10, "high")],
)
def test_bands(agitation: int, band: str) -> None:
    assert band_for(agitation) == band


def test_every_problem_is_reported_at_once(tmp_path: Path, persona_data: dict) -> None:
    persona_data["difficulty"] = 9
    persona_data["lines"]["low"] = ["ok", "ok"]
    persona_data["triggers"] = ["calm down", " "]
    del persona_data["wants"]
    err = error_for(tmp_path, persona_data)
    fields = [e.field for e in err.errors]
    assert fields == ["difficulty", "wants", "triggers[1]", "lines.low", "lines.low[1]"]
    text = str(err)
    assert text.startswith(f"{tmp_path / 'broken.yaml'}: 5 problems:\n- field 'difficulty'")
    assert text.count("Fix: ") == 5


def test_one_problem_reads_as_before(tmp_path: Path, persona_data: dict) -> None:
    persona_data["difficulty"] = 9
    err = error_for(tmp_path, persona_data)
    assert err.errors == (err,)
    assert str(err).endswith("field 'difficulty': 9 is out of range. Fix: use a whole number "
                             "from 1 (easy) to 5 (hard)")  # fmt: skip
