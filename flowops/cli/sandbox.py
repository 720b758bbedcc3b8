"""CLI commands: ``flowops sandbox serve`` and ``flowops sandbox seed``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flowops.cli.common import emit, handle_errors
from flowops.errors import BadInputError
from flowops.sandbox.embedded import DEFAULT_DB

sandbox_app = typer.Typer(
    name="sandbox",
    help="A local Amazon Connect endpoint that real boto3 talks to (no AWS account needed).",
    no_args_is_help=True,
)

DbOption = Annotated[
    Path,
    typer.Option(
        "--db",
        metavar="PATH",
        help="SQLite database file (':memory:' for a throwaway one).",
        envvar="FLOWOPS_SANDBOX_DB",
    ),
]


@sandbox_app.command("serve")
@handle_errors
def serve(
    port: Annotated[
        int,
        typer.Option(
            "--port", min=0, max=65535, metavar="PORT", help="Port to listen on (0: a free one)."
        ),
    ] = 8787,
    host: Annotated[str, typer.Option("--host", metavar="HOST", help="Address to bind.")] = (
        "127.0.0.1"
    ),
    db: DbOption = DEFAULT_DB,
    no_quotas: Annotated[
        bool, typer.Option("--no-quotas", help="Do not enforce Connect's API rate quotas.")
    ] = False,
    seed: Annotated[
        bool, typer.Option("--seed/--no-seed", help="Seed dev, staging and prod first.")
    ] = True,
    lag: Annotated[
        str,
        typer.Option(
            "--lag",
            metavar="SPEC",
            help="Eventual consistency in seconds, e.g. search=2,not_found=1,tags=1 "
            "(docs/sandbox.md).",
            envvar="FLOWOPS_SANDBOX_LAG",
        ),
    ] = "",
) -> None:
    """Serve the sandbox in the foreground until Ctrl-C.

    Example: flowops sandbox serve --port 8787 --db sandbox.db
    """
    from flowops.sandbox.config import Lag, SandboxConfig
    from flowops.sandbox.server import SandboxServer

    config = SandboxConfig.from_env()
    config.lag = Lag.parse(lag)
    if no_quotas:
        config.enforce_quotas = False
    server = SandboxServer(str(db), config=config, host=host, port=port)
    if seed:
        server.seed()
    quota = (
        "off"
        if not config.enforce_quotas
        else (f"{config.default_quota.rate:g}/s burst {config.default_quota.burst}")
    )

    def ready(url: str) -> None:
        lagging = f", lag {lag}" if config.lag.enabled else ""
        typer.echo(
            f"flowops sandbox on {url} (db {db}, quotas {quota}{lagging}); Ctrl-C stops", err=True
        )

    try:
        server.serve_forever(on_ready=ready)
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        raise BadInputError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    finally:
        server.store.close()


@sandbox_app.command("seed")
@handle_errors
def seed_command(db: DbOption = DEFAULT_DB) -> None:
    """Create the dev, staging and prod accounts, their instances, catalog and dev flows.

    Example: flowops sandbox seed --db sandbox.db
    """
    import json

    from flowops.sandbox.seed import seed

    summary = seed(str(db))
    from flowops.schemas import stamp

    emit(json.dumps(stamp("sandbox-seed", dict(summary)), indent=2))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(sandbox_app, name="sandbox")
