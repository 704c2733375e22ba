"""The `luavm` command behaves as `lua` does."""

from __future__ import annotations

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def luavm(*args: str, stdin: str = "", cwd: str = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "luavm", *args], input=stdin.encode(),
                          capture_output=True, cwd=cwd, timeout=120)


def test_script_with_args_and_arg_table(tmp_path):
    p = tmp_path / "a.lua"
    p.write_text("print(...)\nprint(arg[0], arg[1], arg[2], #arg, arg[-1] ~= nil)\n")
    r = luavm(str(p), "x", "y")
    assert r.returncode == 0
    assert r.stdout.decode().splitlines() == ["x\ty", f"{p}\tx\ty\t2\ttrue"]


def test_dash_e_and_dash_l():
    r = luavm("-l", "string", "-e", "print(string.upper('ok'), type(string))")
    assert r.returncode == 0 and r.stdout == b"OK\ttable\n"


def test_uncaught_error_exit_status_and_traceback(tmp_path):
    p = tmp_path / "e.lua"
    p.write_text("local cfg\nprint(cfg.x)\n")
    r = luavm("e.lua", cwd=str(tmp_path))
    assert r.returncode == 1
    err = r.stderr.decode().splitlines()
    assert err[0] == "luavm: e.lua:2: attempt to index a nil value (local 'cfg')"
    assert err[1] == "stack traceback:"


def test_syntax_error_message():
    r = luavm("-e", "x = = 1")
    assert r.returncode == 1
    assert r.stderr.decode().splitlines()[0] == "luavm: (command line):1: unexpected symbol near '='"


def test_error_object_that_is_not_a_string():
    r = luavm("-e", "error({})")
    assert r.stderr.decode().splitlines()[0] == "luavm: (error object is a table value)"


def test_stdin_script():
    r = luavm("-", stdin="print(1 + 1, select('#', ...))")
    assert r.stdout == b"2\t0\n"


def test_repl_prints_expressions_and_continues_lines():
    r = luavm("-i", stdin="1 + 1\nx = 5\nx * 2\nfunction f()\nreturn 'f' end\nf()\n")
    out = r.stdout.decode()
    assert r.returncode == 0
    assert "2\n" in out and "10\n" in out and "f\n" in out
    assert ">> " in out  # the continuation prompt for the unfinished function


def test_version_and_missing_file():
    assert b"luavm" in luavm("-v").stdout
    r = luavm("nonexistent.lua")
    assert r.returncode == 1
    assert r.stderr.decode().startswith("luavm: cannot open nonexistent.lua")


def test_emit_python(tmp_path):
    p = tmp_path / "f.lua"
    p.write_text("local function add(a, b) return a + b end\nprint(add(1, 2))\n")
    r = luavm("--emit-python", str(p))
    assert r.returncode == 0
    src = r.stdout.decode()
    assert "def lua_add_1(a=None, b=None" in src
    compile(src, "emitted", "exec")  # the dump is valid Python


def test_deep_recursion_is_a_lua_stack_overflow():
    r = luavm("-e", "local function f(n) return 1 + f(n + 1) end print(pcall(f, 1))")
    assert r.returncode == 0
    line = r.stdout.decode()
    assert line.startswith("false\t(command line):1: stack overflow")


def test_million_deep_tail_recursion():
    r = luavm("-e", "local function loop(n) if n == 0 then return 'done' end return loop(n - 1) end"
                    " print(loop(1000000))")
    assert r.stdout == b"done\n"
