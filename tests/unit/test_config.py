"""environments/*.yaml: valid files load; each invalid case names file and field, exit 2."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from flowops.config import (
    DEFAULT_BURST,
    DEFAULT_RATE,
    DEFAULT_SANDBOX_DB,
    list_environments,
    load_environment,
)
from flowops.errors import BadInputError, ExitCode

FULL = """\
name: prod
region: eu-west-2
account_id: "333333333333"
instance: flowops-sandbox
endpoint_url: https://connect.example.test
auth:
  profile: prod-admin
  role_arn: arn:aws:iam::333333333333:role/flowops-deployer
  external_id: ext-1234
protected: true
managed:
  names: ["Main*", "Survey"]
  types: [CONTACT_FLOW, MODULE]
overrides:
  queue: {Support: Support-EU}
  lambda: {lookup-customer: lookup-customer-prod}
use_aliases: true
rate_limit:
  rate: 1.0
  burst: 2
  operations:
    SearchContactFlows: {rate: 0.5, burst: 1}
"""

MINIMAL = """\
region: us-east-1
account_id: "111111111111"
instance: flowops-sandbox
endpoint_url: sandbox
"""


def write(root: Path, name: str, text: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"{name}.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_full_environment_loads_every_field(tmp_path: Path) -> None:
    write(tmp_path, "prod", FULL)
    env = load_environment("prod", tmp_path)
    assert (env.name, env.region, env.account_id) == ("prod", "eu-west-2", "333333333333")
    assert env.instance == "flowops-sandbox"
    assert env.endpoint_url == "https://connect.example.test"
    assert env.auth.profile == "prod-admin"
    assert env.auth.role_arn == "arn:aws:iam::333333333333:role/flowops-deployer"
    assert env.auth.external_id == "ext-1234"
    assert env.protected is True and env.use_aliases is True
    assert env.managed_names == ("Main*", "Survey")
    assert env.managed_types == ("CONTACT_FLOW", "MODULE")
    assert env.overrides["queue"]["Support"] == "Support-EU"
    assert env.override("queue", "Support") == "Support-EU"
    assert env.override("queue", "Billing") == "Billing"
    assert env.rate_limit.rate == 1.0 and env.rate_limit.burst == 2
    assert env.rate_limit.operations["SearchContactFlows"].rate == 0.5
    assert env.sandbox_db is None
    assert env.source == tmp_path / "prod.yaml"


def test_minimal_environment_gets_defaults(tmp_path: Path) -> None:
    write(tmp_path, "dev", MINIMAL)
    env = load_environment("dev", tmp_path)
    assert env.name == "dev"
    assert env.is_sandbox and env.sandbox_db == DEFAULT_SANDBOX_DB
    assert env.managed_names == ("*",) and env.managed_types == ()
    assert env.protected is False and env.use_aliases is False
    assert env.auth.profile is None and env.auth.role_arn is None
    assert (env.rate_limit.rate, env.rate_limit.burst) == (DEFAULT_RATE, DEFAULT_BURST)
    # pacing defaults stay under Connect's documented 2 req/s, burst 5
    assert DEFAULT_RATE < 2.0 and DEFAULT_BURST < 5


def test_load_by_path_and_list(tmp_path: Path) -> None:
    write(tmp_path, "dev", MINIMAL)
    path = write(tmp_path, "prod", FULL)
    assert load_environment(str(path)).name == "prod"
    assert [e.name for e in list_environments(tmp_path)] == ["dev", "prod"]


def test_manages_filters_names_and_types(tmp_path: Path) -> None:
    write(tmp_path, "prod", FULL)
    env = load_environment("prod", tmp_path)
    assert env.manages("Main IVR", "CONTACT_FLOW")
    assert env.manages("Survey", "MODULE")
    assert not env.manages("Other", "CONTACT_FLOW")
    assert not env.manages("Main whisper", "AGENT_WHISPER")


def test_unknown_environment_lists_known_ones(tmp_path: Path) -> None:
    write(tmp_path, "dev", MINIMAL)
    with pytest.raises(BadInputError) as info:
        load_environment("qa", tmp_path)
    assert info.value.exit_code == ExitCode.BAD_INPUT
    assert "unknown environment 'qa'" in str(info.value)
    assert "known: dev" in str(info.value)


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "dev", "region: us-east-1\naccount_id: [unclosed\n")
    with pytest.raises(BadInputError) as info:
        load_environment("dev", tmp_path)
    message = str(info.value)
    assert str(path) in message and "invalid YAML" in message and "line" in message


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (MINIMAL.replace('"111111111111"', "111111111111"), ["$.account_id", "quoted"]),
        (MINIMAL.replace('"111111111111"', '"1234"'), ["$.account_id", "'1234'"]),
        (MINIMAL.replace("instance: flowops-sandbox\n", ""), ["instance", "required"]),
        (MINIMAL.replace("us-east-1", "mars"), ["$.region", "'mars'"]),
        (MINIMAL.replace("endpoint_url: sandbox", "endpoint_url: ftp://x"), ["$.endpoint_url"]),
        (MINIMAL + "protected: maybe\n", ["$.protected", "boolean"]),
        (MINIMAL + "managed: {types: [FLOWS]}\n", ["$.managed.types[0]", "'FLOWS'"]),
        (MINIMAL + "overrides: {queues: {A: B}}\n", ["$.overrides", "'queues'"]),
        (MINIMAL + "auth: {role_arn: not-an-arn}\n", ["$.auth.role_arn", "role_arn"]),
        (MINIMAL + "auth: {external_id: abc}\n", ["$.auth", "role_arn"]),
        (MINIMAL + "rate_limit: {rate: 0}\n", ["$.rate_limit.rate"]),
        (MINIMAL + "colour: blue\n", ["unknown field", "'colour'"]),
        (MINIMAL + "name: staging\n", ["$.name", "'staging'", "'dev'"]),
        ("- just\n- a list\n", ["YAML mapping"]),
        ("", ["YAML mapping", "empty"]),
    ],
)
def test_invalid_environment_names_file_and_field(
    tmp_path: Path, text: str, fragments: list[str]
) -> None:
    path = write(tmp_path, "dev", text)
    with pytest.raises(BadInputError) as info:
        load_environment("dev", tmp_path)
    message = str(info.value)
    assert message.startswith(str(path)), message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_repository_environments_are_valid() -> None:
    root = Path(__file__).resolve().parents[2] / "environments"
    if not root.is_dir():
        pytest.skip("the repository has no environments/ folder yet")
    envs = list_environments(root)
    if not envs:
        pytest.skip("environments/ holds no *.yaml file yet")
    for env in envs:
        assert env.source.stem == env.name


def test_missing_environment_file_is_named_once(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(BadInputError) as info:
        load_environment(str(missing))
    assert str(info.value) == f"unknown environment: no such file {missing}"
