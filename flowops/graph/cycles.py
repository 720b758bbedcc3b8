"""Strongly connected components over a plain adjacency mapping.

The lint context already holds runtime successors as a dict; running Tarjan's algorithm
on it directly avoids building a second networkx graph per flow (and its cost on a
thousand flows) just to leave out ``after_exit`` edges.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence


def strongly_connected_components(adjacency: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (flows can be deep); components in discovery order.

    Each frame of the work stack keeps an iterator over its node's successors, so a
    node's edges are walked once, however often the walk returns to it.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    empty: Sequence[str] = ()
    for root in adjacency:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work: list[tuple[str, Iterator[str]]] = [(root, iter(adjacency.get(root, empty)))]
        while work:
            node, successors = work[-1]
            for target in successors:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(adjacency.get(target, empty))))
                    break
                if target in on_stack and index[target] < low[node]:
                    low[node] = index[target]
            else:
                work.pop()
                node_low = low[node]
                if work:
                    parent = work[-1][0]
                    if node_low < low[parent]:
                        low[parent] = node_low
                if node_low == index[node]:
                    component: list[str] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    out.append(component)
    return out
