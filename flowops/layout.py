"""Designer layout: a layered (Sugiyama-style) drawing of a flow, written to ``Metadata``.

Amazon Connect's designer draws each block where ``Metadata.ActionMetadata[id].position``
says and the entry point at ``Metadata.entryPointPosition``; nothing else in a flow
depends on them. ``layout_positions`` computes them from the flow's graph alone:

1. **Cycles**: a depth-first walk from the StartAction (then from every block nothing
   reaches, in file order) follows each block's branches in reading order: NextAction,
   conditions in order, error branches. Edges back to a block on the walk's stack are
   the loops' back edges; the rest is acyclic.
2. **Columns** (layers): the longest path from the entry over the acyclic edges, so
   every forward branch goes left to right; a block whose branches all go far to the
   right is pulled next to the nearest of them.
3. **Order within a column**: blocks start in the walk's order (the happy path first,
   then conditions, then errors); edges longer than one column get a placeholder in each
   column they cross; sweeps of the barycenter heuristic then reduce crossings, ties
   kept in walk order, and the order with the fewest crossings wins.
4. **Rows**: each block wants the row of the block that first reached it (its walk
   parent) plus its rank among that parent's branches, so the happy path is one straight
   row and conditions and errors fan out below it; rows are then packed in column order
   with no two blocks closer than a row (isotonic regression: every block as near its
   wish as the order allows).

Everything is keyed by identifiers and file order, so the same flow always gets the
same layout, and an edit changes only the blocks whose walk or column it changes. See
docs/layout.md for why this is hand-written rather than a library.
"""

from __future__ import annotations

import math
from bisect import bisect_right, insort
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import combinations
from typing import Any

from flowops.graph import Edge, action_graph
from flowops.model.parse import parse_content
from flowops.model.types import Flow

#: Block size the layout keeps apart (and the metric measures): Connect's designer
#: draws blocks about this large.
BOX_WIDTH, BOX_HEIGHT = 200, 120
#: Distance between columns and between rows.
COLUMN, ROW = 300, 170
#: Where the first column starts; the entry point sits to its left.
LEFT, TOP = 240, 40
ENTRY_X = 40
#: Barycenter sweeps (each one down and one up).
SWEEPS = 6
#: Passes of the crossing repair, and the work it may do on one flow (edge pair tests).
_PASSES = 4
_BUDGET = 1_500_000
#: Long-edge placeholders the ordering may create for one flow.
_PLACEHOLDERS = 2_000
#: How many rows up or down a block may move in one step.
_REACH = 6

_BRANCH_RANK = {"next": 0, "condition": 1, "error": 2}


@dataclass(frozen=True, slots=True)
class Layout:
    """Block positions (top-left corners) and the entry point's position."""

    positions: Mapping[str, tuple[int, int]]
    entry: tuple[int, int]


def _branches(edges: Sequence[Edge]) -> dict[str, list[str]]:
    """Each block's distinct targets in reading order (NextAction, conditions, errors);
    a NextAction that only repeats an error path (``after_exit``) reads as an error."""
    ranked: dict[str, list[tuple[int, int, str]]] = {}
    for edge in edges:
        rank = 2 if edge.attrs.get("after_exit") else _BRANCH_RANK[edge.branch]
        ranked.setdefault(edge.source, []).append((rank, edge.key, edge.target))
    return {
        source: list(dict.fromkeys(target for _, _, target in sorted(items)))
        for source, items in ranked.items()
    }


def _walk(
    nodes: Sequence[str], start: str, branches: Mapping[str, list[str]]
) -> tuple[list[str], dict[str, str], set[tuple[str, str]]]:
    """Depth-first walk: preorder, walk parent of each block, and back edges."""
    order: list[str] = []
    parent: dict[str, str] = {}
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    roots = ([start] if start in nodes else []) + list(nodes)
    for root in roots:
        if root in state:
            continue
        state[root] = 1
        order.append(root)
        stack = [(root, iter(branches.get(root, ())))]
        while stack:
            node, targets = stack[-1]
            for target in targets:
                seen = state.get(target)
                if seen is None:
                    state[target] = 1
                    parent[target] = node
                    order.append(target)
                    stack.append((target, iter(branches.get(target, ()))))
                    break
                if seen == 1:
                    back.add((node, target))
            else:
                state[node] = 2
                stack.pop()
    return order, parent, back


def _columns(
    order: Sequence[str], forward: Mapping[str, list[str]], preds: Mapping[str, list[str]]
) -> dict[str, int]:
    """Longest path from the roots over forward edges, then sources pulled right."""
    column: dict[str, int] = {}
    for node in _topological(order, forward):
        column[node] = max((column[p] + 1 for p in preds.get(node, ())), default=0)
    # A block nothing reaches (or reached only from the left far away) with every
    # branch far to the right is drawn next to its nearest target.
    for node in reversed(_topological(order, forward)):
        targets = forward.get(node, [])
        if targets and not preds.get(node):
            column[node] = max(column[node], min(column[t] for t in targets) - 1)
    return column


