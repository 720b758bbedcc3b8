"""Every test runs isolated from the machine it runs on.

``AWS_*`` and ``FLOWOPS_*`` variables are removed (a developer's profile, region or
sandbox settings must not change a result, nor send a request to a real account) and
``HOME`` is an empty folder (no ``~/.aws/config``, no global git identity). Instance
metadata is off, so a test that finds no credentials fails fast instead of waiting for
an EC2 endpoint. Tests that need a variable set it with ``monkeypatch``.

Every test under ``tests/integration`` is marked ``integration``, whether or not its
module says so, so ``make unit`` (``-m "not integration"``) runs the fast tests only.

One flowops variable is set instead: every flowops client the suite makes (in-process and
in CLI subprocesses) checks each request against botocore's model constraints before
sending it (``FLOWOPS_CHECK_MODEL``, see :mod:`flowops.connect.constraints`), so a call
that Connect would refuse for a length, pattern, enum or range fails the test that made
it, even where the sandbox is more lenient than the service.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from flowops.connect.session import CHECK_MODEL_ENV

# Property tests judge results, not speed: on a loaded 2-core CI machine one example can
# take longer than Hypothesis's 200 ms deadline, which failed a run that was correct.
settings.register_profile("flowops", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("flowops")

ISOLATED_PREFIXES = ("AWS_", "FLOWOPS_")
INTEGRATION = Path(__file__).resolve().parent / "integration"

os.environ[CHECK_MODEL_ENV] = "1"  # for settings built when test modules are imported


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under ``tests/integration`` is marked ``integration`` (``make unit`` skips)."""
    for item in items:
        if INTEGRATION in item.path.resolve().parents:
            item.add_marker(pytest.mark.integration)


@pytest.fixture(autouse=True)
def isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No AWS or flowops settings from the caller's environment, and an empty HOME."""
    for name in list(os.environ):
        if name.startswith(ISOLATED_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv(CHECK_MODEL_ENV, "1")
