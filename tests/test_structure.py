"""The shape of the package holds (docs/architecture.md): shells call use cases, never the core;
no import cycles; modules stay small. Read from the source with ``ast``, so a lazy import inside a
function counts as much as one at the top."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "unshared"
SHELLS = ("unshared.cli", "unshared.web")
CORE = (
    "unshared.casefile",
    "unshared.analysis",
    "unshared.report",
    "unshared.bank",
    "unshared.fingerprints",
    "unshared.police",
)
#: Below the use cases: they call these, never the other way round.
BELOW_USECASES = (
    *CORE,
    "unshared.importers",
    "unshared.guide",
    "unshared.model",
    "unshared.errors",
)
MAX_LINES = 500
#: Modules still over the limit, each with the most lines it may have until it is split. The test
#: fails when one grows, and when one is split (so the entry must then be removed).
KNOWN_LARGE: dict[str, int] = {}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path) -> Iterator[tuple[int, str]]:
    """Every ``unshared`` module this one imports (at the top, in functions, for types)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "unshared":
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target.split(".")[0] != "unshared":
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                yield node.lineno, sub if sub in MODULES else target


GRAPH = {name: sorted({t for _, t in _imports(name, path)}) for name, path in MODULES.items()}


def test_the_shells_never_import_the_core_packages() -> None:
    found = [
        f"{MODULES[name].relative_to(SRC)}:{line} imports {target}"
        for name, path in MODULES.items()
        if name.startswith(SHELLS)
        for line, target in _imports(name, path)
        if target.startswith(CORE)
    ]
    assert found == [], "call a use case (unshared.usecases) instead:\n" + "\n".join(found)


def test_the_check_sees_a_shell_reaching_into_the_core(tmp_path: Path) -> None:
    """The check above is not vacuous: the ways of importing it must catch are caught."""
    sample = PACKAGE / "cli" / "_probe_does_not_exist.py"
    code = (
        "from unshared.report.pack import write_report\n"
        "def f():\n    import unshared.casefile.store\n    from ..bank import client\n"
    )
    probe = tmp_path / "probe.py"
    probe.write_text(code)
    found = [t for _, t in _imports("unshared.cli._probe", probe)]
    assert not sample.exists()
    assert found == ["unshared.report.pack", "unshared.casefile.store", "unshared.bank.client"]
    assert all(t.startswith(CORE) for t in found)


def test_the_core_never_imports_a_use_case() -> None:
    """The core packages and the importers sit below :mod:`unshared.usecases` (police/ too: the
    bundle reader is core, the police use case calls it)."""
    found = [
        f"{MODULES[name].relative_to(SRC)}:{line} imports {target}"
        for name, path in MODULES.items()
        if name.startswith(BELOW_USECASES)
        for line, target in _imports(name, path)
        if target.startswith("unshared.usecases")
    ]
    assert found == [], "move what the core needs out of the use case:\n" + "\n".join(found)


def test_the_check_sees_the_core_reaching_into_a_use_case(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from unshared.usecases.stream import add_stream\n")
    name = "unshared.police._probe"
    assert name.startswith(BELOW_USECASES)
    assert [t for _, t in _imports(name, probe)] == ["unshared.usecases.stream"]


def _cycle() -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in GRAPH.get(node, []):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in GRAPH:
        if start not in state and (found := visit(start)):
            return found
    return None


def test_no_import_cycles() -> None:
    cycle = _cycle()
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_web_routes_get_their_state_from_deps_not_from_the_app() -> None:
    routes = [name for name in GRAPH if name.startswith("unshared.web.routes_")]
    assert routes
    for name in routes:
        assert "unshared.web.app" not in GRAPH[name], name


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_small(name: str) -> None:
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    limit = KNOWN_LARGE.get(name, MAX_LINES)
    assert lines <= limit, f"{name} has {lines} lines (limit {limit}): split it by responsibility"
    if name in KNOWN_LARGE:
        assert lines > MAX_LINES, f"{name} is small now: remove it from KNOWN_LARGE"


def test_every_package_pins_its_public_names() -> None:
    missing = [
        name
        for name, path in MODULES.items()
        if path.name == "__init__.py"
        and "__all__" not in path.read_text(encoding="utf-8")
        and name != "unshared"
    ]
    assert missing == []