def _topological(order: Sequence[str], forward: Mapping[str, list[str]]) -> list[str]:
    """Reverse postorder of the forward (acyclic) edges, roots taken in walk order."""
    done: set[str] = set()
    post: list[str] = []
    for root in order:
        if root in done:
            continue
        done.add(root)
        stack = [(root, iter(forward.get(root, ())))]
        while stack:
            node, targets = stack[-1]
            for target in targets:
                if target not in done:
                    done.add(target)
                    stack.append((target, iter(forward.get(target, ()))))
                    break
            else:
                post.append(node)
                stack.pop()
    return post[::-1]


def _crossings(upper: Sequence[str], lower: Sequence[str], links: Iterable[tuple[str, str]]) -> int:
    """Crossings between two adjacent columns: pairs of links in opposite order,
    counted as inversions (O(k log k) searches for k links)."""
    up = {n: i for i, n in enumerate(upper)}
    low = {n: i for i, n in enumerate(lower)}
    seen: list[int] = []
    count = 0
    for _, b in sorted((up[a], low[b]) for a, b in links):
        count += len(seen) - bisect_right(seen, b)
        insort(seen, b)
    return count


def _order(
    columns: dict[str, int], order: Sequence[str], links: Sequence[tuple[str, str]]
) -> list[list[str]]:
    """Blocks (and long-edge placeholders) of each column, in drawing order."""
    rank: dict[str, float] = {node: i for i, node in enumerate(order)}
    width = max(columns.values(), default=-1) + 1
    layers: list[list[str]] = [[] for _ in range(width)]
    at_column = dict(columns)
    for node in sorted(columns, key=lambda n: rank[n]):
        layers[columns[node]].append(node)
    # Split long links into one-column links through placeholders.
    short: list[tuple[str, str]] = []
    # A huge flow with many long links (a shared error block far right) would need a
    # placeholder per column crossed; past a bound, only links to the next column order.
    spans = sum(max(abs(columns[a] - columns[b]) - 1, 0) for a, b in links)
    for index, (a, b) in enumerate(links):
        ca, cb = columns[a], columns[b]
        if ca > cb:
            a, b, ca, cb = b, a, cb, ca
        if ca == cb or (cb - ca > 1 and spans > _PLACEHOLDERS):
            continue
        previous = a
        for col in range(ca + 1, cb):
            dummy = f"\0{index}\0{col}"
            rank[dummy] = rank[a] + 0.5
            at_column[dummy] = col
            layers[col].append(dummy)
            short.append((previous, dummy))
            previous = dummy
        short.append((previous, b))
    for layer in layers:
        layer.sort(key=lambda n: rank[n])
    up: dict[str, list[str]] = {}
    down: dict[str, list[str]] = {}
    for a, b in short:
        down.setdefault(a, []).append(b)
        up.setdefault(b, []).append(a)

    between: list[list[tuple[str, str]]] = [[] for _ in range(width)]
    for a, b in short:
        between[at_column[a]].append((a, b))

    def total(candidate: list[list[str]]) -> int:
        return sum(
            _crossings(candidate[i], candidate[i + 1], between[i])
            for i in range(len(candidate) - 1)
        )

    best = [list(layer) for layer in layers]
    best_total = total(best)
    current = [list(layer) for layer in layers]
    for sweep in range(SWEEPS * 2):
        downward = sweep % 2 == 0
        indices = range(1, width) if downward else range(width - 2, -1, -1)
        for i in indices:
            fixed = {n: p for p, n in enumerate(current[i - 1 if downward else i + 1])}
            neighbours = up if downward else down

            def key(
                node: str,
                at: int,
                fixed: dict[str, int] = fixed,
                neighbours: dict[str, list[str]] = neighbours,
            ) -> tuple[float, int]:
                near = [fixed[n] for n in (neighbours.get(node) or ()) if n in fixed]
                return (sum(near) / len(near) if near else float(at), at)

            layer = current[i]
            current[i] = [n for _, n in sorted((key(n, at), n) for at, n in enumerate(layer))]
        candidate_total = total(current)
        if candidate_total < best_total:
            best, best_total = [list(layer) for layer in current], candidate_total
    return [[n for n in layer if not n.startswith("\0")] for layer in best]


