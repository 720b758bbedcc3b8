"""Lint configuration: rule severities, disabled rules and suppressions, each with a reason.

Flow JSON cannot hold comments, so suppressions live in configuration: the ``lint``
section of ``flowops.yaml`` at the repository root, or ``[tool.flowops.lint]`` in
``pyproject.toml``::

    lint:
      rules:
        FL502: {enabled: false}
        FL201: {severity: error}        # a rule id or its name (unhandled-error)
      ignore:
        - rule: FL104
          flow: "Main IVR"              # flow name, glob allowed; omit for every flow
          action: "old-greeting"        # omit to suppress the rule for the whole flow
          file: "flows/legacy/*.json"   # optional glob on the file path
          reason: "kept for the spring campaign"   # required

An unknown rule id, a missing reason or a malformed entry is bad input (exit 2): a
typo must not silently switch a check off.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from flowops.errors import BadInputError
from flowops.lint.finding import Finding, Severity
from flowops.lint.rules import ALL_RULES

CONFIG_FILE = "flowops.yaml"
PYPROJECT = "pyproject.toml"


@dataclass(frozen=True, slots=True)
class RuleSetting:
    """Per-rule switch and severity override (None: the rule's own severities)."""

    enabled: bool = True
    severity: Severity | None = None


@dataclass(frozen=True, slots=True)
class Suppression:
    """Findings of ``rule`` in a flow (optionally one action, one file glob) are ignored."""

    rule: str
    reason: str
    flow: str | None = None
    action: str | None = None
    file: str | None = None

    def matches(self, finding: Finding) -> bool:
        if finding.rule != self.rule:
            return False
        if self.flow is not None and not fnmatchcase(finding.flow, self.flow):
            return False
        if self.action is not None and finding.action != self.action:
            return False
        if self.file is not None:
            path = Path(finding.file).as_posix() if finding.file else ""
            if not (fnmatchcase(path, self.file) or fnmatchcase(path, f"*/{self.file}")):
                return False
        return True


@dataclass(frozen=True)
class LintConfig:
    """Which rules run, at which severity, and which findings are suppressed."""

    rules: Mapping[str, RuleSetting] = field(default_factory=dict)
    ignore: tuple[Suppression, ...] = ()
    source: str | None = None

    def enabled(self, rule_id: str) -> bool:
        setting = self.rules.get(rule_id)
        return setting is None or setting.enabled

    def severity(self, rule_id: str, proposed: Severity) -> Severity:
        """A configured severity replaces every severity the rule proposes."""
        setting = self.rules.get(rule_id)
        if setting is not None and setting.severity is not None:
            return setting.severity
        return proposed

    def suppressed(self, finding: Finding) -> bool:
        return any(s.matches(finding) for s in self.ignore)


_IDS = {rule.id: rule.id for rule in ALL_RULES} | {rule.name: rule.id for rule in ALL_RULES}


def _bad(source: str | None, message: str) -> BadInputError:
    return BadInputError(f"{source or 'lint configuration'}: {message}")


def _rule_id(value: Any, source: str | None, where: str) -> str:
    key = str(value)
    found = _IDS.get(key) or _IDS.get(key.upper())
    if found is None:
        raise _bad(source, f"{where}: unknown rule {key!r} (see `flowops rules`)")
    return found


def _rule_setting(value: Any, source: str | None, where: str) -> RuleSetting:
    if not isinstance(value, Mapping) or set(value) - {"enabled", "severity"}:
        raise _bad(source, f"{where}: expected {{enabled: true|false, severity: ...}}")
    enabled = value.get("enabled", True)
    if not isinstance(enabled, bool):
        raise _bad(source, f"{where}.enabled: expected true or false")
    severity = value.get("severity")
    if severity is not None and severity not in Severity.__members__:
        raise _bad(source, f"{where}.severity: expected error, warning or info")
    return RuleSetting(enabled=enabled, severity=Severity(severity) if severity else None)


def _suppression(value: Any, source: str | None, index: int) -> Suppression:
    where = f"ignore[{index}]"
    allowed = {"rule", "reason", "flow", "action", "file"}
    if not isinstance(value, Mapping) or set(value) - allowed:
        raise _bad(source, f"{where}: expected keys among {', '.join(sorted(allowed))}")
    if "rule" not in value:
        raise _bad(source, f"{where}: 'rule' is required")
    reason = value.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise _bad(source, f"{where}: 'reason' is required (say why this is suppressed)")
    for key in ("flow", "action", "file"):
        if key in value and not isinstance(value[key], str):
            raise _bad(source, f"{where}.{key}: expected a string")
    return Suppression(
        rule=_rule_id(value["rule"], source, where),
        reason=reason,
        flow=value.get("flow"),
        action=value.get("action"),
        file=value.get("file"),
    )


def config_from_data(data: Any, source: str | None = None) -> LintConfig:
    """Validate the lint section (a mapping with ``rules`` and ``ignore``)."""
    if data is None:
        return LintConfig(source=source)
    if not isinstance(data, Mapping) or set(data) - {"rules", "ignore"}:
        raise _bad(source, "the lint section takes 'rules' and 'ignore'")
    rules_data = data.get("rules") or {}
    if not isinstance(rules_data, Mapping):
        raise _bad(source, "rules: expected a mapping of rule id -> settings")
    rules = {
        _rule_id(key, source, f"rules.{key}"): _rule_setting(value, source, f"rules.{key}")
        for key, value in rules_data.items()
    }
    ignore_data = data.get("ignore") or []
    if not isinstance(ignore_data, list):
        raise _bad(source, "ignore: expected a list")
    ignore = tuple(_suppression(item, source, i) for i, item in enumerate(ignore_data))
    return LintConfig(rules=rules, ignore=ignore, source=source)


def _read_yaml(path: Path) -> Any:
    import yaml  # only when there is a flowops.yaml: lint without one never pays for it

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise _bad(str(path), f"cannot read: {exc}") from None
    if data is not None and not isinstance(data, Mapping):
        raise _bad(str(path), "expected a mapping at the top level")
    return (data or {}).get("lint")


def _read_pyproject(path: Path) -> tuple[bool, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _bad(str(path), f"cannot read: {exc}") from None
    if "flowops" not in text:
        return (False, None)  # no [tool.flowops] table: spare lint the TOML parser
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _bad(str(path), f"cannot read: {exc}") from None
    tool = data.get("tool", {}).get("flowops", {})
    return ("lint" in tool, tool.get("lint"))


def load_config(path: str | Path | None = None, *, start: str | Path | None = None) -> LintConfig:
    """Read ``path``, or find ``flowops.yaml`` / ``pyproject.toml`` from ``start`` upwards.

    The first directory that has a ``flowops.yaml``, or a ``pyproject.toml`` with a
    ``[tool.flowops.lint]`` table, wins; the search stops at the repository root (the
    folder holding ``.git``). With neither, every rule runs at its default.
    """
    if path is not None:
        given = Path(path)
        if not given.is_file():
            raise _bad(str(given), "configuration file not found")
        if given.name == PYPROJECT or given.suffix == ".toml":
            return config_from_data(_read_pyproject(given)[1], str(given))
        return config_from_data(_read_yaml(given), str(given))
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return config_from_data(_read_yaml(candidate), str(candidate))
        pyproject = folder / PYPROJECT
        if pyproject.is_file():
            found, data = _read_pyproject(pyproject)
            if found:
                return config_from_data(data, str(pyproject))
        if (folder / ".git").exists():
            break  # the repository root: never read a configuration above it
    return LintConfig()
