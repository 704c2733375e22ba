"""Snapshots of runtimes with host access: the standard files are permanents
(written by name, restored as the new state's own streams); files the program
opened are refused with their path."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile

import pytest

import luavm
from fuzz.snapcheck import fetch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SRC = """
io.write("before ")
print("printed")
local out = io.output()
local v = fetch("x")
io.write("after ", v, "\\n")
io.stdout:write("stdout ", tostring(io.output() == io.stdout), " ", tostring(out == io.stdout), "\\n")
io.stderr:write("")
return io.type(io.stdin), io.type(io.output())
"""


def _task(src: str, out: io.BytesIO) -> luavm.Task:
    rt = luavm.LuaRuntime(host_access=True, stdout=out, seed=1)
    rt.globals()["fetch"] = fetch
    return rt.task(src, chunkname="io.lua")


def test_host_access_task_snapshots_and_restores_with_the_new_streams():
    first = io.BytesIO()
    task = _task(SRC, first).run()
    assert first.getvalue() == b"before printed\n"
    data = task.snapshot()
    assert task.snapshot() == data  # canonical
    with pytest.raises(luavm.SnapshotError, match="host access"):
        luavm.restore(data)
    second = io.BytesIO()
    restored = luavm.restore(data, host_access=True, stdout=second)
    restored.run("X")
    assert restored.result == ["file", "file"]
    assert second.getvalue() == b"after X\nstdout true true\n"
    assert first.getvalue() == b"before printed\n"


def test_default_files_set_by_the_program_are_kept():
    src = """
    io.output(io.stderr)
    io.input(io.stdin)
    fetch(1)
    return io.output() == io.stderr, io.input() == io.stdin, io.output() ~= io.stdout
    """
    task = _task(src, io.BytesIO()).run()
    restored = luavm.restore(task.snapshot(), host_access=True, stdout=io.BytesIO())
    restored.run(None)
    assert restored.result == [True, True, True]


def test_a_file_the_program_opened_is_refused_with_its_path(tmp_path):
    path = str(tmp_path / "f.txt").replace("\\", "/")
    task = _task(f"log = io.open('{path}', 'w') fetch(1)", io.BytesIO()).run()
    with pytest.raises(luavm.SnapshotError, match=r"LuaFile object at globals\.log"):
        task.snapshot()
    task = _task(f"io.output('{path}') fetch(1)", io.BytesIO()).run()
    with pytest.raises(luavm.SnapshotError, match=r"LuaFile object at io_output"):
        task.snapshot()


def test_host_access_snapshot_restores_in_another_process():
    """Written in one process (which printed with io.write), continued in another
    whose real stdout gets the rest of the output."""
    write = (
        "import sys, luavm\nfrom fuzz.snapcheck import fetch\n"
        "rt = luavm.LuaRuntime(host_access=True, seed=1); rt.globals()['fetch'] = fetch\n"
        f"t = rt.task({SRC!r}, chunkname='io.lua'); t.run()\n"
        "data = t.snapshot()\n"
        "open(sys.argv[1], 'wb').write(data)\n"
    )
    read = (
        "import sys, luavm\n"
        "t = luavm.restore(open(sys.argv[1], 'rb').read(), host_access=True)\n"
        "t.run('Y'); sys.stdout.flush(); print(t.result)\n"
    )
    env = {**os.environ, "PYTHONPATH": ROOT}
    with tempfile.TemporaryDirectory() as d:
        snap = os.path.join(d, "snap.bin")
        p = subprocess.run([sys.executable, "-c", write, snap], capture_output=True, cwd=ROOT, env=env)
        assert p.returncode == 0, p.stderr.decode()
        assert p.stdout == b"before printed\n"
        p = subprocess.run([sys.executable, "-c", read, snap], capture_output=True, cwd=ROOT, env=env)
        assert p.returncode == 0, p.stderr.decode()
        assert p.stdout == b"after Y\nstdout true true\n['file', 'file']\n"


def test_weak_tables_stay_weak_after_a_restore():
    src = """
    local w = setmetatable({}, {__mode = "k"})
    local keep = {}
    w[keep] = 1
    local function add() w[{}] = 2 end
    add()
    fetch(1)
    collectgarbage()
    local n = 0 for _ in pairs(w) do n = n + 1 end
    return n, w[keep]
    """
    rt = luavm.LuaRuntime(seed=1)
    rt.globals()["fetch"] = fetch
    task = rt.task(src).run()
    restored = luavm.restore(task.snapshot())
    restored.run(None)
    assert restored.result == [1, 1]


def test_a_close_handler_may_suspend_the_task_and_be_restored():
    """A workflow's `<close>` handler may call an activity: a host suspension
    inside `__close` (block end, return, inside pcall) snapshots and restores."""
    src = """
    local log = {}
    local function res(name)
      return setmetatable({}, {__close = function() log[#log + 1] = name .. "=" .. tostring(fetch(name)) end})
    end
    local function work()
      local a <close> = res("a")
      do local b <close> = res("b") end
      return "w"
    end
    local ok, v = pcall(work)
    return table.concat(log, " "), ok, v
    """
    rt = luavm.LuaRuntime(seed=1)
    rt.globals()["fetch"] = fetch
    task = rt.task(src).run()
    assert task.request == ["fetch", "b"]
    task = luavm.restore(task.snapshot())
    task.run(1)
    assert task.request == ["fetch", "a"]
    task = luavm.restore(task.snapshot())
    task.run(2)
    assert task.result == ["b=1 a=2", True, "w"]
