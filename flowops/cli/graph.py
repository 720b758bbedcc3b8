"""CLI command ``graph``: print one flow's action graph as Mermaid, DOT or JSON."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from flowops.cli.common import emit, handle_errors
from flowops.graph import build_dependency_graph, build_flow_graph, to_dot, to_json, to_mermaid
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
        flow_file: Annotated[
            Path,
            typer.Argument(
                metavar="PATH", help="A flow file (document or raw export), or a folder of flows."
            ),
        ],
        fmt: Annotated[
            GraphFormat, typer.Option("--format", "-f", help="Output format.")
        ] = GraphFormat.mermaid,
    ) -> None:
        """Print the flow's action graph: success, condition and error branches.

        Given a folder, print the cross-flow graph instead: an edge A -> B when flow A \
        transfers to, invokes or hooks flow or module B (edge label: the parameter).

        Example: flowops graph flows/Main-Inbound.json --format dot | dot -Tsvg > main.svg
        """
        if flow_file.is_dir():
            from flowops.repo import read_tree

            emit(_RENDER[fmt](build_dependency_graph(read_tree(flow_file))))
            return
        doc = load_document(flow_file)
        emit(_RENDER[fmt](build_flow_graph(doc.flow)))
