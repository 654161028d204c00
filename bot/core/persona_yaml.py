"""Reading persona YAML safely: size, nesting, aliases and repeated keys are checked first.

A persona file comes from a trainer's upload or a shared folder, so it is untrusted input.
`yaml.safe_load` alone is not enough: a 397-byte "billion laughs" file (anchors and aliases that
expand to millions of nodes) froze the bot, a file of 50,000 `[` overflowed the recursion of
PyYAML's composer, and a repeated key silently kept the last value. Here the event stream is
scanned first (iteratively, so nesting costs no recursion) and anything a persona never needs is
refused before a single Python object is built.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode

MAX_FILE_BYTES = 64 * 1024  # a persona is a page or two of text; 40 facts fit in about 12 KB
MAX_DEPTH = 8  # the deepest real persona field is lines.high[0] / facts[0].q: depth 3
MAX_NODES = 5_000  # scalars, lists and mappings together; a full persona has a few hundred


class PersonaYamlError(ValueError):
    """The text cannot be read as persona YAML; `field`, `problem` and `fix` say why."""

    def __init__(self, field: str, problem: str, fix: str) -> None:
        self.field, self.problem, self.fix = field, problem, fix
        super().__init__(f"{field}: {problem}")


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a mapping with the same key twice (PyYAML keeps the last)."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
            try:
                repeated = key in seen
            except TypeError:  # an unhashable key: the base class reports it
                break
            if repeated:
                raise ConstructorError(
                    None, None, f"repeated key {str(key)[:40]!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep)


def _where(mark: yaml.Mark | None) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"


def _scan(text: str) -> None:
    """Walk the event stream once: aliases, anchors, depth and node count, no objects built."""
    depth = nodes = 0
    documents = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise PersonaYamlError(
                    "(file)",
                    f"holds more than one YAML document ('---' at {_where(event.start_mark)})",
                    "keep one persona per file, without a second '---' line",
                )
        if isinstance(event, yaml.AliasEvent):
            raise PersonaYamlError(
                "(YAML syntax)",
                f"uses an alias (*{event.anchor}) at {_where(event.start_mark)}",
                "write the text out in full: persona files may not use YAML anchors (&) or "
                "aliases (*)",
            )
        if isinstance(event, yaml.NodeEvent) and event.anchor is not None:
            raise PersonaYamlError(
                "(YAML syntax)",
                f"defines an anchor (&{event.anchor}) at {_where(event.start_mark)}",
                "remove the '&name' marker: persona files may not use YAML anchors or aliases",
            )
        if isinstance(event, yaml.NodeEvent):
            nodes += 1
            if nodes > MAX_NODES:
                raise PersonaYamlError(
                    "(file)",
                    f"has more than {MAX_NODES:,} entries",
                    "a persona needs a few hundred at most; see the limits in personas/README.md",
                )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise PersonaYamlError(
                    "(YAML syntax)",
                    f"is nested more than {MAX_DEPTH} levels deep at {_where(event.start_mark)}",
                    "use the flat layout shown in personas/README.md (fields, lists of text, "
                    "and facts as q/a pairs)",
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def load_persona_yaml(text: str) -> object:
    """The YAML document as Python data; PersonaYamlError for anything a persona must not be."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_FILE_BYTES:
        raise PersonaYamlError(
            "(file)",
            f"is {size:,} bytes; a persona file is at most {MAX_FILE_BYTES:,}",
            "shorten the backstory and lines (limits in personas/README.md), or check that "
            "this is the right file",
        )
    try:
        _scan(text)
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except PersonaYamlError:
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "not valid YAML"
        if problem.startswith("repeated key"):
            raise PersonaYamlError(
                "(YAML syntax)",
                f"{problem} at {_where(mark)}",
                "keep one of the two: the same field twice in one place is a mistake, and the "
                "second would silently replace the first",
            ) from None
        raise PersonaYamlError(
            "(YAML syntax)",
            f"{problem} at {_where(mark)}",
            "check indentation and quote text containing ':' or '#'",
        ) from None
    except RecursionError:  # belt and braces: _scan bounds the depth first
        raise PersonaYamlError(
            "(YAML syntax)", "is nested too deeply", "use the layout in personas/README.md"
        ) from None
    except (ValueError, TypeError, OverflowError) as exc:
        # A value PyYAML's constructors choke on: a 5,000-digit number, a 99th month.
        raise PersonaYamlError(
            "(YAML syntax)",
            f"holds a value that cannot be read ({str(exc)[:80]})",
            "write numbers as small whole numbers and dates as quoted text",
        ) from None
