"""One text table writer and one Markdown writer, used by every command."""

from __future__ import annotations

from pathlib import Path

from flowops.tables import markdown_table, summarize, text_table

ROOT = Path(__file__).resolve().parents[2]


def test_text_table_aligns_in_terminal_cells_and_never_truncates() -> None:
    long_name = "A flow whose name is much longer than any terminal column would allow" * 2
    text = text_table([("flow", "result"), ("問い合わせ", "restored"), (long_name, "left")])
    lines = text.splitlines()
    assert lines[0].index("result") == lines[1].index("restored") + 5  # 5 wide chars: 10 cells
    assert long_name in text and "…" not in text
    assert not set("│┃━─┏┗") & set(text)


def test_markdown_table_escapes_cells() -> None:
    table = markdown_table([("a", "b"), ("x|y", "two\nlines"), ("", "z")])
    assert table.splitlines() == ["| a | b |", "|---|---|", "| x\\|y | two lines |", "|   | z |"]


def test_summarize_keeps_long_lists_on_one_short_line() -> None:
    items = [f"Flow {i} v1->v2" for i in range(102)]
    line = summarize(items)
    assert line.endswith("and 98 more") and len(line) < 80
    assert summarize(items[:3]) == "Flow 0 v1->v2, Flow 1 v1->v2, Flow 2 v1->v2"


def test_no_command_draws_box_tables() -> None:
    """Box-drawn rich tables truncate names when piped: every table goes through tables.py."""
    users = [p for p in (ROOT / "flowops").rglob("*.py") if "rich.table" in p.read_text("utf-8")]
    assert users == []
