"""The autouse fixture in tests/conftest.py isolates every test from the caller's machine."""

from __future__ import annotations

import os
from pathlib import Path

import boto3


def test_no_aws_or_flowops_settings_leak_in() -> None:
    leaked = [
        n
        for n in os.environ
        if n.startswith(("AWS_", "FLOWOPS_")) and n != "AWS_EC2_METADATA_DISABLED"
    ]
    assert leaked == []


def test_home_is_an_empty_folder_so_no_profile_is_found() -> None:
    home = Path(os.environ["HOME"])
    assert Path.home() == home and home.name.startswith("home") and not any(home.iterdir())
    assert boto3.Session().available_profiles == []
