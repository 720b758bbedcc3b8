"""Folder sides: files identical on both sides are not parsed, callers still are."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flowops.diff import diff_trees
from flowops.diff.compare import compare_sides
from flowops.diff.sources import load_side
from flowops.repo import read_tree


def flow(name: str, *, text: str = "hi", transfer_to: str | None = None) -> dict[str, Any]:
    actions: list[dict[str, Any]] = [
        {
            "Identifier": "say",
            "Type": "MessageParticipant",
            "Parameters": {"Text": text},
            "Transitions": {"NextAction": "end"},
        },
        {"Identifier": "end", "Type": "DisconnectParticipant", "Parameters": {}},
    ]
    if transfer_to:
        actions.append(
            {
                "Identifier": "go",
                "Type": "TransferToFlow",
                "Parameters": {"ContactFlowId": transfer_to},
            }
        )
    return {
        "Version": "2019-10-30",
        "StartAction": "say",
        "Metadata": {"name": name},
        "Actions": actions,
    }


def write(root: Path, rel: str, data: dict[str, Any] | str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")


def trees(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old", tmp_path / "new"
    for root in (old, new):
        write(root, "b.json", flow("B", transfer_to="flow:A"))
        write(root, "sub/c.json", flow("C", transfer_to="flow:B"))
        write(root, "d.json", flow("D"))
    write(old, "a.json", flow("A"))
    write(new, "a.json", flow("A", text="hello"))
    write(old, "e.json", flow("E"))
    write(new, "moved/e.json", flow("E"))
    return old, new


def test_folder_diff_equals_the_full_diff(tmp_path: Path) -> None:
    old, new = trees(tmp_path)
    lazy = compare_sides(load_side(str(old)), load_side(str(new)))
    full = diff_trees(read_tree(old), read_tree(new), old_label=str(old), new_label=str(new))
    assert lazy == full
    (only,) = lazy.flows
    assert only.key == "flow:A" and only.impacted_by == ("flow:B", "flow:C")
    assert lazy.unchanged == 4


def test_broken_file_identical_on_both_sides_is_not_parsed(tmp_path: Path) -> None:
    old, new = trees(tmp_path)
    for root in (old, new):
        write(root, "broken.json", "{ not json")
    lazy = compare_sides(load_side(str(old)), load_side(str(new)))
    assert [f.key for f in lazy.flows] == ["flow:A"] and lazy.unchanged == 5
