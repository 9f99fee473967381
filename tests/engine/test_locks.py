"""Row locks are taken in one module, in the order its docstring gives."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import workshop_tui.services as services_package
from workshop_tui.services import locks

LOCKING = re.compile(r"FOR UPDATE|FOR SHARE|FOR NO KEY UPDATE|FOR KEY SHARE")


def takes_locks(source: str) -> bool:
    """Whether code (not a docstring or comment) has a locking clause or with_for_update."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "with_for_update":
            return True
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and LOCKING.search(node.value)
        ):
            return True
    return False


def test_only_the_locks_module_takes_row_locks():
    package = Path(services_package.__file__).parent
    takers = {path.name for path in package.glob("*.py") if takes_locks(path.read_text())}
    assert takers == {"locks.py"}


def test_the_lock_order_is_written_in_the_locks_module():
    doc = locks.__doc__ or ""
    steps = ["cash session", "cart", "the order", "inventory", "ledger chain head"]
    positions = [doc.find(step) for step in steps]
    assert -1 not in positions and positions == sorted(positions)
