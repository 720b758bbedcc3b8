"""When a Search copy already shows what a recent release left (``shows_release``): the
settle re-reads skip only such flows."""

from __future__ import annotations

from dataclasses import replace

from flowops.connect.catalog import RemoteFlow
from flowops.deploy.releases import FlowRelease, content_sha256, meta_sha256, shows_release

CONTENT = '{"Version":"2019-10-30","StartAction":"a","Actions":[]}'
ARN = "arn:aws:connect:us-east-1:111111111111:instance/i/contact-flow/f1"
#: a Search copy: kind, id, ARN, name, type, then what a plan compares besides content
COPY = RemoteFlow("flow", "f1", ARN, "Main", "CONTACT_FLOW", "entry", "ACTIVE", "PUBLISHED")
COPY = replace(COPY, tags={"team": "cx", "flowops:canary": "x"}, content=CONTENT)
#: key, kind, name, id, action, version before and after, as a promote records them
RECORD = FlowRelease(
    "flow:Main",
    "flow",
    "Main",
    "f1",
    "update",
    1,
    2,
    sha256=content_sha256(CONTENT),
    meta_sha256=meta_sha256("Main", "entry", "active", "Published", {"team": "cx"}),
)


def test_a_copy_with_the_recorded_content_and_metadata_shows_the_release() -> None:
    # flowops' own tags, and the case of state and status, are not compared (as a plan)
    assert shows_release(COPY, RECORD)


def test_a_copy_that_differs_in_anything_a_plan_compares_does_not() -> None:
    assert not shows_release(replace(COPY, content=CONTENT.replace('"a"', '"b"')), RECORD)
    assert not shows_release(replace(COPY, description=""), RECORD)
    assert not shows_release(replace(COPY, tags={"team": "ops"}), RECORD)
    assert not shows_release(replace(COPY, state="ARCHIVED"), RECORD)
    assert not shows_release(replace(COPY, status="SAVED"), RECORD)


def test_without_a_copy_content_or_both_hashes_nothing_is_shown() -> None:
    assert not shows_release(None, RECORD)
    assert not shows_release(replace(COPY, content=None), RECORD)  # List: no content
    assert not shows_release(COPY, replace(RECORD, meta_sha256=None))  # older records
    assert not shows_release(COPY, replace(RECORD, sha256=None))
    assert not shows_release(COPY, replace(RECORD, outcome="restored"))
