"""Bad persona files: bombs, deep nesting, huge files, and oddities that used to pass silently."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.core.persona import PersonaError, PersonaLibrary, load_persona, parse_persona
from bot.model.prompt import MAX_PROMPT_CHARS, build_prompt
from tests.conftest import PERSONA_DATA
from tests.hostile.conftest import BILLION_LAUGHS, within
from tests.model.conftest import make_request


def dump(**changes: object) -> str:
    return yaml.safe_dump({**PERSONA_DATA, **changes}, sort_keys=False, allow_unicode=True)


def refused(text: str) -> PersonaError:
    with pytest.raises(PersonaError) as info:
        within(5, lambda: parse_persona(text, "bad_one", "bad_one.yaml"))
    return info.value


def test_alias_bomb_is_refused_at_once_with_a_fix() -> None:
    error = refused(BILLION_LAUGHS)
    assert error.source == "bad_one.yaml" and error.field == "(YAML syntax)"
    assert "anchor" in error.problem and "aliases" in error.fix


def test_aliases_inside_a_real_persona_are_refused_too() -> None:
    text = dump() + "soothers: &s [a, b]\nofficer_examples: {good: *s}\n"
    assert "anchor" in refused(text).problem


def test_deep_nesting_is_a_persona_error_not_a_recursion_error() -> None:
    error = refused("[" * 50_000)
    assert "nested more than" in error.problem and error.field == "(YAML syntax)"


def test_a_bad_file_never_costs_the_rest_of_the_folder(tmp_path: Path) -> None:
    (tmp_path / "good_one.yaml").write_text(dump())
    (tmp_path / "deep.yaml").write_text("[" * 50_000)
    (tmp_path / "bomb.yaml").write_text(BILLION_LAUGHS)
    (tmp_path / "huge.yaml").write_text("name: " + "x" * 10_000_000)
    library = within(10, lambda: PersonaLibrary.from_directory(tmp_path))
    assert library.ids() == ["good_one"]
    skipped = {Path(e.source).name: e for e in library.errors}
    assert set(skipped) == {"deep.yaml", "bomb.yaml", "huge.yaml"}
    assert "at most 65,536" in skipped["huge.yaml"].problem


def test_validate_command_reports_a_bomb_without_hanging(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BILLION_LAUGHS)
    assert within(10, lambda: main(["personas", "validate", str(bomb)])) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"FAIL {bomb}: field '(YAML syntax)'") and "Fix:" in out


@pytest.mark.parametrize(
    "field, value, limit",
    [
        ("name", "Dana, " + "x" * 200, "80"),
        ("backstory", "word " * 2_000, "1500"),
        ("wants", "x" * 600, "500"),
        ("opening_lines", ["Where is my car? " * 40], "300"),
        ("triggers", [f"trigger {i}" for i in range(25)], "20"),
    ],
)
def test_oversized_fields_name_the_limit(field: str, value: object, limit: str) -> None:
    error = refused(dump(**{field: value}))
    assert error.field.startswith(field)
    assert limit in error.problem and "README" in error.fix


def test_a_big_persona_cannot_blow_up_the_prompt() -> None:
    # The largest persona the limits allow still gives a prompt of bounded size.
    big = {
        **PERSONA_DATA,
        "name": "D" * 80,
        "setting": "s" * 200,
        "backstory": "b" * 1500,
        "wants": "w" * 500,
        "lines": {
            band: [f"{band} {i} " + "x" * 290 for i in range(30)]
            for band in ("high", "low", "medium")
        },
        "facts": [{"q": f"q{i} " + "q" * 150, "a": "a" * 300} for i in range(40)],
    }
    persona = parse_persona(yaml.safe_dump(big), "big_one", "big.yaml")
    request = make_request(persona, 8, *["What is q1 about? " * 30] * 12)
    prompt = build_prompt(request)
    assert len(prompt.text) <= MAX_PROMPT_CHARS
    assert len(prompt.system) + len(prompt.user) <= MAX_PROMPT_CHARS


def test_x_yaml_and_x_yml_are_both_reported(tmp_path: Path) -> None:
    (tmp_path / "twin.yaml").write_text(dump())
    (tmp_path / "twin.yml").write_text(dump(name="Other, twin"))
    library = PersonaLibrary.from_directory(tmp_path)
    assert library.ids() == []
    messages = sorted(str(e) for e in library.errors)
    assert len(messages) == 2
    assert "twin.yaml: field '(file)': has the same persona id 'twin' as twin.yml" in messages[0]
    assert "keep one of the files" in messages[0]


def test_repeated_key_is_an_error() -> None:
    error = refused(dump() + "difficulty: 5\n")
    assert "repeated key 'difficulty'" in error.problem and "line" in error.problem


@pytest.mark.parametrize(
    "name, problem",
    [
        ("\u200b\u200b\u200d", "no visible characters"),
        ("Dana\u202egpj.exe, driver", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        (",,,", "no first name before the first comma"),
        ("\u2060, driver", "no first name before the first comma"),
        ("Dana\x1b[2J, driver", "control character"),
    ],
)
def test_names_nobody_can_read_are_refused(name: str, problem: str) -> None:
    error = refused(dump(name=name))
    assert error.field == "name" and problem in error.problem and error.fix


def test_direction_override_in_a_line_is_refused() -> None:
    lines = {**PERSONA_DATA["lines"], "low": ["fine \u202ethanks", "a b", "c d", "e f"]}
    error = refused(dump(lines=lines))
    assert error.field == "lines.low[0]"


def test_oversized_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"#" * 10_000_000)
    error = within(5, lambda: pytest.raises(PersonaError, load_persona, path)).value
    assert "10,000,000 bytes" in error.problem


def test_shipped_personas_are_within_the_limits() -> None:
    library = PersonaLibrary.from_directory(Path(__file__).parents[2] / "personas")
    assert library.errors == [] and len(library.ids()) >= 10


@pytest.mark.parametrize("target", ["/dev/zero", "fifo", "folder.yaml"])
def test_things_that_are_not_files_are_refused_at_once(tmp_path: Path, target: str) -> None:
    if target == "fifo":
        path = tmp_path / "pipe.yaml"
        os.mkfifo(path)  # opening it would wait for a writer forever
    elif target == "folder.yaml":
        path = tmp_path / target
        path.mkdir()
    else:
        path = Path(target)
    error = within(5, lambda: pytest.raises(PersonaError, load_persona, path)).value
    assert error.field == "(file)" and "not a plain file" in error.problem


@pytest.mark.parametrize("text", ["difficulty: " + "9" * 5000, "backstory: !!timestamp 2001-99-99"])
def test_values_yaml_cannot_build_are_persona_errors(text: str) -> None:
    error = refused(text)
    assert error.field == "(YAML syntax)" and "cannot be read" in error.problem
