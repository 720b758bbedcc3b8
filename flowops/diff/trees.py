"""Two trees of flows (``flow:<name>`` -> document) -> ``TreeDiff``, with impact.

Flows are paired by key. Among flows present on one side only, a removed and an added
flow of the same kind are one *renamed* flow when they carry the same identity: the
``id`` or ``arn`` field of a flowops document header (ARN-neutral), or, for files that
carry neither, identical content (semantic content, ARN-neutral). A pair is made only
when it is unique. Everything else is added or removed.

Impact: for every flow with a semantic change, the flows that transfer to or invoke it,
directly or through others, from the cross-flow dependency graph of both trees merged
(the new side wins), so callers of a removed flow are found too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import replace

from flowops.diff.arns import neutralize
from flowops.diff.flows import diff_flows, one_sided_flow
from flowops.diff.matching import Normalize
from flowops.diff.result import FlowDiff, TreeDiff
from flowops.graph import Resolver, build_dependency_graph, impacted_by
from flowops.model.canonical import semantic_content
from flowops.model.document import FlowDocument

Tree = Mapping[str, FlowDocument]
_IDENTITY_FIELDS = ("id", "arn")


def _identity(doc: FlowDocument, normalize: Normalize) -> str | None:
    for name in _IDENTITY_FIELDS:
        value = doc.info.extra.get(name)
        if isinstance(value, str) and value:
            return f"{doc.info.kind}:{name}:{normalize(value)}"
    return None


def _content_identity(doc: FlowDocument, normalize: Normalize) -> str:
    content = json.dumps(normalize(semantic_content(doc.flow)), sort_keys=True)
    return f"{doc.info.kind}:content:{content}"


def _unique_pairs(
    removed: list[str],
    added: list[str],
    old: Tree,
    new: Tree,
    identity: Callable[[FlowDocument], str | None],
) -> dict[str, str]:
    groups: dict[str, tuple[list[str], list[str]]] = {}
    for key in removed:
        ident = identity(old[key])
        if ident is not None:
            groups.setdefault(ident, ([], []))[0].append(key)
    for key in added:
        ident = identity(new[key])
        if ident is not None:
            groups.setdefault(ident, ([], []))[1].append(key)
    return {o[0]: n[0] for o, n in groups.values() if len(o) == 1 and len(n) == 1}


def find_renames(old: Tree, new: Tree, normalize: Normalize = neutralize) -> dict[str, str]:
    """Old key -> new key of flows that were renamed (see the module docstring)."""
    removed = [k for k in old if k not in new]
    added = [k for k in new if k not in old]
    if not removed or not added:
        return {}
    renames = _unique_pairs(removed, added, old, new, lambda d: _identity(d, normalize))
    removed = [k for k in removed if k not in renames]
    added = [k for k in added if k not in renames.values()]
    if removed and added:
        renames.update(
            _unique_pairs(removed, added, old, new, lambda d: _content_identity(d, normalize))
        )
    return renames


def _same(a: FlowDocument, b: FlowDocument) -> bool:
    """Cheap exact equality, so unchanged flows in big trees cost almost nothing."""
    return a.info == b.info and a.flow.raw == b.flow.raw


def diff_trees(
    old: Tree,
    new: Tree,
    *,
    old_label: str = "old",
    new_label: str = "new",
    normalize: Normalize = neutralize,
    renames: Mapping[str, str] | None = None,
    resolve: Resolver | None = None,
) -> TreeDiff:
    """Flow-by-flow semantic diff of two trees.

    ``renames`` (old key -> new key) overrides rename detection, e.g. to compare two
    single files whatever their names. ``resolve`` maps a flow reference to a tree key
    for impact (default: symbolic references and plain names).
    """
    pairs = dict(renames) if renames is not None else find_renames(old, new, normalize)
    renamed_new = set(pairs.values())
    diffs: list[FlowDiff] = []
    unchanged = 0
    for key, doc in old.items():
        if key in pairs:
            target = pairs[key]
            found = diff_flows(
                doc,
                new[target],
                key=target,
                old_key=key,
                new_key=target,
                normalize=normalize,
                renamed=key != target,
            )
        elif key in new and key not in renamed_new:
            if _same(doc, new[key]):
                unchanged += 1
                continue
            found = diff_flows(doc, new[key], key=key, normalize=normalize)
        else:
            found = one_sided_flow(doc, key, "removed")
        if found is None:
            unchanged += 1
        else:
            diffs.append(found)
    for key, doc in new.items():
        if key not in old and key not in renamed_new:
            diffs.append(one_sided_flow(doc, key, "added"))
    diffs = _with_impact(diffs, old, new, resolve)
    diffs.sort(key=lambda d: d.key)
    return TreeDiff(
        flows=tuple(diffs), unchanged=unchanged, old_label=old_label, new_label=new_label
    )


def _with_impact(
    diffs: list[FlowDiff], old: Tree, new: Tree, resolve: Resolver | None
) -> list[FlowDiff]:
    semantic = [d for d in diffs if d.semantic]
    if not semantic:
        return diffs
    merged = dict(old)
    merged.update(new)
    graph = build_dependency_graph(merged, resolve)
    out: list[FlowDiff] = []
    for d in diffs:
        if not d.semantic:
            out.append(d)
            continue
        keys = {k for k in (d.key, d.old_key, d.new_key) if k}
        callers = impacted_by(graph, keys)
        out.append(replace(d, impacted_by=tuple(sorted(callers))))
    return out
