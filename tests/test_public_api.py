"""The public names of luavm (`luavm.__all__`): what wippy, the `luavm` command and
other embedders may use. A change here is a change of luavm's API: deliberate."""

import luavm

PUBLIC = [
    "FrameInfo", "LuaError", "LuaFunction", "LuaLimitError", "LuaRuntime", "LuaSyntaxError", "LuaTable",
    "LuaTableView", "SnapshotBase", "SnapshotError", "Task", "__version__", "chunk_display_name", "code_hash",
    "erase_types", "inspect_snapshot", "lua_type", "restore", "restore_derived", "run_with_big_stack", "running_loaded",
    "snapshot_base_digest", "suspend",
]


def test_the_public_names_are_pinned():
    assert sorted(luavm.__all__) == sorted(PUBLIC)
    assert len(set(luavm.__all__)) == len(luavm.__all__)


def test_every_public_name_resolves():
    for name in luavm.__all__:
        assert getattr(luavm, name) is not None, name


def test_errors_are_one_hierarchy_a_host_can_catch():
    assert issubclass(luavm.LuaLimitError, luavm.LuaError)
    rt = luavm.LuaRuntime(max_instructions=1000)
    try:
        rt.execute("while true do end")
    except luavm.LuaError as e:
        assert isinstance(e, luavm.LuaLimitError) and e.kind == "instructions"
    else:
        raise AssertionError("the loop was not stopped")
    try:
        luavm.LuaRuntime().execute("x = = 1", chunkname="t")
    except luavm.LuaError as e:
        assert str(e) == "t:1: unexpected symbol near '='"
    else:
        raise AssertionError("no syntax error")


def test_the_version_is_written_once():
    """pyproject.toml reads it from luavm/_version.py; the command and snapshots use it."""
    import subprocess
    import sys
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    meta = tomllib.loads((root / "pyproject.toml").read_text())
    assert "version" not in meta["project"] and "version" in meta["project"]["dynamic"]
    assert meta["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "luavm._version.__version__"}
    r = subprocess.run([sys.executable, "-m", "luavm", "-v"], capture_output=True, text=True, cwd=root)
    assert r.stdout.startswith(f"luavm {luavm.__version__} ")


def test_the_public_methods_of_runtime_and_task_are_documented():
    undocumented = []
    for cls in (luavm.LuaRuntime, luavm.Task):
        for name, member in vars(cls).items():
            if name.startswith("_") and name != "__init__":
                continue
            fn = member.fget if isinstance(member, property) else member
            if callable(fn) and not (fn.__doc__ or "").strip():
                undocumented.append(f"{cls.__name__}.{name}")
    assert undocumented == []


def test_the_package_ships_its_type_information():
    """py.typed is in the package and in what setuptools installs (PEP 561)."""
    import tomllib
    from pathlib import Path

    root = Path(luavm.__file__).parent
    assert (root / "py.typed").exists()
    meta = tomllib.loads((root.parent / "pyproject.toml").read_text())
    assert "py.typed" in meta["tool"]["setuptools"]["package-data"]["luavm"]
