"""Diff two sides, parsing only what can differ.

Folder and git sides arrive as raw files. A file with the same path and the same bytes on
both sides holds the same flow, so it is counted as unchanged without being parsed:
a pull request touching 10 of 1,000 flows parses about 20 files, not 2,000. Impact
still needs the callers of every changed flow, so unparsed files that mention a changed
flow's key (``"flow:Main IVR"`` as a JSON string) are parsed too, repeatedly, until no
new caller appears. The price: faults in files identical on both sides (a flow defined
twice, a broken file) are not reported here; ``flowops lint`` reports them.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace

from flowops.diff.arns import neutralize
from flowops.diff.matching import Normalize
from flowops.diff.result import TreeDiff
from flowops.diff.sources import RawFile, Side, parse_files
from flowops.diff.trees import diff_trees
from flowops.model.document import FlowDocument
from flowops.repo import FlowTree


def _mentions(keys: Iterable[str]) -> re.Pattern[bytes]:
    needles: set[bytes] = set()
    for key in keys:
        needles.add(json.dumps(key).encode())
        needles.add(json.dumps(key, ensure_ascii=False).encode("utf-8"))
    return re.compile(b"|".join(re.escape(n) for n in sorted(needles)))


def _callers(unparsed: dict[str, RawFile], keys: set[str]) -> FlowTree:
    """Parse the unparsed files that reference ``keys``, directly or through each other."""
    found: FlowTree = {}
    frontier = set(keys)
    while frontier and unparsed:
        pattern = _mentions(frontier)
        hits = [rel for rel, raw in unparsed.items() if pattern.search(raw.data)]
        parsed = parse_files(unparsed.pop(rel) for rel in hits)
        frontier = set(parsed) - set(found) - keys
        found.update(parsed)
    return found


def _named_by_file(doc: FlowDocument) -> bool:
    """True when the flow's name was taken from its file name (a raw export without
    ``Metadata.name`` or ``Name``): such a name is not the flow's, so not a change."""
    if doc.format != "content" or not doc.source:
        return False
    return doc.info.name == os.path.basename(doc.source).removesuffix(".json")


def _narrow(tree: Mapping[str, FlowDocument], keys: Iterable[str]) -> FlowTree:
    wanted = set(keys)
    return {k: v for k, v in tree.items() if k in wanted}


def compare_sides(old: Side, new: Side, *, normalize: Normalize = neutralize) -> TreeDiff:
    """The semantic diff of two sides (see ``flowops.diff.sources`` for single sides)."""

    def run(
        old_tree: FlowTree, new_tree: FlowTree, renames: dict[str, str] | None = None
    ) -> TreeDiff:
        return diff_trees(
            old_tree,
            new_tree,
            old_label=old.label,
            new_label=new.label,
            normalize=normalize,
            renames=renames,
        )

    if old.single or new.single or old.files is None or new.files is None:
        old_tree, new_tree = old.parsed(), new.parsed()
        if old.single and new.single and len(old_tree) == 1 and len(new_tree) == 1:
            (old_key,), (new_key,) = old_tree, new_tree
            old_doc, new_doc = old_tree[old_key], new_tree[new_key]
            if _named_by_file(old_doc) or _named_by_file(new_doc):
                # A raw export's name is its file name: two files, not a rename.
                info = replace(new_doc.info, name=old_doc.info.name)
                return run(old_tree, {old_key: replace(new_doc, info=info)})
            return run(old_tree, new_tree, {old_key: new_key})
        if old.single:
            new_tree = _narrow(new_tree, old_tree)
        elif new.single:
            old_tree = _narrow(old_tree, new_tree)
        return run(old_tree, new_tree)
    same = {
        rel
        for rel, raw in old.files.items()
        if rel in new.files and new.files[rel].data == raw.data
    }
    old_tree = parse_files(raw for rel, raw in old.files.items() if rel not in same)
    new_tree = parse_files(raw for rel, raw in new.files.items() if rel not in same)
    unparsed = {rel: old.files[rel] for rel in same}
    callers = _callers(unparsed, set(old_tree) | set(new_tree))
    for key, doc in callers.items():
        old_tree.setdefault(key, doc)
        new_tree.setdefault(key, doc)
    diff = run(old_tree, new_tree)
    return replace(diff, unchanged=diff.unchanged + len(unparsed))
