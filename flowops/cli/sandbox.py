"""CLI commands: ``flowops sandbox serve``, ``seed`` and ``traffic``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flowops.cli.common import EnvironmentsOption, EnvOption, emit, handle_errors
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


@sandbox_app.command("traffic")
@handle_errors
def traffic_command(
    env: EnvOption,
    flow: Annotated[str, typer.Option("--flow", metavar="NAME", help="The entry flow.")],
    contacts: Annotated[
        int, typer.Option("--contacts", "-n", metavar="N", min=1, help="Contacts to send.")
    ] = 100,
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Random seed.")] = 0,
    environments: EnvironmentsOption = None,
) -> None:
    """Send simulated contacts through an entry flow of a sandbox environment.

    Each contact runs the flows as deployed (flowops' simulator): callers' key presses,
    Lambda answers and percentage draws are random (seeded); what each flow did is what
    GetMetricDataV2's flow metrics then report (flowops measure). Prints a JSON summary.

    Example: flowops sandbox traffic --env dev --flow "Main Inbound" --contacts 500
    """
    import json

    from flowops.config import load_environment
    from flowops.connect import ConnectClient
    from flowops.sandbox.embedded import admin_post

    environment = load_environment(env, environments)
    if environment.endpoint_url is None:
        raise BadInputError(
            f"{environment.source}: environment {environment.name!r} is not a sandbox"
            " (endpoint_url): simulated traffic goes to a sandbox only"
        )
    client = ConnectClient.for_environment(environment)
    payload = {"instance_id": client.instance_id, "flow": flow, "contacts": contacts, "seed": seed}
    try:
        summary = admin_post(client.endpoint_url, "traffic", payload)
    except (ValueError, OSError) as exc:
        raise BadInputError(f"sandbox traffic to {flow!r} in {environment.name!r}: {exc}") from None
    emit(json.dumps(summary, indent=2))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(sandbox_app, name="sandbox")
