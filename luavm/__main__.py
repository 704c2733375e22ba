"""`luavm` — a drop-in for the `lua` command.

usage: luavm [options] [script [args]]
  -e stat   execute string 'stat'
  -i        enter interactive mode after executing 'script'
  -l mod    require library 'mod' into global 'mod' (-l g=mod: into global 'g')
  -v        show version information
  -E        ignore environment variables
  -W        turn warnings on
  --emit-python  print the Python generated for 'script' and exit
  --no-cache     do not read or write the compiled-chunk cache (~/.cache/luavm)
  --        stop handling options
  -         stop handling options and execute stdin
"""

from __future__ import annotations

import os
import sys
from typing import Any

from ._version import __version__

PROG = "luavm"
VERSION = f"luavm {__version__} (Lua 5.4 language) -- pure Python"


def _usage(msg: str) -> int:
    sys.stderr.write(f"{PROG}: {msg}\n")
    sys.stderr.write(__doc__.split("\n", 2)[2].replace("usage: luavm", f"usage: {PROG}"))
    sys.stderr.flush()
    return 1


def _report(e: BaseException, traceback: bool = True) -> None:
    from .runtime.frames import traceback_lines
    from .runtime.values import LuaError, LuaTable

    if isinstance(e, LuaError) and e.handled and type(e.value) is bytes:
        # lua.c's msghandler already ran (before a __close saw the error): the
        # message carries its traceback
        sys.stderr.write(f"{PROG}: {e.value.decode('utf-8', 'replace')}\n")
        sys.stderr.flush()
        return
    if isinstance(e, LuaError):
        v = e.value
        if type(v) is bytes:
            msg = v.decode("utf-8", "replace")
        elif type(v) in (int, float):
            from .runtime.values import tostr

            msg = tostr(v).decode()
        else:
            from .runtime import ops
            from .stdlib.base import tostring_meta

            if ops.metafield(v, b"__tostring") is not None:
                try:
                    msg = _bounded(tostring_meta, v).decode("utf-8", "replace")
                except Exception:  # noqa: BLE001 - it errs, yields, loops, returns a non-string
                    msg = f"(error object is a {_tn(v)} value)"
            else:
                msg = f"(error object is a {_tn(v)} value)"
        del LuaTable
        tb = ["stack traceback:"] + ["\t" + x for x in traceback_lines(e.__traceback__, getattr(e, "origin", None))] + ["\t[C]: in ?"]
        sys.stderr.write(f"{PROG}: {msg}\n" + ("\n".join(tb) + "\n" if traceback else ""))
    else:
        sys.stderr.write(f"{PROG}: {e}\n")
    sys.stderr.flush()


def _bounded(fn: Any, *args: Any) -> Any:
    """fn(*args), stopped with an error after a million Python trace events: a
    hostile `__tostring` of an error object must not hang the report."""
    count = [0]

    def tracer(frame: Any, event: str, arg: Any) -> Any:
        count[0] += 1
        if count[0] > 1_000_000:
            raise RuntimeError("__tostring took too long")
        return tracer

    old = sys.gettrace()
    sys.settrace(tracer)
    try:
        return fn(*args)
    finally:
        sys.settrace(old)


def _tn(v: Any) -> str:
    from .runtime.values import type_name

    return type_name(v)


def main(argv: list[str] | None = None) -> int:
    from .host import run_with_big_stack

    argv = sys.argv[1:] if argv is None else argv
    return run_with_big_stack(lambda: _main(argv))


def _default_sigpipe() -> None:
    """As a C program: output into a closed pipe (`luavm f.lua | head`) ends the
    process quietly, not with a Python traceback."""
    import signal

    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)


