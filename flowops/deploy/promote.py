"""Promote: the flows at a git revision -> an environment (plan, then apply).

The desired state is read from git (``flows/`` at ``ref``, default HEAD), never from the
work tree, so what is released is exactly a commit, named in every record. A protected
environment needs a clean work tree and an explicit confirmation (``--yes`` in CI). On
success a git tag ``flowops/<env>/<release id>`` marks the commit when run in the repo.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import git

from flowops.config import Environment, load_environment
from flowops.connect import ConnectClient
from flowops.deploy.apply import ApplyResult, Progress, ReleaseMeta, apply_plan
from flowops.deploy.apply import dry_run as dry_run_calls
from flowops.deploy.plan import Plan, make_plan
from flowops.errors import BadInputError
from flowops.repo import FLOWS_DIR, FlowTree, open_repo, read_tree_at


@dataclass(frozen=True)
class PromoteResult:
    """The plan, what apply did (None for a dry run) and the git tag made, if any."""

    plan: Plan
    applied: ApplyResult | None
    tag: str | None = None
    warnings: tuple[str, ...] = ()
    #: a dry run: (operation, flow) of each write the executor would make, in order
    planned_calls: tuple[tuple[str, str], ...] = ()


def as_environment(env: Environment | str) -> Environment:
    """An environment object from itself or a name / path of ``environments/*.yaml``."""
    return env if isinstance(env, Environment) else load_environment(env)


def desired_state(repo: git.Repo, ref: str, flows_dir: str | Path) -> tuple[FlowTree, str]:
    """The flows at ``ref`` and the commit sha it names."""
    try:
        sha = repo.commit(ref).hexsha
    except (git.BadName, ValueError):
        raise BadInputError(f"unknown git revision {ref!r}") from None
    top = Path(repo.working_tree_dir or ".").resolve()
    folder = Path(flows_dir)
    if folder.is_absolute():
        try:
            folder = folder.resolve().relative_to(top)
        except ValueError:
            raise BadInputError(f"{flows_dir}: not inside the repository {top}") from None
    subdir = folder.as_posix()
    try:
        exists = subdir in ("", ".") or isinstance(repo.commit(sha).tree / subdir, git.Tree)
    except KeyError:
        exists = False
    if not exists:
        raise BadInputError(
            f"{subdir}: no such folder at {ref} ({sha[:12]}); nothing to compare "
            "(is --flows right, and are the flows committed?)"
        )
    return read_tree_at(repo, sha, subdir), sha


def _dirty(repo: git.Repo, flows_dir: str) -> list[str]:
    changed = [d.a_path for d in repo.index.diff(None)] + [
        d.a_path for d in repo.index.diff("HEAD")
    ]
    untracked = [p for p in repo.untracked_files if p.startswith(flows_dir.rstrip("/") + "/")]
    return sorted({str(p) for p in changed + untracked})


def promote(
    env: Environment | str,
    ref: str = "HEAD",
    repo_path: str | Path = ".",
    *,
    dry_run: bool = False,
    yes: bool = False,
    flows_dir: str = FLOWS_DIR,
    auto_restore: bool = True,
    client: ConnectClient | None = None,
    confirm: Callable[[Plan], bool] | None = None,
    progress: Progress | None = None,
    who: str | None = None,
    tag: bool = True,
    on_signal: Callable[[int], None] | None = None,
) -> PromoteResult:
    """Plan the flows at ``ref`` against ``env`` and, unless ``dry_run``, apply the plan.

    ``confirm(plan)`` is asked for a protected environment when ``yes`` is False; without
    it (or when it says no) nothing is written and ``BadInputError`` explains why.
    """
    environment = as_environment(env)
    repo = open_repo(repo_path)
    desired, sha = desired_state(repo, ref, flows_dir)
    if environment.protected and not dry_run:
        dirty = _dirty(repo, flows_dir)
        if dirty:
            raise BadInputError(
                f"environment {environment.name!r} is protected and the work tree is not "
                f"clean ({', '.join(dirty[:5])}{' ...' if len(dirty) > 5 else ''}); "
                "commit or discard changes first"
            )
    client = client or ConnectClient.for_environment(environment)
    calls_before = Counter(client.calls)
    plan = make_plan(environment, desired, client, ref=ref, commit=sha)
    if dry_run:
        return PromoteResult(plan, None, planned_calls=dry_run_calls(plan, client))
    if environment.protected and plan.changes and not yes:
        if confirm is None or not confirm(plan):
            raise BadInputError(
                f"environment {environment.name!r} is protected: confirm the plan "
                "(answer yes, or pass --yes in CI); nothing was written"
            )
    applied = apply_plan(
        plan,
        client,
        release_meta=ReleaseMeta(commit=sha, ref=ref, who=who),
        auto_restore=auto_restore,
        progress=progress,
        on_signal=on_signal,
    )
    applied = replace(applied, calls=dict(client.calls - calls_before))
    made: str | None = None
    warnings: list[str] = []
    if tag and applied.release is not None:
        name = f"flowops/{environment.name}/{applied.release.id}"
        try:
            repo.create_tag(
                name,
                ref=sha,
                message=f"flowops release {applied.release.id} "
                f"to {environment.name} ({len(applied.outcomes)} flow(s))",
            )
            made = name
        except git.GitCommandError as exc:
            warnings.append(f"git tag {name} not created: {exc.stderr.strip() or exc}")
    return PromoteResult(plan, applied, made, tuple(warnings))
