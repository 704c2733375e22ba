"""Compatibility gaps found running third-party libraries' test suites: warn and
`-W`, loadfile, LUA_PATH's ";;", LUA_INIT and `-E`, debug.debug, debug.setlocal,
package.loadlib. What stdout alone shows is in the differential corpus
(tests/lua/); these check stderr, the environment and the embedding API.
Expectations are lua5.4's (5.4.4) behaviour, written out."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import luavm
from luavm import LuaError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_PATH = ("/usr/local/share/lua/5.4/?.lua;/usr/local/share/lua/5.4/?/init.lua;"
                "/usr/local/lib/lua/5.4/?.lua;/usr/local/lib/lua/5.4/?/init.lua;./?.lua;./?/init.lua")


def luavm_run(*args: str, stdin: str = "", env: dict[str, str] | None = None,
              cwd: str = ROOT) -> subprocess.CompletedProcess:
    e = {k: v for k, v in os.environ.items() if not k.startswith(("LUA_PATH", "LUA_CPATH", "LUA_INIT"))}
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "luavm", *args], input=stdin.encode(),
                          capture_output=True, cwd=cwd, env=e, timeout=120)


# ------------------------------------------------------------------- warn


WARN_SCRIPT = """
warn("before on")
warn("@on")
warn("a", "b", "c")
warn("@off")
warn("hidden")
warn("x", "@on")
warn("shown")
warn("@on", "y")
warn("@unknown")
warn("z\\0w")
warn(1, 2.5)
"""


def test_warn_messages_and_control():
    r = luavm_run("-e", WARN_SCRIPT)
    assert r.returncode == 0, r.stderr
    assert r.stdout == b""
    assert r.stderr.decode().splitlines() == [
        "Lua warning: abc", "Lua warning: shown", "Lua warning: @ony", "Lua warning: z",
        "Lua warning: 12.5"]


def test_dash_W_turns_warnings_on_in_order():
    r = luavm_run("-e", "warn('one')", "-W", "-e", "warn('two')")
    assert r.returncode == 0
    assert r.stderr == b"Lua warning: two\n"
    assert luavm_run("-W", "-e", "warn('@off') warn('x')").stderr == b""


def test_warn_argument_errors():
    rt = luavm.LuaRuntime(host_access=True)
    with pytest.raises(LuaError, match=r"bad argument #1 to 'warn' \(string expected, got no value\)"):
        rt.execute("warn()")
    with pytest.raises(LuaError, match=r"bad argument #2 to 'warn' \(string expected, got table\)"):
        rt.execute("warn('a', {})")


def test_warn_in_a_sandbox_writes_nowhere_unless_the_embedder_asks(capfd):
    rt = luavm.LuaRuntime()
    rt.execute("warn('@on') warn('quiet')")
    assert capfd.readouterr().err == ""

    class Sink:
        def __init__(self) -> None:
            self.data = b""

        def write(self, b: bytes) -> None:
            self.data += b

        def flush(self) -> None:
            pass

    sink = Sink()
    rt.state.warn_stream = sink
    rt.execute("warn('heard', ' you')")
    assert sink.data == b"Lua warning: heard you\n"


# ------------------------------------------------------------------- loadfile


def test_loadfile(tmp_path):
    (tmp_path / "m.lua").write_text("#!/usr/bin/lua\nreturn x, ...\n")
    (tmp_path / "bad.lua").write_text("return 1 +")
    script = """
    x = 3
    print(loadfile("m.lua")("arg"))
    print(loadfile("m.lua", "t", {x = 5})())
    print(pcall(loadfile("m.lua", "t", nil)))
    print(loadfile("bad.lua"))
    print(loadfile("m.lua", "b"))
    print(loadfile("missing.lua"))
    print(loadfile("."))
    print(pcall(loadfile, {}))
    print(pcall(dofile, "missing.lua"))
    """
    r = luavm_run("-e", script, cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().splitlines() == [
        "3\targ",
        "5",
        "false\tm.lua:2: attempt to index a nil value (upvalue '_ENV')",
        "nil\tbad.lua:1: unexpected symbol near <eof>",
        "nil\tattempt to load a text chunk (mode is 'b')",
        "nil\tcannot open missing.lua: No such file or directory",
        "nil\tcannot read .: Is a directory",
        "false\tbad argument #1 to 'loadfile' (string expected, got table)",
        "false\tcannot open missing.lua: No such file or directory",
    ]


def test_loadfile_reads_stdin():
    r = luavm_run("-e", "print(loadfile()())", stdin="return 6 * 7")
    assert r.stdout == b"42\n"


def test_loadfile_is_a_host_function():
    assert luavm.LuaRuntime().eval("loadfile") is None
    assert luavm.LuaRuntime(host_access=True).eval("type(loadfile)") == "function"


# ------------------------------------------------------------------- paths, LUA_INIT, -E


@pytest.mark.parametrize("value, expected", [
    ("a;;b", "a;" + DEFAULT_PATH + ";b"),
    (";;", DEFAULT_PATH),
    ("x;;", "x;" + DEFAULT_PATH),
    (";;x", DEFAULT_PATH + ";x"),
    (";;;;", DEFAULT_PATH + ";;;"),
    (";;x;;y", DEFAULT_PATH + ";x;;y"),
    ("a;b", "a;b"),
    ("", ""),
])
def test_lua_path_expansion(value, expected):
    r = luavm_run("-e", "io.write(package.path)", env={"LUA_PATH": value})
    assert r.stdout.decode() == expected


def test_lua_path_default_versioned_and_noenv():
    assert luavm_run("-e", "io.write(package.path)").stdout.decode() == DEFAULT_PATH
    r = luavm_run("-e", "io.write(package.path)", env={"LUA_PATH_5_4": "v;;", "LUA_PATH": "plain"})
    assert r.stdout.decode() == "v;" + DEFAULT_PATH
    r = luavm_run("-E", "-e", "io.write(package.path)", env={"LUA_PATH": "plain"})
    assert r.stdout.decode() == DEFAULT_PATH


def test_lua_init(tmp_path):
    r = luavm_run("-e", "print(2)", env={"LUA_INIT": "print('init')"})
    assert r.stdout == b"init\n2\n"
    assert luavm_run("-E", "-e", "print(2)", env={"LUA_INIT": "print('init')"}).stdout == b"2\n"
    (tmp_path / "i.lua").write_text("print('from file')")
    r = luavm_run("-e", "print(2)", env={"LUA_INIT": "@i.lua"}, cwd=str(tmp_path))
    assert r.stdout == b"from file\n2\n"
    r = luavm_run("-e", "print(2)", env={"LUA_INIT": "error('x')"})
    assert r.returncode == 1 and r.stdout == b""
    assert r.stderr.decode().splitlines()[0] == "luavm: LUA_INIT:1: x"
    r = luavm_run("-e", "print(2)", env={"LUA_INIT_5_4": "print('v')", "LUA_INIT": "print('plain')"})
    assert r.stdout == b"v\n2\n"


def test_dash_l_alone_still_reads_stdin():
    assert luavm_run("-l", "string", stdin="print(1)").stdout == b"1\n"


# ------------------------------------------------------------------- debug library


def test_debug_debug_reads_commands_until_cont():
    stdin = 'print("hi")\nx = 1 +\nerror("boom")\ny = 2\ncont\nprint("not run")\n'
    r = luavm_run("-e", "debug.debug() print('done', y)", stdin=stdin)
    assert r.returncode == 0
    assert r.stdout == b"hi\ndone\t2\n"
    assert r.stderr.decode() == ("lua_debug> lua_debug> (debug command):2: unexpected symbol near <eof>\n"
                                 "lua_debug> (debug command):1: boom\nlua_debug> lua_debug> ")
    assert luavm_run("-e", "debug.debug() print('eof')").stdout == b"eof\n"


def test_setlocal_refuses_what_compiled_code_relies_on():
    rt = luavm.LuaRuntime(host_access=True)
    # an integer the code computes with without type tests
    with pytest.raises(LuaError, match="local 'n' is compiled as an integer; it cannot take a string"):
        rt.execute("local n = 1 debug.setlocal(1, 1, 'x') return n + 1")
    # a loop index known to be >= 1 (array reads drop their range test)
    with pytest.raises(LuaError, match="local 'i' is compiled as an integer of at least 1"):
        rt.execute("local t = {1, 2} for i = 1, 2 do debug.setlocal(1, 2, 0) local _ = t[i] end")
    # a local function whose calls are compiled in
    with pytest.raises(LuaError, match="local 'f' is a local function"):
        rt.execute("local function f() return 1 end debug.setlocal(1, 1, print) return f()")
    # the same type is fine; so is anything for a local of unknown type
    assert rt.execute("local n = 1 debug.setlocal(1, 1, 41) return n + 1") == 42
    assert rt.execute("local s = tostring(1) debug.setlocal(1, 1, 5) return s") == 5


def test_setcstacklimit_and_loadlib():
    rt = luavm.LuaRuntime(host_access=True)
    assert rt.execute("return debug.setcstacklimit(1000)") == 200  # lua 5.4.3+: LUAI_MAXCCALLS
    assert rt.execute("return package.loadlib('libx.so', 'luaopen_x')") == (
        None, "dynamic libraries not enabled; check your Lua installation", "absent")
    with pytest.raises(LuaError, match=r"bad argument #2 to 'loadlib' \(string expected, got no value\)"):
        rt.execute("package.loadlib('x')")
