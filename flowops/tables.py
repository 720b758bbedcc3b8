"""The one table writer for text and the one for Markdown, used by every command.

Text tables are plain aligned columns (no box drawing, nothing truncated), so they read
the same in a terminal, a CI log or a pipe; widths are in terminal cells, so wide
characters line up too. Markdown tables are GitHub's pipe tables, cells escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len


def text_table(rows: Sequence[Sequence[str]]) -> str:
    """Aligned columns, two spaces apart; the first row is the header."""
    if not rows:
        return ""
    widths = [max(cell_len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell + " " * (widths[i] - cell_len(cell)) for i, cell in enumerate(r)).rstrip()
        for r in rows
    )


def markdown_cell(text: str) -> str:
    """A Markdown table cell: pipes escaped, on one line."""
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(rows: Sequence[Sequence[str]]) -> str:
    """A GitHub pipe table; the first row is the header. Cells are escaped here."""
    head, *body = rows
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(markdown_cell(c) or " " for c in r) + " |" for r in body]
    return "\n".join(lines)


def summarize(items: Sequence[str], *, limit: int = 4) -> str:
    """``a, b, c, d and 98 more``: a list that stays one readable line."""
    shown = ", ".join(items[:limit])
    rest = len(items) - limit
    return f"{shown} and {rest} more" if rest > 0 else shown
