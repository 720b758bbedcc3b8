"""Every corpus flow simulated from its start with generated inputs, without a crash.

The search here is small (a fast subset of ``python -m bench simulate``, which records
the coverage ``--generate`` reaches over the whole corpus in bench/results.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flowops.model.parse import load_document
from flowops.repo import flow_key
from flowops.simulate.engine import Simulator
from flowops.simulate.generate import generate
from flowops.simulate.world import flowset_from_documents
from tests.corpus import corpus_params

pytestmark = pytest.mark.corpus


@pytest.mark.parametrize("path", corpus_params())
def test_corpus_flow_simulates_from_its_start(path: Path) -> None:
    doc = load_document(path)
    flows = flowset_from_documents({flow_key(doc.info): doc})
    entry = next(iter(flows))
    first = Simulator(flows, {}).run(entry)
    # Either the contact ends, or the run names the input it needs (never a guess).
    assert (first.end is not None) != (first.needs is not None)
    if first.needs is not None:
        assert first.needs.input.startswith("given.") and first.needs.action
    report = generate(flows, max_runs=40)
    assert not report.crashes
    for scenario in report.scenarios:
        assert scenario.data["expect"]["ends"]
    if entry.flow.action(entry.flow.start_action) is not None and any(
        a.transitions.next_action or a.transitions.errors for a in entry.flow.actions
    ):
        assert report.scenarios or report.unreachable
