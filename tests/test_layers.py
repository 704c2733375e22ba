"""luavm's modules depend on each other one way, layer by layer, as the reference Lua's
libraries use only its public API:

    leaves (errors, version, syntax tree) -> front end (lexer, parser) -> compiler
    -> runtime core -> standard library -> host API -> the `luavm` command

Every import counts, those inside functions too (they run later, but they are
dependencies all the same); only imports under `if TYPE_CHECKING:` do not (they never
run: annotations of a mixin naming the class it is mixed into). A module may import
its own layer or the ones below, never one above, and the import graph has no cycle
except the runtime core's few call-time imports named in CORE_BACK_EDGES.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import luavm

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "luavm"

# bottom to top; a module's layer is that of the longest prefix listed ("luavm": the package itself)
LAYERS = [
    ["luavm._version", "luavm.errors", "luavm.syntax_tree", "luavm.diskcache"],
    ["luavm.lexer", "luavm.syntaxcheck", "luavm.parser", "luavm.dialect"],
    ["luavm.compiler"],
    ["luavm.runtime"],
    ["luavm.stdlib"],
    ["luavm.bigstack", "luavm.convert", "luavm.snapshot", "luavm.snapshot_base", "luavm.instantiate", "luavm.inspect",
     "luavm.task", "luavm.host", "luavm"],
    ["luavm.__main__"],
]

# The runtime core loads in this order at import time: values, frames, state, icache,
# limits, ops, coroutine. These imports go the other way; each is made inside a
# function, when the code runs, never while the modules load:
CORE_BACK_EDGES = {
    ("luavm.runtime.values", "luavm.runtime.frames"):
        "rt_error adds Lua's position prefix, which the frames' line tables know",
    ("luavm.runtime.frames", "luavm.runtime.state"):
        "the function of a builtin's frame is found in the running state's registry",
    ("luavm.runtime.frames", "luavm.runtime.coroutine"):
        "a Lua frame's function is rebuilt from its code and cells (rebuild_closure)",
    ("luavm.runtime.state", "luavm.runtime.coroutine"):
        "a new LuaState makes its main coroutine",
    ("luavm.runtime.state", "luavm.runtime.icache"):
        "activating another state drops the inline caches of the previous one",
    ("luavm.runtime.state", "luavm.runtime.limits"):
        "activating another state settles the previous one's step budget",
    ("luavm.runtime.limits", "luavm.runtime.ops"):
        "a preempted function is called again (CallAgain.cont)",
    ("luavm.runtime.limits", "luavm.runtime.coroutine"):
        "preemption suspends the running task (Suspend, rebuild_closure)",
}


def _modules() -> dict[str, Path]:
    mods = {}
    for p in sorted(PKG.rglob("*.py")):
        parts = list(p.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join(parts)] = p
    return mods


def _type_checking_only(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for stmt in node.body:
                skip.update(id(x) for x in ast.walk(stmt))
    return skip


@functools.cache
def _imports() -> tuple[dict[str, dict[str, tuple[int, bool]]], list[tuple[str, str, int]]]:
    """module -> {imported luavm module: (line, at module level)}; and every import of
    a name outside luavm, as (module, imported name, line)."""
    mods = _modules()
    graph: dict[str, dict[str, tuple[int, bool]]] = {m: {} for m in mods}
    outside = []
    for mod, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        skip = _type_checking_only(tree)
        top = {id(n) for n in tree.body}
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
                    for _ in range(node.level - 1):
                        base = base.rsplit(".", 1)[0]
                    full = base + ("." + node.module if node.module else "")
                else:
                    full = node.module or ""
                # `from . import x` imports the module x when there is one
                targets = [f"{full}.{a.name}" if f"{full}.{a.name}" in mods else full for a in node.names]
            else:
                continue
            for t in targets:
                outside.append((mod, t, node.lineno))
                while t not in mods and "." in t:
                    t = t.rsplit(".", 1)[0]
                if t in mods and t != mod:
                    graph[mod].setdefault(t, (node.lineno, id(node) in top))
    return graph, outside


def _layer(mod: str) -> int:
    best, rank = -1, -1
    for i, names in enumerate(LAYERS):
        for n in names:
            if (mod == n or (n != "luavm" and mod.startswith(n + "."))) and len(n) > best:
                best, rank = len(n), i
    assert rank >= 0, f"{mod} is in no layer of tests/test_layers.py"
    return rank


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph` (as a path that ends where it starts), or None."""
    color: dict[str, int] = {}
    stack: list[str] = []

    def visit(v: str) -> list[str] | None:
        color[v] = 1
        stack.append(v)
        for w in sorted(graph[v]):
            if color.get(w) == 1:
                return stack[stack.index(w):] + [w]
            if w not in color:
                found = visit(w)
                if found:
                    return found
        stack.pop()
        color[v] = 2
        return None

    for v in sorted(graph):
        if v not in color:
            found = visit(v)
            if found:
                return found
    return None


