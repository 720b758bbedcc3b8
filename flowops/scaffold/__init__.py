"""A team's flows repository, scaffolded: what ``flowops init`` writes.

The repository holds ``environments/`` (one file per Amazon Connect instance),
``flows/`` (empty until ``flowops export``), ``scenarios/``, a ``.gitignore``, a
``.pre-commit-config.yaml`` and the GitHub workflows. The workflows are flowops' own
(``.github/workflows`` of this project, shipped in the package through the ``github``
link next to this file), rewritten for a repository that is not flowops: the composite
actions are used from :data:`flowops.SOURCE_REPOSITORY` at the release tag, and the
package installed is the released distribution pinned to this version.

The environment files are generated here too; the project's own ``environments/`` are
this generator's sandbox defaults (a test keeps them equal), so the demo and ``init``
never depend on files outside the package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import git

from flowops import DISTRIBUTION, SOURCE_REPOSITORY, __version__
from flowops.config import DEFAULT_EXCLUDES
from flowops.errors import BadInputError

#: Workflows a team's repository gets (flowops' own CI is not one of them).
TEAM_WORKFLOWS = ("flows-pr.yml", "deploy.yml", "promote-stage.yml", "drift.yml", "rollback.yml")
#: The environments of the embedded sandbox (``flowops sandbox seed`` creates them).
SANDBOX_ACCOUNTS = {"dev": "111111111111", "staging": "222222222222", "prod": "333333333333"}
SANDBOX_INSTANCE = "flowops-sandbox"
DEFAULT_REGION = "us-east-1"
_ACCOUNT = re.compile(r"^\d{12}$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class EnvironmentSpec:
    """One environment to write: an Amazon Connect instance in an account."""

    name: str
    account_id: str
    region: str = DEFAULT_REGION
    instance: str = SANDBOX_INSTANCE
    protected: bool = False
    sandbox: bool = False

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise BadInputError(f"environment name {self.name!r}: use letters, digits, . _ -")
        if not _ACCOUNT.match(self.account_id):
            raise BadInputError(
                f"environment {self.name!r}: account {self.account_id!r} is not 12 digits"
            )


def sandbox_environments() -> list[EnvironmentSpec]:
    """dev, staging and prod on the embedded sandbox (prod protected), as the demo uses."""
    return [
        EnvironmentSpec(name, account, protected=name == "prod", sandbox=True)
        for name, account in SANDBOX_ACCOUNTS.items()
    ]


def parse_account(text: str, *, region: str, instance: str, protected: bool) -> EnvironmentSpec:
    """``NAME=ACCOUNT_ID`` (as ``flowops init --account`` takes it) as a spec."""
    name, sep, account = text.partition("=")
    if not sep:
        raise BadInputError(f"--account {text!r}: expected NAME=ACCOUNT_ID, e.g. dev=111111111111")
    return EnvironmentSpec(
        name.strip(), account.strip(), region=region, instance=instance, protected=protected
    )


def environment_yaml(spec: EnvironmentSpec) -> str:
    """The text of ``environments/<name>.yaml`` for ``spec``, commented for a first reader."""
    endpoint = (
        "endpoint_url: sandbox            # embedded sandbox; e.g. http://127.0.0.1:8787 for "
        "`flowops sandbox serve`\n"
        if spec.sandbox
        else ""
    )
    where = (
        "# On the embedded sandbox. For real AWS: remove endpoint_url and set region,\n"
        if spec.sandbox
        else "# On real AWS: check region,\n"
    )
    excludes = ", ".join(f'"{p}"' for p in DEFAULT_EXCLUDES)
    return (
        f"# flowops environment {spec.name!r} (docs/aws.md, docs/adopting.md).\n"
        f"{where}"
        "# account_id, instance (the Amazon Connect instance id or alias) and auth\n"
        "# (an SSO profile, or a role to assume).\n"
        f"name: {spec.name}\n"
        f"region: {spec.region}\n"
        f'account_id: "{spec.account_id}"\n'
        f"instance: {spec.instance}        # instance id or alias\n"
        f"{endpoint}"
        "auth:\n"
        "  # profile: my-sso-profile\n"
        f"  # role_arn: arn:aws:iam::{spec.account_id}:role/flowops-deployer\n"
        "  # external_id: optional\n"
        f"protected: {'true' if spec.protected else 'false'}\n"
        "managed:\n"
        '  names: ["*"]\n'
        "  # AWS's default and sample flows are left alone unless named exactly in names;\n"
        "  # `exclude: []` manages them too.\n"
        f"  exclude: [{excludes}]\n"
        "overrides: {}\n"
    )


def team_workflow(text: str, *, version: str = __version__) -> str:
    """One of flowops' workflows as a team's repository uses it.

    ``uses: ./.github/actions/NAME`` becomes the published action at the release tag, and
    ``package: .`` (this checkout) the released distribution pinned to ``version``.
    """
    text = re.sub(
        r"uses: \./\.github/actions/([\w-]+)",
        lambda m: f"uses: {SOURCE_REPOSITORY}/.github/actions/{m[1]}@v{version}",
        text,
    )
    return re.sub(r"(?m)^(\s*)package: \.\s*$", rf"\1package: {DISTRIBUTION}=={version}", text)


def workflow_source(name: str) -> str:
    """flowops' own ``.github/workflows/NAME``, as shipped in the package."""
    source = resources.files("flowops.scaffold").joinpath("github", "workflows", name)
    return source.read_text(encoding="utf-8")


