"""Semantic diff of flows and trees of flows, and its renderers.

``diff_trees(old, new)`` and ``diff_flows(old_doc, new_doc, key=...)`` return data
(``TreeDiff``/``FlowDiff``); ``compare_sides(load_side(a), load_side(b))`` reads the
sides first (files, folders, git revisions, environments: ``flowops.diff.sources``);
``render_text``/``render_json``/``render_markdown``/``render_mermaid`` (one module each)
turn the result into output. Drift is ``flowops.deploy.drift.drift``. Nothing here prints.
The rules (matching, ARNs, renames, layout) are in docs/diff-json.md.
"""

from flowops.diff.arns import neutral_arn, neutralize
from flowops.diff.compare import compare_sides
from flowops.diff.flows import diff_flows
from flowops.diff.matching import Matching, match_actions
from flowops.diff.result import (
    ActionChange,
    BranchChange,
    FlowDiff,
    LayoutChange,
    TreeDiff,
    ValueChange,
)
from flowops.diff.trees import diff_trees, find_renames

__all__ = [
    "ActionChange",
    "BranchChange",
    "FlowDiff",
    "LayoutChange",
    "Matching",
    "TreeDiff",
    "ValueChange",
    "compare_sides",
    "diff_flows",
    "diff_trees",
    "find_renames",
    "match_actions",
    "neutral_arn",
    "neutralize",
]
