"""The layering of docs/architecture.md, checked on the source: core imports no app."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = {"plans", "tasks", "enterprises", "platforms"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def core_sources():
    return [p for p in (ROOT / "core").rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts]


@pytest.mark.parametrize("path", core_sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_imports_no_app(path):
    offending = {name for name in imported_modules(path) if name.split(".")[0] in APPS}
    assert offending == set()


@pytest.mark.parametrize("app", sorted(APPS))
def test_no_app_imports_another_apps_views(app):
    for path in (ROOT / app).rglob("*.py"):
        if "tests" in path.parts:
            continue
        for name in imported_modules(path):
            parts = name.split(".")
            assert not (parts[0] in APPS - {app} and len(parts) > 1 and parts[1] == "views"), (path, name)


def test_plans_does_not_import_tasks():
    """tasks builds on plans; plans reaches tasks only through what tasks registers (generator, menu)."""
    for path in (ROOT / "plans").rglob("*.py"):
        if "tests" in path.parts:
            continue
        assert not {n for n in imported_modules(path) if n.split(".")[0] == "tasks"}, path


def test_enterprises_does_not_import_platforms():
    """platforms builds on enterprises; the portrait shows a firm's institutions through core.sections."""
    for path in (ROOT / "enterprises").rglob("*.py"):
        if "tests" in path.parts:
            continue
        assert not {n for n in imported_modules(path) if n.split(".")[0] == "platforms"}, path


# `<x>.role` compared with a role value, a tuple or set of them, or a string literal.
ROLE_COMPARISON = re.compile(r"\.role\s*(==|!=|not in|in)\s*(Role\.|\(|\{|\[|\"|')")
# Setting the Django flags from the role being saved: the chosen field decides, not a predicate on the
# account as it was (which would keep a demoted system admin's superuser flag).
ROLE_COMPARISON_ALLOWED = {("core/accounts.py", "user.is_superuser = user.is_staff = user.role == Role.SYSADMIN")}


def test_roles_are_asked_through_core_roles():
    """Role rules are the named predicates of core.roles, not comparisons spread over the apps."""
    found = set()
    for app in sorted(APPS | {"core"}):
        for path in (ROOT / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts or path == ROOT / "core" / "roles.py":
                continue
            for line in path.read_text(encoding="utf-8").splitlines():
                if ROLE_COMPARISON.search(line):
                    found.add((str(path.relative_to(ROOT)), line.strip()))
    assert found == ROLE_COMPARISON_ALLOWED
