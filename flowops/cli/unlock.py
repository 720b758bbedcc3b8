"""CLI command ``unlock``: clear an environment lock a killed run left (with confirmation)."""

from __future__ import annotations

from typing import Annotated

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
)
from flowops.config import load_environment
from flowops.connect import ConnectClient
from flowops.deploy.lock import read_lock
from flowops.deploy.transaction import unlock
from flowops.errors import BadInputError, CheckFailedError


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
                raise BadInputError("unlock needs confirmation: pass --yes; nothing was changed")
            if not typer.confirm(f"Remove lock {lock_id} from {environment.name}?", err=True):
                raise BadInputError("not confirmed; nothing was changed")
        record = unlock(client, lock_id)
        if fmt == OutputFormat.json:
            emit(f'{{"env": "{environment.name}", "lock": "{lock_id}", "release": {record.id}}}')
            return
        emit(
            f"Unlocked {environment.name} (lock {lock_id}); recorded as release {record.id}: "
            f"{record.message}"
        )
