"""What a semantic diff found, as immutable data that every renderer reads.

The engine speaks flow language, not JSON paths: actions added, removed, changed or
re-created; parameters changed (old -> new); branches retargeted (by condition or error
type); StartAction moved; flow metadata changed. Layout (designer positions) is kept
apart and never counts as a semantic change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from flowops.graph import BranchType
from flowops.model.document import FlowDocument

ChangeType = Literal["added", "removed", "changed"]
ActionStatus = Literal["added", "removed", "changed", "recreated"]
BranchChangeType = Literal["retargeted", "added", "removed"]
FlowStatus = Literal["added", "removed", "renamed", "changed", "layout"]


@dataclass(frozen=True, slots=True)
class ValueChange:
    """One value that differs: a parameter (``Text``, ``Attributes.lang``) or a field.

    ``old`` is None when ``change`` is "added", ``new`` is None when it is "removed".
    """

    path: str
    change: ChangeType
    old: Any = None
    new: Any = None


@dataclass(frozen=True, slots=True)
class BranchChange:
    """A transition that now goes elsewhere, appeared or disappeared.

    ``label`` names the branch the way the designer does: ``Success`` for NextAction,
    ``Equals 1`` for a condition, the error type for an error branch. Targets are the
    identifiers as written on each side.
    """

    branch: BranchType
    label: str
    change: BranchChangeType
    old: str | None = None
    new: str | None = None


@dataclass(frozen=True, slots=True)
class ActionChange:
    """One action that differs between the two sides.

    ``identifier`` is the new side's identifier (the old one for removed actions);
    ``old_identifier`` differs from it only for re-created actions.
    """

    identifier: str
    type: str
    status: ActionStatus
    old_identifier: str | None = None
    old_type: str | None = None
    parameters: tuple[ValueChange, ...] = ()
    branches: tuple[BranchChange, ...] = ()
    conditions_reordered: bool = False
    other: tuple[ValueChange, ...] = ()

    @property
    def semantic(self) -> bool:
        """A re-created action with nothing else changed is not a semantic change."""
        if self.status != "recreated":
            return True
        return bool(self.parameters or self.branches or self.conditions_reordered or self.other)


@dataclass(frozen=True, slots=True)
class LayoutChange:
    """Designer layout that moved: actions whose metadata changed, flow-level keys."""

    actions: tuple[str, ...] = ()
    flow: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.actions or self.flow)


@dataclass(frozen=True)
class FlowDiff:
    """The difference between two versions of one flow or module.

    ``old``/``new`` are the documents compared (None for an added/removed flow); they
    let renderers draw graphs and are left out of equality and of the JSON output.
    """

    key: str
    kind: str
    status: FlowStatus
    old_key: str | None = None
    new_key: str | None = None
    metadata: tuple[ValueChange, ...] = ()
    start_action: tuple[str, str] | None = None
    content: tuple[ValueChange, ...] = ()
    actions: tuple[ActionChange, ...] = ()
    layout: LayoutChange = field(default_factory=LayoutChange)
    impacted_by: tuple[str, ...] = ()
    old: FlowDocument | None = field(default=None, compare=False, repr=False)
    new: FlowDocument | None = field(default=None, compare=False, repr=False)

    @property
    def semantic(self) -> bool:
        """True when a contact (or Connect's catalog) would see a difference."""
        if self.status in ("added", "removed", "renamed"):
            return True
        return bool(
            self.metadata
            or self.start_action
            or self.content
            or any(a.semantic for a in self.actions)
        )

    def actions_with(self, status: ActionStatus) -> list[ActionChange]:
        return [a for a in self.actions if a.status == status]


@dataclass(frozen=True)
class TreeDiff:
    """Flow-by-flow differences between two trees (unchanged flows are left out)."""

    flows: tuple[FlowDiff, ...]
    unchanged: int = 0
    old_label: str = "old"
    new_label: str = "new"

    @property
    def has_changes(self) -> bool:
        """Any semantic change: what ``--exit-code`` and drift report as exit 1."""
        return any(f.semantic for f in self.flows)

    def counts(self) -> dict[str, int]:
        """Number of flows per status, plus unchanged ones (layout-only count apart)."""
        out = dict.fromkeys(("added", "removed", "renamed", "changed", "layout"), 0)
        for f in self.flows:
            out[f.status] += 1
        out["unchanged"] = self.unchanged
        return out

    def flow(self, key: str) -> FlowDiff | None:
        """The diff of one flow by its (new or old) key."""
        for f in self.flows:
            if key in (f.key, f.old_key, f.new_key):
                return f
        return None
