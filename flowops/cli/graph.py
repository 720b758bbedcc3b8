"""CLI command ``graph``: print one flow's action graph as Mermaid, DOT or JSON."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from flowops.cli.common import emit, handle_errors
from flowops.graph import build_flow_graph, to_dot, to_json, to_mermaid
from flowops.model.parse import load_document


class GraphFormat(StrEnum):
    """Output formats of ``flowops graph``."""

    mermaid = "mermaid"
    dot = "dot"
    json = "json"


_RENDER = {GraphFormat.mermaid: to_mermaid, GraphFormat.dot: to_dot, GraphFormat.json: to_json}


def register(app: typer.Typer) -> None:
    """Add ``graph`` to the root app."""

    @app.command("graph")
    @handle_errors
    def graph(
        flow_file: Annotated[Path, typer.Argument(help="A flow file (document or raw export).")],
        fmt: Annotated[
            GraphFormat, typer.Option("--format", "-f", help="Output format.")
        ] = GraphFormat.mermaid,
    ) -> None:
        """Print the flow's action graph: success, condition and error branches."""
        doc = load_document(flow_file)
        emit(_RENDER[fmt](build_flow_graph(doc.flow)))
