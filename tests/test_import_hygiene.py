"""The package's import graph: no module reaches itself through its imports, and the
terminal app's launch leaves the heavy stacks unloaded."""

from __future__ import annotations

import os
import subprocess
import sys

import grimp


def strongly_connected(adjacency: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively: the groups of modules that import each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in sorted(adjacency):
        if root in index:
            continue
        work = [(root, iter(sorted(adjacency[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(adjacency.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def test_strongly_connected_finds_a_cycle():
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_of_the_package_imports_itself_through_others():
    graph = grimp.build_graph("workshop_tui")
    adjacency = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    assert strongly_connected(adjacency) == []


# What the terminal app must not load before its login screen paints: the engine
# (reached in a worker after the first paint), the web stack and the seed generator.
HEAVY = ("sqlalchemy", "psycopg2", "alembic", "argon2", "pydantic", "flask", "pandas", "faker")

LAUNCH = """
import sys
from workshop_tui import cli
from workshop_tui.app import WorkshopApp

def run(self, *args, **kwargs):  # where the app would paint its login screen
    print(",".join(m for m in sys.argv[1:] if m in sys.modules))

WorkshopApp.run = run
cli.main(["--database-url", "postgresql://nobody@127.0.0.1:1/x"], standalone_mode=False)
"""


def test_the_terminal_app_reaches_its_login_screen_without_the_engine_web_or_seed_stacks(
    tmp_path,
):
    env = {**os.environ, "WORKSHOP_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", LAUNCH, *HEAVY], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
