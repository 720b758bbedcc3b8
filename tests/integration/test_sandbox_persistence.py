"""State in SQLite: survives restarts, and several processes may share one file."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flowops.sandbox import SandboxConfig, SandboxServer
from flowops.sandbox.embedded import embedded_server, ensure_sandbox
from flowops.sandbox.seed import instance_id_for
from tests.support import DEV
from tests.support.clients import make_client
from tests.support.flows import flow_content

pytestmark = pytest.mark.integration


def test_state_survives_restart(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    with SandboxServer(db, config=SandboxConfig.for_tests()) as server:
        server.seed()
        client = make_client(server.url)
        created = client.create_contact_flow(
            InstanceId=instance_id_for(DEV),
            Name="Kept",
            Type="CONTACT_FLOW",
            Content=flow_content(),
        )
        client.create_contact_flow_version(
            InstanceId=instance_id_for(DEV), ContactFlowId=created["ContactFlowId"]
        )
    with SandboxServer(db, config=SandboxConfig.for_tests()) as server:
        client = make_client(server.url)
        flow = client.describe_contact_flow(
            InstanceId=instance_id_for(DEV), ContactFlowId=f"{created['ContactFlowId']}:1"
        )
        assert flow["ContactFlow"]["Name"] == "Kept"
        # seeding again is harmless
        assert server.seed()["dev"]["flows"] == 0


_WORKER = textwrap.dedent(
    """
    import sys
    import boto3
    from flowops.sandbox.embedded import ensure_sandbox
    from flowops.sandbox.seed import instance_id_for
    db, tag = sys.argv[1], sys.argv[2]
    url = ensure_sandbox(db)
    client = boto3.client("connect", endpoint_url=url, region_name="us-east-1",
                          aws_access_key_id="111111111111", aws_secret_access_key="x")
    content = ('{"Version":"2019-10-30","StartAction":"a",'
               '"Actions":[{"Identifier":"a","Type":"DisconnectParticipant"}]}')
    for i in range(15):
        client.create_contact_flow(InstanceId=instance_id_for("111111111111"),
                                   Name=f"{tag}-{i}", Type="CONTACT_FLOW", Content=content)
    print("done")
    """
)


def test_several_processes_share_one_database(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    env = {**os.environ, "FLOWOPS_SANDBOX_QUOTA": "off"}
    ensure_sandbox(db, config=SandboxConfig.for_tests())
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(db), f"w{n}"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(3)
    ]
    outputs = [w.communicate(timeout=120) for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    server = embedded_server(db)
    assert server is not None
    client = make_client(server.url)
    names = [
        f["Name"]
        for page in client.get_paginator("list_contact_flows").paginate(
            InstanceId=instance_id_for(DEV)
        )
        for f in page["ContactFlowSummaryList"]
    ]
    assert sum(name.startswith("w") for name in names) == 45


def test_embedded_mode_starts_once_and_seeds(tmp_path: Path) -> None:
    db = tmp_path / "embedded.db"
    url = ensure_sandbox(db)
    assert ensure_sandbox(db) == url
    client = make_client(url)
    instances = client.list_instances()["InstanceSummaryList"]
    assert instances[0]["InstanceAlias"] == "flowops-sandbox"
