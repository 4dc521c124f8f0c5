"""Which field's visibility depends on which answers, and in which order to decide it.

Nodes are canonical field references: ``"x"`` for a form-level field, ``"dogs.breed"``
for a field inside a group. A node depends on the fields its ``show_if`` and its
step's ``show_if`` read; a field inside a group also depends on its group. Because
a group's items are evaluated in one go, the group itself is made to depend on the
form-level fields its item fields read. ``required_if`` is not an edge: it does not
change what is shown, so required checks run after all answers are known.

The same graph serves :func:`~.checks.check_definition` (a cycle is a problem) and
the compiled definition (the order in which visibility is decided).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from amtsweg.formdefs.engine.conditions import parse_condition

Graph = Mapping[str, tuple[str, ...]]


def condition_refs(doc: Mapping[str, Any] | None) -> Iterator[str]:
    if doc is not None:
        for ref in parse_condition(doc).references():
            yield str(ref)


def visibility_graph(definition: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """The dependency graph of a schema-valid definition document, nodes in form order."""
    graph: dict[str, tuple[str, ...]] = {}
    for step in definition["steps"]:
        step_refs = tuple(condition_refs(step.get("show_if")))
        for field in step["fields"]:
            deps = [*step_refs, *condition_refs(field.get("show_if"))]
            for child in field.get("fields", ()) if field["type"] == "group" else ():
                child_refs = tuple(condition_refs(child.get("show_if")))
                graph[f"{field['id']}.{child['id']}"] = (*child_refs, field["id"])
                deps.extend(ref for ref in child_refs if "." not in ref)
            graph.setdefault(field["id"], tuple(dict.fromkeys(deps)))
    return graph


def find_cycles(graph: Graph) -> list[tuple[str, ...]]:
    """Every distinct cycle met by a depth-first walk, each as the nodes along it."""
    state: dict[str, str] = {}
    stack: list[str] = []
    cycles: dict[frozenset[str], tuple[str, ...]] = {}

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for dep in graph.get(node, ()):
            if state.get(dep) == "open":
                cycle = tuple(stack[stack.index(dep) :])
                cycles.setdefault(frozenset(cycle), cycle)
            elif dep in graph and dep not in state:
                visit(dep)
        stack.pop()
        state[node] = "done"

    for node in graph:
        if node not in state:
            visit(node)
    return list(cycles.values())


def dependency_order(graph: Graph, nodes: list[str]) -> list[str]:
    """``nodes`` reordered so that each comes after the nodes (of ``nodes``) it depends on.

    Ties keep the given order, so the result is stable. The graph must be acyclic.
    """
    wanted = set(nodes)
    placed: dict[str, None] = {}

    def place(node: str) -> None:
        if node in placed:
            return
        for dep in graph.get(node, ()):
            if dep in wanted:
                place(dep)
        placed[node] = None

    for node in nodes:
        place(node)
    return list(placed)