GITIGNORE = """\
# flowops' local state (the embedded sandbox's database, caches)
.flowops/
# Python
.venv/
__pycache__/
"""

SCENARIOS_README = """\
# Scenarios

Contact scenarios for `flowops test`: each file walks one contact through the flows
(inputs, expected prompts and transfers). See the flowops documentation.
"""

FLOWS_README = """\
# Flows

One canonical file per contact flow (modules in `modules/`), written by
`flowops export --env dev` and reviewed like code. Do not edit by hand what the designer
owns; `flowops fmt` keeps the files canonical and `flowops lint` checks them.
"""


def pre_commit_config(version: str = __version__) -> str:
    """``.pre-commit-config.yaml`` using flowops' hooks at the release tag."""
    return (
        "# pre-commit hooks (https://pre-commit.com): `pre-commit install` once per clone.\n"
        "repos:\n"
        f"  - repo: https://github.com/{SOURCE_REPOSITORY}\n"
        f"    rev: v{version}\n"
        "    hooks:\n"
        "      - id: flowops-fmt\n"
        "      - id: flowops-lint\n"
    )


def scaffold_files(
    environments: list[EnvironmentSpec], *, version: str = __version__
) -> dict[str, str]:
    """Every file ``flowops init`` writes: repository-relative path -> text."""
    if not environments:
        raise BadInputError("no environments: give at least one (--account NAME=ACCOUNT_ID)")
    names = [spec.name for spec in environments]
    if len(set(names)) != len(names):
        raise BadInputError(f"environment names repeat: {', '.join(names)}")
    files = {f"environments/{spec.name}.yaml": environment_yaml(spec) for spec in environments}
    files.update(
        {
            ".gitignore": GITIGNORE,
            ".pre-commit-config.yaml": pre_commit_config(version),
            "flows/README.md": FLOWS_README,
            "scenarios/README.md": SCENARIOS_README,
        }
    )
    for name in TEAM_WORKFLOWS:
        files[f".github/workflows/{name}"] = team_workflow(workflow_source(name), version=version)
    return files


@dataclass
class InitResult:
    """What ``init_repository`` did."""

    root: Path
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # existed and differ (no --force)
    git_initialized: bool = False


def init_repository(
    root: Path, environments: list[EnvironmentSpec], *, force: bool = False
) -> InitResult:
    """Write the scaffold under ``root`` (made a git repository when it is not one).

    Files that exist with other content are kept (listed in ``kept``) unless ``force``.
    """
    files = scaffold_files(environments)
    root.mkdir(parents=True, exist_ok=True)
    result = InitResult(root)
    for rel, text in files.items():
        path = root / rel
        if path.exists() and not force:
            if path.read_text(encoding="utf-8") != text:
                result.kept.append(rel)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        result.written.append(rel)
    try:
        git.Repo(root, search_parent_directories=False)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        git.Repo.init(root, initial_branch="main")
        result.git_initialized = True
    return result