def _pack(wishes: Sequence[float], gap: float) -> list[float]:
    """Rows as near ``wishes`` as possible (least squares), in order, ``gap`` apart,
    none above row 0 (so a block added at the top never shifts all the others)."""
    # Shift by i * gap so the constraint becomes "non-decreasing": pool adjacent violators.
    blocks: list[list[float]] = []  # [mean, count]
    for i, wish in enumerate(wishes):
        blocks.append([wish - i * gap, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean, count = blocks.pop()
            blocks[-1][0] = (blocks[-1][0] * blocks[-1][1] + mean * count) / (blocks[-1][1] + count)
            blocks[-1][1] += count
    out: list[float] = []
    for mean, count in blocks:
        out.extend([max(mean, 0.0)] * int(count))  # the bound: clip the isotonic solution
    return [value + i * gap for i, value in enumerate(out)]


def layout_positions(flow: Flow) -> Layout:
    """The layered layout of ``flow`` (see the module docstring)."""
    graph = action_graph(flow)
    nodes = list(graph.nodes)
    if not nodes:
        return Layout({}, (ENTRY_X, TOP))
    branches = _branches([e for e in graph.edges if e.source != e.target])
    order, parent, back = _walk(nodes, graph.start, branches)
    forward: dict[str, list[str]] = {}
    preds: dict[str, list[str]] = {}
    links: list[tuple[str, str]] = []
    for source in order:
        for target in branches.get(source, ()):
            links.append((source, target))
            if (source, target) in back:
                continue
            forward.setdefault(source, []).append(target)
            preds.setdefault(target, []).append(source)
    columns = _columns(order, forward, preds)
    layers = _order(columns, order, links)
    row: dict[str, float] = {}
    for layer in layers:
        wishes: list[float] = []
        for node in layer:
            above = parent.get(node)
            if above is None or above not in row:
                wishes.append(wishes[-1] + 1 if wishes else 0.0)
                continue
            siblings = [t for t in branches.get(above, ()) if parent.get(t) == above]
            wishes.append(row[above] + siblings.index(node))
        for node, y in zip(layer, _pack(wishes, 1.0), strict=True):
            row[node] = y
    cells = {n: (columns[n], int(math.floor(row[n] + 0.5))) for n in order}
    cells = _untangle(cells, order, links, forward, preds)
    positions = {
        node: (LEFT + cells[node][0] * COLUMN, TOP + cells[node][1] * ROW) for node in order
    }
    start = positions.get(graph.start, (LEFT, TOP))
    return Layout(positions, (ENTRY_X, start[1]))


Cell = tuple[int, int]


def _untangle(
    cells: dict[str, Cell],
    order: Sequence[str],
    links: Sequence[tuple[str, str]],
    forward: Mapping[str, list[str]],
    preds: Mapping[str, list[str]],
) -> dict[str, Cell]:
    """Move blocks to free grid cells while that removes straight-line crossings.

    A block may move within its column, or to another column between its forward
    predecessors and successors (so every forward branch still goes left to right).
    Passes go in walk order; a move is taken only when it strictly lowers the number of
    crossing edge pairs, the nearest such cell first: deterministic, and a block no
    crossing concerns stays where the layered layout put it.
    """
    pairs = list(dict.fromkeys((a, b) for a, b in links if a != b))
    incident: dict[str, list[int]] = {}
    for i, (a, b) in enumerate(pairs):
        incident.setdefault(a, []).append(i)
        incident.setdefault(b, []).append(i)
    taken = {cell: node for node, cell in cells.items()}
    budget = _BUDGET

    def crossings_of(node: str, at: Cell) -> int:
        """Crossing pairs among the edges of ``node`` (placed at ``at``) and the rest."""
        count = 0
        mine = frozenset(incident.get(node, ()))
        for i in mine:
            a, b = pairs[i]
            (px, py), (qx, qy) = (
                at if a == node else cells[a],
                at if b == node else cells[b],
            )
            dx, dy = qx - px, qy - py
            for j, (c, d) in enumerate(pairs):
                if c == a or c == b or d == a or d == b or (j in mine and j <= i):
                    continue
                (cx, cy), (ex, ey) = (
                    at if c == node else cells[c],
                    at if d == node else cells[d],
                )
                s1 = dx * (cy - py) - dy * (cx - px)
                s2 = dx * (ey - py) - dy * (ex - px)
                if s1 * s2 >= 0:
                    continue
                fx, fy = ex - cx, ey - cy
                if (fx * (py - cy) - fy * (px - cx)) * (fx * (qy - cy) - fy * (qx - cx)) < 0:
                    count += 1
        return count

    for _ in range(_PASSES):
        moved = False
        for node in order:
            cost = len(incident.get(node, ())) * len(pairs)  # segment tests per placement
            if cost > budget:
                continue  # a hub of a huge flow: too dear to place; cheaper blocks go on
            here = cells[node]
            lowest = max((cells[p][0] + 1 for p in preds.get(node, ())), default=0)
            highest = min((cells[t][0] - 1 for t in forward.get(node, ())), default=here[0] + 1)
            budget -= cost
            current = crossings_of(node, here)
            if current == 0:
                continue
            rows = [r for _, r in cells.values()]
            candidates = sorted(
                (abs(col - here[0]) + abs(r - here[1]), col, r)
                for col in range(max(lowest, here[0] - 2), min(highest, here[0] + 2) + 1)
                for r in range(
                    max(0, here[1] - _REACH),
                    min(max(rows) + 1, here[1] + _REACH) + 1,
                )
                if (col, r) not in taken
            )
            best, best_count = here, current
            for _, col, r in candidates:
                if cost > budget:
                    break
                budget -= cost
                count = crossings_of(node, (col, r))
                if count < best_count:
                    best, best_count = (col, r), count
            if best != here:
                del taken[here]
                taken[best] = node
                cells[node] = best
                moved = True
        if not moved:
            break
    return cells


# --- writing positions into Metadata --------------------------------------------------


def with_layout(metadata: Mapping[str, Any] | None, layout: Layout) -> dict[str, Any]:
    """``metadata`` with every block's position and the entry point's replaced.

    Everything else in it (display names, condition labels, annotations...) is kept;
    blocks without metadata get an entry holding only their position.
    """
    out = dict(metadata or {})
    per_action = out.get("ActionMetadata")
    actions = dict(per_action) if isinstance(per_action, Mapping) else {}
    for ident, (x, y) in layout.positions.items():
        entry = actions.get(ident)
        entry = dict(entry) if isinstance(entry, Mapping) else {}
        entry["position"] = {"x": x, "y": y}
        actions[ident] = entry
    out["ActionMetadata"] = actions
    out["entryPointPosition"] = {"x": layout.entry[0], "y": layout.entry[1]}
    return out


def laid_out(flow: Flow) -> Flow:
    """``flow`` with the layered layout in its metadata; content untouched."""
    metadata = with_layout(flow.metadata, layout_positions(flow))
    return replace(flow, metadata=metadata, raw={**flow.raw, "Metadata": metadata})


def layout_content(content: Mapping[str, Any]) -> dict[str, Any]:
    """Flow-language content (a dict) with the layered layout in ``Metadata``.

    For what flowops generates (canary wrappers, placeholders): the actions are left
    exactly as given.
    """
    flow = parse_content(content)
    return {**content, "Metadata": with_layout(flow.metadata, layout_positions(flow))}


# --- the metric ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LayoutMetrics:
    """How readable the designer positions are: overlapping blocks, crossing edges.

    Blocks are ``BOX_WIDTH`` x ``BOX_HEIGHT`` at their positions; edges are straight
    lines between block centres, one per (source, target) pair of distinct blocks that
    both have a position; two edges sharing a block never count as crossing.
    """

    blocks: int
    overlaps: int
    crossings: int


def _segments_cross(
    p1: tuple[float, float],
    p2: tuple[float, float],
    p3: tuple[float, float],
    p4: tuple[float, float],
) -> bool:
    def side(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    return side(p3, p4, p1) * side(p3, p4, p2) < 0 and side(p1, p2, p3) * side(p1, p2, p4) < 0


def positions_of(flow: Flow) -> dict[str, tuple[float, float]]:
    """Designer positions of the flow's blocks (those that have one)."""
    out: dict[str, tuple[float, float]] = {}
    for action in flow.actions:
        position = flow.action_metadata(action.identifier).get("position")
        if isinstance(position, Mapping):
            x, y = position.get("x"), position.get("y")
            if isinstance(x, int | float) and isinstance(y, int | float):
                out.setdefault(action.identifier, (float(x), float(y)))
    return out


def layout_metrics(flow: Flow) -> LayoutMetrics:
    """Overlapping block pairs and crossing edge pairs at the flow's designer positions."""
    at = positions_of(flow)
    overlaps = sum(
        1
        for (ax, ay), (bx, by) in combinations(at.values(), 2)
        if abs(ax - bx) < BOX_WIDTH and abs(ay - by) < BOX_HEIGHT
    )
    pairs = dict.fromkeys(
        (e.source, e.target)
        for e in action_graph(flow).edges
        if e.source != e.target and e.source in at and e.target in at
    )
    half_w, half_h = BOX_WIDTH / 2, BOX_HEIGHT / 2
    centre = {n: (x + half_w, y + half_h) for n, (x, y) in at.items()}
    crossings = sum(
        1
        for (a, b), (c, d) in combinations(pairs, 2)
        if len({a, b, c, d}) == 4 and _segments_cross(centre[a], centre[b], centre[c], centre[d])
    )
    return LayoutMetrics(len(at), overlaps, crossings)
