"""Run a program straight through, or with snapshot -> restore at every suspension.

Shared by tests/test_snapshot.py and the `snapshot` fuzz target. The host
function `fetch` suspends the task; the driver answers with `host_answer`.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
from typing import Any

import luavm

from .gen import host_answer


def fetch(v: Any) -> Any:
    """The host function Lua calls: suspends the whole task."""
    return luavm.suspend(["fetch", v])


def _new_task(src: str, out: io.BytesIO) -> luavm.Task:
    rt = luavm.LuaRuntime(stdout=out, seed=0)
    rt.globals()["fetch"] = fetch
    return rt.task(src, chunkname="=prog")


def run_straight(src: str) -> tuple[bytes, list, int]:
    """Answer each suspension in place. Returns (stdout, results, suspensions)."""
    out = io.BytesIO()
    task = _new_task(src, out)
    task.run()
    n = 0
    while not task.done:
        task.run(host_answer(task.request[1]))
        n += 1
    return out.getvalue(), task.result, n


def run_restored(src: str) -> tuple[bytes, list, int]:
    """Snapshot at every suspension and continue from a restored copy."""
    out = io.BytesIO()
    task = _new_task(src, out)
    task.run()
    n = 0
    while not task.done:
        data = task.snapshot()
        if task.snapshot() != data:
            raise AssertionError("snapshot of the same state gave different bytes")
        task = luavm.restore(data, stdout=out)
        task.run(host_answer(task.request[1]))
        n += 1
    return out.getvalue(), task.result, n


_CHILD = r"""
import sys
import luavm
from fuzz.snapcheck import fetch
from fuzz.gen import host_answer
data = open(sys.argv[1], "rb").read()
task = luavm.restore(data, stdout=sys.stdout.buffer)
task.run(host_answer(task.request[1]))
sys.stdout.flush()
if task.done:
    sys.stdout.buffer.write(b"\0DONE " + repr(task.result).encode())
else:
    open(sys.argv[1], "wb").write(task.snapshot())
"""


def run_in_subprocesses(src: str) -> tuple[bytes, str]:
    """Each step in a fresh Python process: restore from a file, answer, snapshot."""
    out = io.BytesIO()
    task = _new_task(src, out)
    task.run()
    if task.done:
        return out.getvalue(), repr(task.result)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "task.snap")
        with open(path, "wb") as f:
            f.write(task.snapshot())
        while True:
            p = subprocess.run([sys.executable, "-c", _CHILD, path], capture_output=True, cwd=root,
                               env={**os.environ, "PYTHONPATH": root}, timeout=120)
            if p.returncode != 0:
                raise AssertionError(f"restore in a subprocess failed:\n{p.stderr.decode()}")
            text = p.stdout
            if b"\0DONE " in text:
                body, _, result = text.partition(b"\0DONE ")
                out.write(body)
                return out.getvalue(), result.decode()
            out.write(text)


def run_lua54(src: str) -> bytes | None:
    """The reference: lua5.4 with the Lua fallback fetch (None if not installed)."""
    import shutil

    exe = shutil.which("lua5.4")
    if exe is None:
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(src)
        path = f.name
    try:
        p = subprocess.run([exe, path], capture_output=True, timeout=60)
    finally:
        os.unlink(path)
    if p.returncode != 0:
        raise AssertionError(f"lua5.4 failed on a generated program:\n{p.stderr.decode()}\n{src}")
    return p.stdout


def run_task(src: str | bytes, *, restore_each: bool, chunkname: str = "=stdin") -> tuple[bytes, list | None, bytes | None, int]:
    """Run `src` as a task, answering every suspension; with `restore_each`, each
    time from a snapshot restored into a fresh runtime (and the snapshot taken
    twice must give the same bytes). Returns (stdout, results or None, the
    uncaught error message or None, suspensions)."""
    from .common import lua_error_text

    out = io.BytesIO()
    rt = luavm.LuaRuntime(stdout=out, seed=0)
    rt.globals()["fetch"] = fetch
    rt.set_traceback_handler()  # as the `luavm` command (and lua.c) run chunks
    n = 0
    try:
        task = rt.task(src, chunkname=chunkname)
        task.run()
        while not task.done:
            if restore_each:
                data = task.snapshot()
                if task.snapshot() != data:
                    raise AssertionError("snapshot of the same state gave different bytes")
                task = luavm.restore(data, stdout=out)
                task.runtime.set_traceback_handler()
            task.run(host_answer(task.request[1]))
            n += 1
    except luavm.LuaError as e:
        return out.getvalue(), None, lua_error_text(e, task.runtime if n else rt), n
    return out.getvalue(), task.result, None, n