def _main(argv: list[str]) -> int:  # noqa: C901 - mirrors lua.c's option handling
    from . import LuaRuntime
    from .lexer import LuaSyntaxError
    from .runtime import ops, state
    from .runtime.values import LuaError, LuaTable

    actions: list[tuple[str, str]] = []
    interactive = False
    version = False
    emit = False
    noenv = False
    has_e = False
    i = 0
    script_index = None
    while i < len(argv):
        a = argv[i]
        if a == "--":
            i += 1
            if i < len(argv):
                script_index = i
            break
        if a == "-":
            script_index = i
            break
        if not a.startswith("-"):
            script_index = i
            break
        if a in ("-e", "-l"):
            if i + 1 >= len(argv):
                return _usage(f"'{a}' needs argument")
            actions.append((a, argv[i + 1]))
            has_e = has_e or a == "-e"
            i += 2
            continue
        if a.startswith("-e") or a.startswith("-l"):
            actions.append((a[:2], a[2:]))
            has_e = has_e or a.startswith("-e")
        elif a == "-i":
            interactive = True
            version = True
        elif a == "-v":
            version = True
        elif a == "-E":
            noenv = True
        elif a == "-W":
            actions.append(("-W", ""))  # in order with -e and -l, as lua.c's runargs
        elif a == "--emit-python":
            emit = True
        elif a == "--no-cache":
            os.environ["LUAVM_NO_CACHE"] = "1"
        else:
            return _usage(f"unrecognized option '{a}'")
        i += 1

    if version:
        print(VERSION, flush=True)

    if emit:
        if script_index is None:
            return _usage("--emit-python needs a script")
        from .runtime.loader import Chunk, file_text

        path = argv[script_index]
        with open(path, "rb") as fh:
            data = fh.read()
        data = file_text(data)
        try:
            sys.stdout.write(Chunk(data, "@" + path).python_source)
        except LuaSyntaxError as e:
            sys.stderr.write(f"{PROG}: {e.msg}\n")
            return 1
        return 0

    rt = LuaRuntime(host_access=True, stdout=sys.stdout.buffer)
    rt.set_traceback_handler()  # errors raised in Lua code meet lua.c's msghandler
    G = rt.state.globals
    assert G is not None
    # the arg table: script at 0, options before it negative, script args positive
    argt = LuaTable()
    base = script_index if script_index is not None else len(argv)
    argt.set(-(base + 1), sys.executable.encode() if False else PROG.encode())
    for j, a in enumerate(argv):
        argt.set(j - base, os.fsencode(a))
    if script_index is not None and argv[script_index] == "-" and False:
        pass
    G.set(b"arg", argt)

    def run(fn: Any, *args: Any) -> bool:
        prev = state.activate(rt.state)
        try:
            ops.call(fn, *args)
            return True
        except LuaError as e:
            _report(e)
            return False
        except RecursionError:
            _report(LuaError(b"stack overflow"))
            return False
        finally:
            sys.stdout.flush()
            state.activate(prev)

    def load(src: bytes, name: str) -> Any:
        try:
            return rt.load(src, name)
        except LuaError as e:
            _report(e, traceback=False)  # a syntax error: lua.c prints no traceback
            return None

    if noenv:
        # lua -E: LUA_PATH, LUA_CPATH and LUA_INIT are not read
        from .stdlib.package import DEFAULT_PATH

        pkg = G.get(b"package")
        if isinstance(pkg, LuaTable):
            pkg.set(b"path", DEFAULT_PATH)
    else:
        init_name = "LUA_INIT_5_4" if "LUA_INIT_5_4" in os.environ else "LUA_INIT"
        init = os.environb.get(init_name.encode())
        if init is not None:
            if init.startswith(b"@"):
                f = _load_file(load, init[1:].decode("utf-8", "surrogateescape"))
            else:
                f = load(init, "=" + init_name)
            if f is None or not run(f):
                return 1

    for opt, val in actions:
        if opt == "-W":
            from .stdlib.base import warning

            warning(rt.state, b"@on", False)
        elif opt == "-e":
            f = load(val.encode("utf-8", "surrogateescape"), "=(command line)")
            if f is None or not run(f):
                return 1
        else:
            glob, _, mod = val.partition("=")
            if not mod:
                mod = glob
            req = G.get(b"require")
            prev = state.activate(rt.state)
            try:
                r = ops.call1(req, mod.encode())
                G.set(glob.encode(), r)
            except LuaError as e:
                _report(e)
                return 1
            finally:
                state.activate(prev)

    if script_index is not None:
        from .runtime.loader import file_text

        path = argv[script_index]
        if path == "-":
            f = load(file_text(sys.stdin.buffer.read()), "=stdin")
        else:
            f = _load_file(load, path)
        if f is None:
            return 1
        args = [os.fsencode(a) for a in argv[script_index + 1:]]
        if not run(f, *args):
            return 1
    elif not has_e and not version and sys.stdin.isatty():
        interactive = True
        print(VERSION, flush=True)
    elif not has_e and not version:
        f = load(sys.stdin.buffer.read(), "=stdin")
        if f is None or not run(f):
            return 1

    if interactive:
        _repl(rt, run)
    return 0


def _load_file(load: Any, path: str) -> Any:
    """A script file, loaded as luaL_loadfile does; None after reporting a failure."""
    from .runtime.loader import file_text

    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as e:
        what = "read" if isinstance(e, IsADirectoryError) else "open"
        sys.stderr.write(f"{PROG}: cannot {what} {path}: {e.strerror}\n")
        sys.stderr.flush()
        return None
    return load(file_text(data), "@" + path)


def _repl(rt: Any, run: Any) -> None:
    """Read-eval-print: expressions print their values; incomplete input continues."""
    from .lexer import LuaSyntaxError
    from .runtime.loader import load_chunk

    G = rt.state.globals
    while True:
        try:
            line = input("> ")
        except EOFError:
            print()
            return
        src = line[1:] if line.startswith("=") else line
        while True:
            fn = None
            for text in ("return " + src, src):
                try:
                    fn = load_chunk(text.encode(), "=stdin").main(G)
                    break
                except LuaSyntaxError as e:
                    err = e.msg
            if fn is not None:
                break
            if "<eof>" in err:
                try:
                    more = input(">> ")
                except EOFError:
                    print()
                    return
                src += "\n" + more
                continue
            sys.stderr.write(f"{err}\n")
            break
        if fn is None:
            continue
        from .runtime import ops, state
        from .stdlib.base import lua_print

        prev = state.activate(rt.state)
        try:
            vals = ops.results(ops.call(fn))
            if vals:
                lua_print(*vals)
        except Exception as e:  # noqa: BLE001 - reported like lua.c does
            _report(e)
        finally:
            sys.stdout.flush()
            state.activate(prev)


def cli() -> int:
    """The `luavm` command."""
    _default_sigpipe()
    return main()


if __name__ == "__main__":
    sys.exit(cli())
