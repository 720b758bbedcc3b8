"""Immutable types of the flow language (``Version`` 2019-10-30).

Each type keeps the JSON object it was read from (``raw``) so that fields and action
types Amazon Connect adds later survive parse -> canonical -> write untouched: flowops
reads what it understands and carries the rest along, it never rejects the unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JsonObject = Mapping[str, Any]

#: Error type Connect uses for the default branch of condition actions.
NO_MATCHING_CONDITION = "NoMatchingCondition"
#: Error type nearly every fallible action raises.
NO_MATCHING_ERROR = "NoMatchingError"


@dataclass(frozen=True, slots=True)
class Condition:
    """A conditional branch: when ``operator`` holds for ``operands``, go to the target."""

    next_action: str
    operator: str
    operands: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class ErrorBranch:
    """An error branch: when the action raises ``error_type``, go to the target."""

    next_action: str
    error_type: str


@dataclass(frozen=True, slots=True)
class Transitions:
    """Where an action goes next: success, conditions (in order) and errors."""

    next_action: str | None = None
    conditions: tuple[Condition, ...] = ()
    errors: tuple[ErrorBranch, ...] = ()

    def error_targets(self) -> dict[str, str]:
        """Error type -> target (first wins, as Connect evaluates them)."""
        out: dict[str, str] = {}
        for err in self.errors:
            out.setdefault(err.error_type, err.next_action)
        return out

    @property
    def default_target(self) -> str | None:
        """The NoMatchingCondition target: the default branch of a condition action."""
        return self.error_targets().get(NO_MATCHING_CONDITION)


@dataclass(frozen=True, slots=True)
class Action:
    """One block of a flow.

    ``parameters`` and ``raw`` are the objects as read; treat them as read-only.
    ``index`` is the action's position in the file it came from.
    """

    identifier: str
    type: str
    parameters: JsonObject
    transitions: Transitions
    raw: JsonObject
    index: int = 0

    @property
    def has_parameters(self) -> bool:
        return "Parameters" in self.raw

    @property
    def has_transitions(self) -> bool:
        return "Transitions" in self.raw


@dataclass(frozen=True)
class Flow:
    """A flow or flow module's content: ``StartAction``, ``Actions``, and the rest.

    ``metadata`` is the designer's layout (positions, display names); it has no effect on
    what a contact experiences and is kept apart so layout edits are not semantic changes.
    """

    version: str
    start_action: str
    actions: tuple[Action, ...]
    metadata: JsonObject | None
    settings: JsonObject | None
    raw: JsonObject
    _by_id: dict[str, Action] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, Action] = {}
        for action in self.actions:
            by_id.setdefault(action.identifier, action)
        object.__setattr__(self, "_by_id", by_id)

    @property
    def is_module(self) -> bool:
        """Flow modules carry ``Settings`` (inputs, outputs, Success/Error transitions)."""
        return self.settings is not None

    def action(self, identifier: str) -> Action | None:
        """The first action with this identifier, or None."""
        return self._by_id.get(identifier)

    @property
    def identifiers(self) -> frozenset[str]:
        return frozenset(self._by_id)

    def duplicate_identifiers(self) -> list[str]:
        """Identifiers used by more than one action, in file order."""
        seen: set[str] = set()
        dups: list[str] = []
        for action in self.actions:
            if action.identifier in seen and action.identifier not in dups:
                dups.append(action.identifier)
            seen.add(action.identifier)
        return dups

    @property
    def display_name(self) -> str | None:
        """The name newer exports record in ``Metadata.name``, if any."""
        if self.metadata and isinstance(self.metadata.get("name"), str):
            return str(self.metadata["name"])
        return None

    def action_metadata(self, identifier: str) -> JsonObject:
        """The designer's metadata for one action (display names, positions), or {}."""
        if not self.metadata:
            return {}
        per_action = self.metadata.get("ActionMetadata")
        if isinstance(per_action, Mapping):
            found = per_action.get(identifier)
            if isinstance(found, Mapping):
                return found
        return {}
