"""What an environment last received of each flow file, so export never undoes git work.

An environment receives a flow's content two ways: ``export`` writes what it holds into
``flows/`` (recorded here, per environment, in ``flowops/exports/<env>.json`` inside the
repository's git directory, so the work tree stays clean: a hash of each file's text),
and ``promote`` writes a commit into it (the git tag ``flowops/<env>/<release id>`` marks
that commit). When a tracked file's committed
text is none of those, someone committed a change the environment never received (a fix
merged after the last export): export leaves that file alone and names it, unless forced.
With neither record (a first export), nothing is known and nothing is kept.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

import git

STATE_DIR = Path("flowops") / "exports"  # under the git directory (.git/)


def text_hash(text: str) -> str:
    """The hash recorded for a file's text (trailing newlines aside: git output drops them)."""
    return hashlib.sha256(text.rstrip("\n").encode("utf-8")).hexdigest()


def _top(repo: git.Repo) -> Path:
    return Path(repo.working_tree_dir or ".").resolve()


def _state_file(repo: git.Repo, env: str) -> Path:
    return Path(repo.git_dir).resolve() / STATE_DIR / f"{env}.json"


def _exported(repo: git.Repo, env: str) -> dict[str, str]:
    path = _state_file(repo, env)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def record_export(repo: git.Repo, env: str, texts: Mapping[Path, str]) -> None:
    """Remember the text of each file as ``env`` gave it (after an export wrote it)."""
    state = _exported(repo, env)
    top = _top(repo)
    for path, text in texts.items():
        state[path.resolve().relative_to(top).as_posix()] = text_hash(text)
    target = _state_file(repo, env)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(state, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _released(repo: git.Repo, env: str, rel: str) -> str | None:
    """The file's text at the newest release tag of ``env`` (None without one)."""
    prefix = f"flowops/{env}/"
    tags = [t for t in repo.tags if t.name.startswith(prefix) and t.name[len(prefix) :].isdigit()]
    if not tags:
        return None
    newest = max(tags, key=lambda t: int(t.name[len(prefix) :]))
    try:
        blob = newest.commit.tree / rel
    except KeyError:
        return None
    return bytes(blob.data_stream.read()).decode("utf-8")


def committed_since_received(repo: git.Repo, env: str, paths: list[Path]) -> list[Path]:
    """Files among ``paths`` whose committed text ``env`` has never received."""
    exported = _exported(repo, env)
    top = _top(repo)
    out: list[Path] = []
    for path in paths:
        rel = path.resolve().relative_to(top).as_posix()
        try:
            committed = repo.git.show(f"HEAD:{rel}")
        except git.GitCommandError:
            continue  # untracked: the uncommitted-changes check owns it
        received = {exported[rel]} if rel in exported else set()
        released = _released(repo, env, rel)
        if released is not None:
            received.add(text_hash(released))
        if received and text_hash(committed) not in received:
            out.append(path)
    return out
