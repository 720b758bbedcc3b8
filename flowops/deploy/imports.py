"""Import: console designer exports and API output -> canonical, symbolic documents.

A flow saved from the Amazon Connect designer ("Export flow"), or the output of
``aws connect describe-contact-flow`` (``{"ContactFlow": {...}}``, or the same for a
module), holds the literal ARNs and ids of the instance it came from. ``import`` reads
such files, symbolizes every reference with the catalog of the environment they came
from (the same conversion ``export`` makes: form kept, overrides and ``literal``
names applied), and writes each as a flowops document under ``flows/``. What cannot be
symbolized fails the import (exit 2) exactly as it fails an export, and nothing is
written. Plan and promote refuse raw files in ``flows/`` with a hint to run this.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from flowops.config import Environment
from flowops.connect import ConnectClient
from flowops.deploy.export import SourceIdsError, existing_documents
from flowops.deploy.live import own_tags_removed
from flowops.errors import BadInputError
from flowops.layout import laid_out, positions_of
from flowops.model.canonical import dump_document
from flowops.model.document import FlowDocument
from flowops.model.parse import load_document, parse_content
from flowops.refs import Unresolved, git_name, symbolize
from flowops.repo import flow_key, flow_relpath


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote: ``(key, path)`` per file, and keys already up to date."""

    env: str
    written: tuple[tuple[str, Path], ...] = ()
    unchanged: tuple[str, ...] = ()


def import_files(
    env: Environment,
    files: Iterable[str | Path],
    root: str | Path = "flows",
    *,
    force: bool = False,
    layout: bool = False,
    client: ConnectClient | None = None,
) -> ImportResult:
    """Turn raw flow files from ``env`` into documents under ``root`` (see module doc).

    An existing document of the same flow whose content differs is only replaced with
    ``force`` (or when it is the raw file being imported itself). A flow with blocks
    that have no designer position (API output, hand-written files) is given the
    layered layout, so it opens readable in the designer; ``layout`` lays out every
    imported flow, replacing positions the author chose.
    """
    client = client or ConnectClient.for_environment(env)
    catalog = client.catalog(with_content=False)
    root = Path(root)
    existing = existing_documents(root)
    leaks: list[tuple[str, Unresolved]] = []
    out: dict[Path, tuple[str, str, Path]] = {}
    for file in map(Path, files):
        raw = load_document(file)
        symbolic, unresolved = symbolize(
            raw.flow.raw,
            catalog,
            env.overrides,
            account_id=env.account_id,
            instance_id=client.instance_id,
            allowed=env.allows,
        )
        info = replace(
            raw.info,
            name=git_name(raw.info.kind, raw.info.name, env.overrides),
            tags=own_tags_removed(raw.info.tags),
        )
        flow = parse_content(symbolic, source=str(file))
        if layout or len(positions_of(flow)) < len(flow.actions):
            flow = laid_out(flow)
        doc = FlowDocument(info=info, flow=flow, source=str(file))
        key = flow_key(info)
        leaks.extend((f"{key} ({file})", u) for u in unresolved)
        path = existing.get(key) or root / flow_relpath(info)
        out[path] = (key, dump_document(doc), file)
    if leaks:
        raise SourceIdsError(env, leaks, verb="import")
    conflicts = [
        str(path)
        for path, (_, text, source) in out.items()
        if path.exists()
        and path.resolve() != source.resolve()
        and path.read_text(encoding="utf-8") != text
    ]
    if conflicts and not force:
        raise BadInputError(
            f"{len(conflicts)} document(s) exist with other content; use --force to replace "
            "them:\n" + "\n".join(f"  {c}" for c in sorted(conflicts))
        )
    written: list[tuple[str, Path]] = []
    unchanged: list[str] = []
    for path, (key, text, _) in out.items():
        if path.exists() and path.read_text(encoding="utf-8") == text:
            unchanged.append(key)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append((key, path))
    return ImportResult(env.name, tuple(written), tuple(unchanged))
