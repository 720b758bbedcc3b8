"""CLI command ``unlock``: clear an environment lock a killed run left (with confirmation)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from flowops.cli.common import (
    EnvironmentsOption,
    EnvOption,
    FormatOption,
    OutputFormat,
    YesOption,
    emit,
    err_console,
    handle_errors,
    json_failure,
)
from flowops.config import load_environment
from flowops.connect import ConnectClient
from flowops.deploy.lock import read_lock
from flowops.deploy.releases import ReleaseRecord
from flowops.deploy.transaction import unlock
from flowops.errors import BadInputError, CheckFailedError, recall
from flowops.schemas import stamp


def _document(env: str, lock_id: str, release: int | None) -> dict[str, Any]:
    """``unlock --format json`` (``flowops-unlock/1``): the environment, the lock id
    removed, the id of the ``unlock`` record."""
    return stamp("unlock", {"env": env, "lock": lock_id, "release": release, "ok": True})


def register(app: typer.Typer) -> None:
    """Add ``unlock`` to the root app."""

    @app.command("unlock")
    @handle_errors
    def unlock_cmd(
        lock_id: Annotated[
            str, typer.Argument(metavar="LOCK_ID", help="The lock id the lock error names.")
        ],
        env: EnvOption,
        yes: YesOption = False,
        environments: EnvironmentsOption = None,
        fmt: FormatOption = OutputFormat.text,
    ) -> None:
        """Clear the lock LOCK_ID that a killed or cancelled run left on an environment.

        Like `terraform force-unlock`: only the lock named is removed (a lock taken since
        is left alone), only after confirmation, and the unlock is recorded in the
        history; a release the killed run left half done is recorded as interrupted,
        so `flowops rollback` can undo it. Run it only when no run is writing.
        Exit codes: 0 unlocked, 1 not locked or locked by another lock id, 2 not
        confirmed, 3 Amazon Connect error.

        Example: flowops unlock --env prod 3f9a1c2e
        """

        def known(exc: BaseException) -> dict[str, Any]:
            record = recall(exc, ReleaseRecord)
            return _document(env, lock_id, record.id if record else None)

        with json_failure(fmt == OutputFormat.json, "unlock", known):
            environment = load_environment(env, environments)
            client = ConnectClient.for_environment(environment)
            held = read_lock(client)
            if held is None:
                raise CheckFailedError(f"environment {environment.name!r} is not locked")
            if not yes:
                stale = held.stale_reason(held.started.now(held.started.tzinfo))
                err_console.print(
                    f"lock {held.token} on {environment.name}: {held.holder.describe()}, taken "
                    f"{held.started.isoformat(timespec='seconds')}"
                    + (f" ({stale})" if stale else " (its holder may still be running)"),
                    highlight=False,
                    markup=False,
                )
                if not err_console.is_terminal:
                    raise BadInputError(
                        "unlock needs confirmation: pass --yes; nothing was changed"
                    )
                if not typer.confirm(f"Remove lock {lock_id} from {environment.name}?", err=True):
                    raise BadInputError("not confirmed; nothing was changed")
            record = unlock(client, lock_id)
            if fmt == OutputFormat.json:
                emit(json.dumps(_document(environment.name, lock_id, record.id), indent=2))
                return
            emit(
                f"Unlocked {environment.name} (lock {lock_id}); recorded as release {record.id}: "
                f"{record.message}"
            )
