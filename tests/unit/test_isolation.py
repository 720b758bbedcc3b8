"""Test hygiene: tests/conftest.py isolates every test, marks integration tests; py.typed ships."""

from __future__ import annotations

import os
from pathlib import Path

import boto3
import pytest

from flowops.connect.session import CHECK_MODEL_ENV


def test_no_aws_or_flowops_settings_leak_in() -> None:
    """Only the suite's own: the model check of every client (tests/conftest.py)."""
    assert os.environ[CHECK_MODEL_ENV] == "1"
    leaked = [
        n
        for n in os.environ
        if n.startswith(("AWS_", "FLOWOPS_"))
        and n not in ("AWS_EC2_METADATA_DISABLED", CHECK_MODEL_ENV)
    ]
    assert leaked == []


def test_home_is_an_empty_folder_so_no_profile_is_found() -> None:
    home = Path(os.environ["HOME"])
    assert Path.home() == home and home.name.startswith("home") and not any(home.iterdir())
    assert boto3.Session().available_profiles == []


def test_every_integration_test_is_marked(request: pytest.FixtureRequest) -> None:
    session = request.session
    under = [i for i in session.items if "/tests/integration/" in str(i.path)]
    assert all(i.get_closest_marker("integration") for i in under)
    assert not request.node.get_closest_marker("integration")


def test_the_package_says_it_is_typed() -> None:
    import tomllib
    from importlib import resources

    assert resources.files("flowops").joinpath("py.typed").is_file()
    root = Path(__file__).resolve().parents[2]
    setup = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    assert "py.typed" in setup["setuptools"]["package-data"]["flowops"]
