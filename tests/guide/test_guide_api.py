"""The guide's public names, and the rule that only the loader touches files."""

from __future__ import annotations

import ast
from pathlib import Path

import unshared.guide

PACKAGE = Path(unshared.guide.__file__).parent
PURE = ("model.py", "answers.py", "content.py", "flow.py", "render.py", "casefile_link.py")
IO_MODULES = {"yaml", "pathlib", "os", "io", "importlib", "shutil", "open", "sqlite3", "apsw"}


def test_public_names_are_pinned() -> None:
    assert set(unshared.guide.__all__) == {
        "PAYMENT_METHODS",
        "PLATFORMS",
        "REGIONS",
        "Answers",
        "Contact",
        "Plan",
        "Step",
        "build_plan",
        "default_guide",
        "load_guide",
        "parse_answers",
        "plan_status",
        "plan_text",
        "record_plan",
        "record_step_done",
    }
    for name in unshared.guide.__all__:
        assert hasattr(unshared.guide, name)


def test_the_core_does_no_io() -> None:
    for name in PURE:
        tree = ast.parse((PACKAGE / name).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                roots = {(node.module or "").split(".")[0]}
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                roots = {node.func.id} & {"open"}
            else:
                continue
            assert not roots & IO_MODULES, f"{name} uses {roots & IO_MODULES}"
