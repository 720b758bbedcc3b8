"""Real flows from real teams: corpus flows dev -> staging -> prod, checked with plain boto3.

Loads corpus flows (``../shared/corpus``) into the sandbox's dev account with every
resource they name recreated there, and same-named resources in staging and prod
(``tests.support.realflows``); then ``export --env dev``, a commit, ``promote`` to
staging and to prod, and checks with plain boto3 that in each target:

* every flow and module is there, with the same name and type;
* its content is the dev content with each reference replaced by the target's
  same-named resource *in its original form* (bare id, ARN, qualified ARN), nothing else
  changed (``Version``, ``StartAction``, ``Actions``, module ``Settings``);
* no dev account id, instance id or resource id remains anywhere in it (``Metadata``
  included), nor in any file under ``flows/``;
* a second promote makes zero write calls.

``python -m bench realflows`` runs every corpus flow and records the counts in
``bench/results.md``; the test suite runs a seeded sample (``tests/integration``).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.results import replace_section
from flowops.connect import ConnectClient
from flowops.deploy.export import export_env
from flowops.deploy.promote import promote
from flowops.sandbox import SandboxConfig, SandboxServer
from flowops.sandbox.config import Limits
from flowops.sandbox.seed import ACCOUNTS, instance_id_for
from tests.support import WRITE_PREFIXES, git_repo, sandbox_environment
from tests.support.clients import make_client
from tests.support.realflows import PREFIX, Corpus, Loaded, expected_in, load, prepare

TARGETS = ("staging", "prod")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass
class Report:
    """What a run covered and what it found wrong (``problems`` empty: all checks hold)."""

    files: int
    loaded: int = 0
    modules: int = 0
    stubs: int = 0
    templated: int = 0
    drafts: int = 0
    references: int = 0
    left_out: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    writes: dict[str, int] = field(default_factory=dict)  # env -> writes of the first promote
    rewrites: dict[str, int] = field(default_factory=dict)  # env -> writes of the second
    seconds: dict[str, float] = field(default_factory=dict)


def live_flows(client: Any, instance_id: str) -> dict[str, dict[str, Any]]:
    """Every ``rf-`` flow and module of an instance by name: type, id, content, settings."""
    out: dict[str, dict[str, Any]] = {}
    for lister, key, describe, id_param, single in (
        (
            "list_contact_flows",
            "ContactFlowSummaryList",
            "describe_contact_flow",
            "ContactFlowId",
            "ContactFlow",
        ),
        (
            "list_contact_flow_modules",
            "ContactFlowModulesSummaryList",
            "describe_contact_flow_module",
            "ContactFlowModuleId",
            "ContactFlowModule",
        ),
    ):
        for page in client.get_paginator(lister).paginate(InstanceId=instance_id):
            for item in page[key]:
                if item["Name"].startswith(PREFIX):
                    found = getattr(client, describe)(
                        InstanceId=instance_id, **{id_param: item["Id"]}
                    )[single]
                    out[item["Name"]] = {"type": found.get("Type", "MODULE"), **found}
                    out[item["Name"]]["id"] = found["Id"]
    return out


def _replace(text: str, mapping: dict[str, str]) -> str:
    # longest first, so an ARN is replaced before an id inside it
    for old in sorted(mapping, key=len, reverse=True):
        text = text.replace(old, mapping[old])
    return text


def first_difference(a: Any, b: Any, path: str = "$") -> str:
    """Where two JSON values first differ, and how (for problem reports)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                return first_difference(a.get(key), b.get(key), f"{path}.{key}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return first_difference(x, y, f"{path}[{i}]")
    return f"{path}: expected {json.dumps(a)[:120]}, got {json.dumps(b)[:120]}"


def _semantic(content: dict[str, Any]) -> dict[str, Any]:
    """Content without layout; actions by identifier (canonical form orders them)."""
    out = {k: v for k, v in content.items() if k != "Metadata"}
    actions = out.get("Actions")
    if isinstance(actions, list):
        out["Actions"] = sorted(actions, key=lambda a: str(a.get("Identifier")))
    return out


def check_target(
    report: Report,
    env: str,
    dev_loaded: Loaded,
    target: Loaded,
    dev_flows: dict[str, dict[str, Any]],
    target_flows: dict[str, dict[str, Any]],
) -> None:
    """Compare a target's flows with dev's, each reference mapped to the target's own."""
    target.flow_ids = {name: flow["id"] for name, flow in target_flows.items()}
    mapping = expected_in(dev_loaded, target)
    # dev's own ids: every value that differs in the target (Lex V1 bot names do not)
    dev_ids = {dev_loaded.account, dev_loaded.instance_id, *dev_loaded.flow_ids.values()} | {
        v for o, v in dev_loaded.values.items() if v and target.values.get(o) != v
    }
    for name, dev in sorted(dev_flows.items()):
        live = target_flows.get(name)
        if live is None:
            report.problems.append(f"{env}: {name} missing")
            continue
        if live["type"] != dev["type"]:
            report.problems.append(f"{env}: {name} type {live['type']} != {dev['type']}")
        expected = json.loads(_replace(dev["Content"], mapping))
        got = json.loads(live["Content"])
        if _semantic(got) != _semantic(expected):
            where = first_difference(_semantic(expected), _semantic(got))
            report.problems.append(f"{env}: {name} content differs from dev's, remapped: {where}")
        if dev.get("Settings") and json.loads(live.get("Settings") or "{}") != json.loads(
            dev["Settings"]
        ):
            report.problems.append(f"{env}: {name} module Settings differ")
        blob = json.dumps(live, default=str)
        leaked = sorted(i for i in dev_ids if i in blob)
        if leaked:
            report.problems.append(f"{env}: {name} holds dev ids {leaked[:3]}")


def sample(files: list[Path], size: int | None, seed: int = 10) -> list[Path]:
    """``size`` corpus files chosen by ``seed`` (all of them for None)."""
    if size is None or size >= len(files):
        return files
    return sorted(random.Random(seed).sample(files, size))


def run(files: list[Path], work: Path) -> Report:
    """Load, export, promote twice to staging and prod, and check (see the module doc)."""
    corpus: Corpus = prepare(files)
    report = Report(files=len(files), left_out=dict(corpus.left_out))
    report.templated = sum(f.templated for f in corpus.flows)
    report.drafts = sum(f.draft for f in corpus.flows)
    limits = Limits(flows_per_instance=5000, modules_per_instance=5000)
    with SandboxServer(":memory:", config=SandboxConfig.for_tests(limits=limits)) as server:
        server.seed()
        clients = {name: make_client(server.url, account) for name, account in ACCOUNTS.items()}
        loaded: dict[str, Loaded] = {}
        started = time.perf_counter()
        for name, account in ACCOUNTS.items():
            loaded[name] = load(
                corpus,
                clients[name],
                instance_id_for(account),
                account,
                sandbox=server,
                with_flows=name == "dev",
            )
        report.seconds["load"] = time.perf_counter() - started
        dev = loaded["dev"]
        for flow_name, reason in dev.failed.items():
            file = next(f.file for f in corpus.flows if f.name == flow_name)
            report.left_out[file] = f"Connect refuses it in dev: {reason}"
        report.loaded = sum(1 for f in corpus.flows if f.name in dev.flow_ids)
        report.modules = sum(
            1 for f in corpus.flows if f.kind == "module" and f.name in dev.flow_ids
        )
        report.stubs = len(dev.flow_ids) - report.loaded
        report.references = sum(len(f.refs) for f in corpus.flows if f.name in dev.flow_ids)
        envs = {
            name: sandbox_environment(
                server.url,
                name,
                managed_names=(f"{PREFIX}*",),
                overrides={"literal": loaded[name].literals},
                quotas={"flows_per_instance": 5000, "modules_per_instance": 5000},
            )
            for name in ACCOUNTS
        }
        repo = git_repo(work)
        started = time.perf_counter()
        export_env(envs["dev"], work / "flows", client=ConnectClient.for_environment(envs["dev"]))
        report.seconds["export"] = time.perf_counter() - started
        repo.git.add(A=True)
        repo.index.commit("flows exported from dev")
        for path in (work / "flows").rglob("*.json"):
            text = path.read_text(encoding="utf-8")
            for value in (dev.account, dev.instance_id, *dev.flow_ids.values()):
                if value and value in text:
                    report.problems.append(f"flows/: {path.name} holds dev id {value}")
            for found in _UUID.findall(text):
                if found in set(dev.values.values()):
                    report.problems.append(f"flows/: {path.name} holds dev resource id {found}")
        dev_flows = live_flows(clients["dev"], dev.instance_id)
        for name in TARGETS:
            for attempt, counter in (("first", report.writes), ("second", report.rewrites)):
                client = ConnectClient.for_environment(envs[name])
                started = time.perf_counter()
                promote(envs[name], repo_path=work, client=client, yes=True, tag=False)
                report.seconds[f"promote {name} ({attempt})"] = time.perf_counter() - started
                counter[name] = sum(
                    n for op, n in client.calls.items() if op.startswith(WRITE_PREFIXES)
                )
            target_flows = live_flows(clients[name], loaded[name].instance_id)
            check_target(report, name, dev, loaded[name], dev_flows, target_flows)
            if report.rewrites[name]:
                report.problems.append(
                    f"{name}: second promote made {report.rewrites[name]} write call(s)"
                )
    return report


def render(report: Report) -> str:
    """The ``## Real flows`` section of ``bench/results.md``."""
    reasons = Counter(r.split(":")[0] for r in report.left_out.values())
    lines = [
        "## Real flows (corpus dev -> staging -> prod)",
        "",
        "`python -m bench realflows`: corpus flows loaded into the sandbox's dev account with",
        "every resource they name recreated there and, same-named, in staging and prod; then",
        "export, commit, promote to staging and prod, checked with plain boto3",
        "(`bench/realflows_bench.py`): every flow there with its name and type, its content",
        "(actions, start, module Settings) equal to dev's with each reference replaced by the",
        "target's same-named resource in its original form (bare id, ARN, qualified ARN), no",
        "dev account, instance or resource id anywhere (metadata and `flows/` included), and",
        "zero writes on a second promote. The seeded sample in `make test` is",
        "`tests/integration/test_realflows.py` (24 files).",
        "",
        "| | |",
        "|---|---|",
        f"| corpus files | {report.files} |",
        f"| flows and modules promoted | {report.loaded} ({report.modules} modules) |",
        "| of which had template placeholders, filled as a migrating team would | "
        f"{report.templated} |",
        f"| of which are drafts (StartAction names no action), kept SAVED | {report.drafts} |",
        f"| stub flows/modules for flows named only by id | {report.stubs} |",
        f"| references remapped per environment | {report.references} |",
        f"| left out | {len(report.left_out)} |",
    ]
    for env in TARGETS:
        if env in report.writes:
            lines.append(
                f"| {env}: writes of the first / second promote | "
                f"{report.writes[env]} / {report.rewrites[env]} |"
            )
    for step, seconds in report.seconds.items():
        lines.append(f"| {step} | {seconds:.1f} s |")
    lines.append(f"| problems found | {len(report.problems)} |")
    lines += ["", "Left out, and why:", ""]
    lines += [f"- {n} × {reason}" for reason, n in reasons.most_common()] or ["- none"]
    lines += [f"  - `{file}`: {why}" for file, why in sorted(report.left_out.items())]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run over the corpus (or ``--sample N`` of it); record results; exit 1 on problems."""
    from tests.corpus import corpus_files

    parser = argparse.ArgumentParser(prog="python -m bench realflows")
    parser.add_argument("--sample", type=int, default=None)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args(argv)
    files = sample(corpus_files(), args.sample)
    if not files:
        print("corpus not found (needs ../shared/corpus)")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        report = run(files, Path(tmp))
    text = render(report)
    print(text)
    for problem in report.problems[:50]:
        print("PROBLEM", problem)
    if not args.no_record and args.sample is None:
        replace_section("Real flows (corpus dev -> staging -> prod)", text)
    return 1 if report.problems else 0