def test_every_module_has_a_layer_and_imports_only_its_own_or_lower_ones():
    graph, _ = _imports()
    upward = [f"{m} (layer {_layer(m)}) imports {t} (layer {_layer(t)}) at line {line}"
              for m, deps in graph.items() for t, (line, _top) in deps.items() if _layer(t) > _layer(m)]
    assert upward == []


def test_no_import_cycle_but_the_named_runtime_core_back_edges():
    graph, _ = _imports()
    pruned = {m: {t for t in deps if (m, t) not in CORE_BACK_EDGES} for m, deps in graph.items()}
    assert _cycle(pruned) is None


def test_the_core_back_edges_exist_and_run_only_at_call_time():
    graph, _ = _imports()
    for (m, t), why in CORE_BACK_EDGES.items():
        assert t in graph[m], f"{m} no longer imports {t}: remove it from CORE_BACK_EDGES ({why})"
        line, top = graph[m][t]
        assert not top, f"{m}:{line} imports {t} while loading: the core would not load in order"


def test_the_cycle_check_sees_function_local_imports():
    graph = {"a": {"b"}, "b": {"a"}}
    assert _cycle(graph) == ["a", "b", "a"]
    real, _ = _imports()
    # runtime.values imports frames only inside rt_error
    assert real["luavm.runtime.values"]["luavm.runtime.frames"][1] is False


def test_luavm_never_imports_wippy():
    _, outside = _imports()
    assert [x for x in outside if x[1] == "wippy" or x[1].startswith("wippy.")] == []


def test_the_package_imports_cleanly_from_any_entry_point():
    """Each module imported first, in a fresh interpreter, loads (no import-order trap)."""
    import subprocess
    import sys

    mods = sorted(m for m in _modules() if m != "luavm.__main__")
    code = "import importlib, sys\nfor m in sys.argv[1:]:\n    for k in [k for k in sys.modules if k.startswith('luavm')]:\n        del sys.modules[k]\n    importlib.import_module(m)\n"
    r = subprocess.run([sys.executable, "-c", code, *mods], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stderr
    assert luavm.LuaRuntime().eval("1 + 1") == 2


def test_the_command_uses_only_the_public_api():
    """luavm/__main__.py is an embedder like wippy: it imports only names luavm exports."""
    path = PKG / "__main__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    used = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("luavm")):
            module = node.module if not node.level else ("luavm." + node.module if node.module else "luavm")
            used.append((module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            assert not any(a.name.startswith("luavm") for a in node.names), ast.unparse(node)
    assert used and all(m == "luavm" for m, _ in used), used
    assert all(name in luavm.__all__ for _, names in used for name in names)


def test_wippy_uses_only_the_public_api():
    for path in sorted((ROOT / "wippy").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").startswith("luavm"):
                assert node.module == "luavm", f"{path}:{node.lineno} imports {node.module}"
                assert all(a.name in luavm.__all__ for a in node.names), f"{path}:{node.lineno}"
            elif isinstance(node, ast.Import):
                bad = [a.name for a in node.names if a.name.startswith("luavm.")]
                assert not bad, f"{path}:{node.lineno} imports {bad}"
