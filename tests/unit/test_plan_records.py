"""Release records and lock values: what Connect stores must read back identically."""

from __future__ import annotations

import json
import os
import re
import socket
from datetime import UTC, datetime, timedelta

import pytest

from flowops.deploy.apply import placeholder_content
from flowops.deploy.lock import Holder, LockInfo
from flowops.deploy.releases import (
    LEDGER_BUDGET,
    FlowRelease,
    ReleaseRecord,
    ledger_content,
    parse_ledger,
    parse_release_description,
    release_description,
    restore_point_description,
)
from flowops.errors import BadInputError
from flowops.model.parse import parse_content
from tests.support.releases import dead_pid


def record(n: int, flows: int = 2) -> ReleaseRecord:
    return ReleaseRecord(
        id=n,
        env="prod",
        commit="ab" * 20,
        ref="main",
        who="ci",
        when="2026-01-01T00:00:00+00:00",
        flows=tuple(
            FlowRelease(f"flow:F{i}", "flow", f"F{i}", f"id-{i}", "update", i + 1, i + 2)
            for i in range(flows)
        ),
    )


def test_ledger_round_trips_records_and_is_a_valid_module() -> None:
    records = [record(1), record(2, flows=0)]
    text = ledger_content(records, "prod")
    assert parse_ledger(text) == records
    flow = parse_content(json.loads(text))
    assert flow.is_module and [a.type for a in flow.actions] == ["EndFlowModuleExecution"]
    assert parse_ledger(None) == []


def test_ledger_drops_oldest_records_to_stay_within_connects_limit() -> None:
    big = [record(n, flows=300) for n in range(1, 40)]
    text = ledger_content(big, "prod")
    kept = parse_ledger(text)
    assert len(text) <= LEDGER_BUDGET
    assert kept[-1].id == 39 and kept[0].id > 1
    assert [r.id for r in kept] == list(range(kept[0].id, 40))


def test_not_a_ledger_is_bad_input() -> None:
    with pytest.raises(BadInputError, match="not a flowops ledger"):
        parse_ledger('{"Metadata": {"flowops": {"releases": [{"nope": 1}]}}}')


def test_version_descriptions_parse_back() -> None:
    assert parse_release_description(release_description(7, "abc123", "prod")) == (7, "abc123")
    assert parse_release_description(release_description(8, None, "prod")) == (8, None)
    assert parse_release_description(restore_point_description(7)) is None
    assert parse_release_description("edited in the console") is None


#: What AWS accepts in a tag value (botocore's TagValue: <= 256; Connect's documented set).
TAG_VALUE = re.compile(r"^[A-Za-z0-9 _.:/=+\-@]{0,256}$")


@pytest.mark.parametrize(
    "user",
    ["x" * 500, "José Ñúñez", "张伟", 'Ωμέγα {"json": 1}, \t\n', "", "a" * 40 + "é" * 300],
)
def test_lock_tag_fits_a_tag_value_whatever_the_holder_and_round_trips(user: str) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    holder = Holder(user, "build-host-" + "h" * 80, 4_194_304, "octo-org/" + "r" * 90 + "/9/3")
    info = LockInfo(holder, "a1b2c3d4", now, now + timedelta(minutes=30))
    value = info.to_tag()
    assert TAG_VALUE.match(value), value
    back = LockInfo.from_tag(value)
    assert back is not None and back.token == "a1b2c3d4"
    assert (back.started, back.expires) == (info.started, info.expires)
    assert back.holder.pid == 4_194_304 and back.holder.github.endswith("/9/3")
    assert LockInfo.from_tag("garbage") is None


def test_a_github_holder_names_repository_run_and_attempt() -> None:
    holder = Holder("octocat", "runner-1", 77, "octo-org/flows/123456789/2")
    assert holder.describe() == (
        "GitHub Actions octo-org/flows run 123456789 attempt 2 (octocat@runner-1 pid 77)"
    )


def test_a_lock_of_a_dead_process_on_this_host_is_stale_and_an_expired_one_too() -> None:
    pid = dead_pid()
    now = datetime.now(UTC)
    here = socket.gethostname()
    gone = LockInfo(Holder("a", here, pid), "t", now, now + timedelta(minutes=5))
    assert "no longer runs" in (gone.stale_reason(now) or "")
    alive = LockInfo(Holder("a", here, os.getppid()), "t", now, now + timedelta(minutes=5))
    assert alive.stale_reason(now) is None
    elsewhere = LockInfo(Holder("a", "other-host", pid), "t", now, now + timedelta(minutes=5))
    assert elsewhere.stale_reason(now) is None  # cannot know: only expiry frees it
    assert "expired" in (elsewhere.stale_reason(now + timedelta(minutes=6)) or "")


def test_placeholders_are_valid_reference_free_content() -> None:
    for kind in ("flow", "module"):
        flow = parse_content(json.loads(placeholder_content(kind)))
        assert flow.is_module == (kind == "module")
        assert "arn:" not in placeholder_content(kind)


def test_a_lock_of_a_finished_github_run_is_stale_when_github_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import http.server
    import threading

    runs = {"/repos/octo-org/flows/actions/runs/123/attempts/2": "completed"}
    runs["/repos/octo-org/flows/actions/runs/124/attempts/1"] = "in_progress"
    seen: list[str] = []

    class GitHub(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers.get("Authorization", ""))
            status = runs.get(self.path)
            body = json.dumps({"status": status}).encode()
            self.send_response(200 if status else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), GitHub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        now = datetime.now(UTC)

        def lock_of(run: str) -> LockInfo:
            holder = Holder("octocat", "runner", 5, f"octo-org/flows/{run}")
            return LockInfo(holder, "t", now, now + timedelta(minutes=30))

        monkeypatch.delenv("GITHUB_TOKEN", raising=False)
        monkeypatch.delenv("GH_TOKEN", raising=False)
        assert lock_of("123/2").stale_reason(now) is None  # no token: cannot know
        monkeypatch.setenv("GITHUB_TOKEN", "secret")
        monkeypatch.setenv("GITHUB_API_URL", f"http://127.0.0.1:{server.server_port}")
        assert "run 123 attempt 2 of octo-org/flows has finished" in (
            lock_of("123/2").stale_reason(now) or ""
        )
        assert lock_of("124/1").stale_reason(now) is None  # still running
        assert lock_of("999/1").stale_reason(now) is None  # unknown run
        assert seen and all(h == "Bearer secret" for h in seen)
    finally:
        server.shutdown()
