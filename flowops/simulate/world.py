"""The flows a simulation can enter: ``flows/`` on disk, or any mapping of flows.

Keys are flowops' symbolic references (``flow:Main Inbound``, ``module:Auth``); aliases
map other spellings (an ARN or an ID, in the sandbox) to a key.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from flowops.errors import BadInputError
from flowops.model.types import Flow


@dataclass(frozen=True)
class FlowEntry:
    """One flow or module the simulator can run."""

    key: str
    name: str
    kind: str
    type: str
    flow: Flow
    source: str | None = None


@dataclass
class FlowSet:
    """Flows by key, plus aliases (ARNs, IDs, names) that resolve to a key."""

    entries: dict[str, FlowEntry] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    def add(self, entry: FlowEntry, *aliases: str) -> None:
        self.entries[entry.key] = entry
        for alias in aliases:
            self.aliases[alias] = entry.key

    def resolve(self, ref: object) -> FlowEntry | None:
        """The flow a reference names: key, alias, ARN (by its last path part), or name."""
        if not isinstance(ref, str) or not ref:
            return None
        if ref in self.entries:
            return self.entries[ref]
        if ref in self.aliases:
            return self.entries.get(self.aliases[ref])
        tail = ref.rsplit("/", 1)[-1].split(":", 1)[0] if ref.startswith("arn:") else None
        if tail and tail in self.aliases:
            return self.entries.get(self.aliases[tail])
        return None

    def entry_flow(self, name: str) -> FlowEntry:
        """The flow a scenario enters, by name or key; bad input when unknown."""
        found = self.resolve(name) or self.entries.get(f"flow:{name}")
        if found is None:
            for entry in self.entries.values():
                if entry.name == name:
                    return entry
            known = ", ".join(sorted(e.name for e in self.entries.values() if e.kind == "flow"))
            raise BadInputError(f"no flow named {name!r} (known: {known})")
        return found

    def __iter__(self) -> Iterator[FlowEntry]:
        return iter(self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)


def flowset_from_documents(docs: Mapping[str, object]) -> FlowSet:
    """A FlowSet from a tree of ``FlowDocument`` keyed by ``flow_key``."""
    from flowops.model.document import FlowDocument

    out = FlowSet()
    for key, doc in docs.items():
        assert isinstance(doc, FlowDocument)
        entry = FlowEntry(
            key=key,
            name=doc.info.name,
            kind=doc.info.kind,
            type=doc.info.type if doc.info.kind == "flow" else "MODULE",
            flow=doc.flow,
            source=doc.source,
        )
        out.add(entry)
    return out


def load_flowset(root: str | Path) -> FlowSet:
    """Every flow under a folder (documents, raw exports, console exports)."""
    from flowops.repo import read_tree

    path = Path(root)
    if not path.exists():
        raise BadInputError(f"{path}: no such flows folder")
    return flowset_from_documents(read_tree(path))
