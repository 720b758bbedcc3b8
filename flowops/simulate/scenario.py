"""Scenario files: YAML beside ``flows/``, validated by ``scenario.schema.json``.

A scenario names an entry flow, what the world does (``given``: key presses, utterances,
hours, Lambda and Lex responses, queue states, forced outcomes) and what must happen
(``expect``). References are symbolic (``queue:Support``, ``lambda:check-balance``), so
one scenario serves every environment. A bad file is bad input naming file, line and
field; nothing runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from flowops.errors import BadInputError

#: Folder beside ``flows/`` that holds scenario files (``--scenarios`` overrides it).
SCENARIOS_DIR = "scenarios"

Path_ = tuple[str | int, ...]


class ScenarioError(BadInputError):
    """A scenario file that cannot be used: names file, line and field."""

    def __init__(self, file: str, line: int | None, field_path: str, message: str) -> None:
        self.file = file
        self.line = line
        self.field = field_path
        where = f"{file}:{line}" if line else file
        fld = f" field {field_path!r}:" if field_path else ""
        super().__init__(f"{where}:{fld} {message}")


@dataclass(frozen=True)
class Scenario:
    """One scenario, as read (``data`` keeps the validated mapping)."""

    name: str
    flow: str
    channel: str
    given: Mapping[str, Any]
    expect: Mapping[str, Any]
    source: str = "<memory>"
    line: int = 1
    description: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)
    #: Line of each field, by its path inside the scenario (``("given", "inputs", 1)``).
    lines: Mapping[tuple[str | int, ...], int] = field(default_factory=dict)

    def error(self, path: tuple[str | int, ...], message: str) -> ScenarioError:
        """Bad input naming this scenario's file, the field's line and the field."""
        return ScenarioError(self.source, _line_of(path, self.lines), _dotted(path), message)


@cache
def scenario_schema() -> dict[str, Any]:
    """The JSON Schema of one scenario."""
    text = resources.files("flowops.simulate").joinpath("scenario.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(scenario_schema())


def _to_python(node: yaml.Node, path: Path_, lines: dict[Path_, int], source: str) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = yaml.safe_load(yaml.serialize(key_node)) if key_node.tag else key_node.value
            if not isinstance(key, str):
                key = str(key)
            if key in out:
                raise ScenarioError(
                    source, key_node.start_mark.line + 1, _dotted((*path, key)), "duplicate key"
                )
            out[key] = _to_python(value_node, (*path, key), lines, source)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(v, (*path, i), lines, source) for i, v in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node))


def _dotted(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _line_of(path: Path_, lines: Mapping[Path_, int]) -> int | None:
    while True:
        if path in lines:
            return lines[path]
        if not path:
            return None
        path = path[:-1]


def _check(data: Any, base: Path_, lines: Mapping[Path_, int], source: str) -> None:
    errors = sorted(_validator().iter_errors(data), key=lambda e: (len(e.absolute_path), e.path))
    if not errors:
        return
    err = errors[0]
    # oneOf failures: the most specific sub-error names the field best.
    while err.context:
        err = sorted(err.context, key=lambda e: -len(e.absolute_path))[0]
    path: Path_ = tuple(err.absolute_path)
    full = (*base, *path)
    message = err.message
    if err.validator == "additionalProperties":
        message = f"unknown field ({err.message})"
    raise ScenarioError(source, _line_of(full, lines), _dotted(path), message)


def _from_data(data: Any, source: str, base: Path_, lines: Mapping[Path_, int]) -> Scenario:
    _check(data, base, lines, source)
    return Scenario(
        name=data["name"],
        flow=data["flow"],
        channel=data.get("channel", "VOICE"),
        given=data.get("given") or {},
        expect=data.get("expect") or {},
        source=source,
        line=_line_of(base, lines) or 1,
        description=data.get("description", ""),
        data=data,
        lines={p[len(base) :]: n for p, n in lines.items() if p[: len(base)] == base},
    )


def parse_scenarios(text: str, source: str = "<memory>") -> list[Scenario]:
    """Scenarios of one YAML text: one scenario, or ``scenarios: [...]``."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(source, line, "", f"not valid YAML: {problem}") from None
    if node is None:
        raise ScenarioError(source, 1, "", "empty file")
    lines: dict[Path_, int] = {}
    data = _to_python(node, (), lines, source)
    if isinstance(data, dict) and set(data) == {"scenarios"}:
        items = data["scenarios"]
        if not isinstance(items, list) or not items:
            raise ScenarioError(source, lines.get(("scenarios",)), "scenarios", "expected a list")
        return [_from_data(s, source, ("scenarios", i), lines) for i, s in enumerate(items)]
    if not isinstance(data, dict):
        raise ScenarioError(source, 1, "", "expected a mapping (one scenario) or scenarios: [...]")
    return [_from_data(data, source, (), lines)]


def scenario_files(root: str | Path) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` below a folder (or the one file), in a stable order."""
    path = Path(root)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise BadInputError(f"{path}: no such scenarios folder")
    return sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def load_scenarios(root: str | Path) -> list[Scenario]:
    """Every scenario under a folder; names must be unique."""
    out: list[Scenario] = []
    seen: dict[str, Scenario] = {}
    for path in scenario_files(root):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ScenarioError(str(path), None, "", f"cannot read file: {exc}") from None
        for scenario in parse_scenarios(text, str(path)):
            if scenario.name in seen:
                first = seen[scenario.name]
                raise ScenarioError(
                    str(path),
                    scenario.line,
                    "name",
                    f"scenario {scenario.name!r} is also defined in {first.source}:{first.line}",
                )
            seen[scenario.name] = scenario
            out.append(scenario)
    return out


def dump_scenario(scenario: Mapping[str, Any]) -> str:
    """YAML text of one scenario mapping, keys in the documented order."""
    order = ["name", "description", "flow", "channel", "tags", "given", "expect"]
    ordered = {k: scenario[k] for k in order if k in scenario}
    text: str = yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True, width=100)
    return text
