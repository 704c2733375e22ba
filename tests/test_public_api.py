"""The public names of luavm (`luavm.__all__`): what wippy, the `luavm` command and
other embedders may use. A change here is a change of luavm's API: deliberate."""

import luavm

PUBLIC = [
    "FrameInfo", "LuaError", "LuaFunction", "LuaLimitError", "LuaRuntime", "LuaSyntaxError", "LuaTable",
    "LuaTableView", "SnapshotBase", "SnapshotError", "Task", "__version__", "chunk_display_name", "code_hash",
    "erase_types", "inspect_snapshot", "lua_type", "restore", "restore_derived", "run_with_big_stack",
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
