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

# The command is an embedder like any other: it uses only luavm's public API (what
# luavm/__init__.py exports; tests/test_layers.py checks). Its functions follow
# lua.c's, one job each: collect_args (collectargs), run_args (runargs: -e, -l, -W in
# order), handle_luainit, handle_script, repl (doREPL), docall/report (docall,
# report/l_message), pmain.

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any

from . import LuaError, LuaRuntime, LuaSyntaxError, __version__, run_with_big_stack

PROG = "luavm"
VERSION = f"luavm {__version__} (Lua 5.4 language) -- pure Python"


@dataclass
class Args:
    """The command line, as lua.c's collectargs reads it."""

    actions: list[tuple[str, str]] = field(default_factory=list)  # -e, -l, -W in order
    interactive: bool = False  # -i
    version: bool = False  # -v (or -i)
    noenv: bool = False  # -E
    has_e: bool = False
    emit: bool = False  # --emit-python
    script: int | None = None  # index of the script in argv ("-": stdin)


def collect_args(argv: list[str]) -> Args | str:
    """The options before the script; a usage error's message instead."""
    a = Args()
    i = 0
    while i < len(argv):
        opt = argv[i]
        if opt == "--":
            if i + 1 < len(argv):
                a.script = i + 1
            break
        if opt == "-" or not opt.startswith("-"):
            a.script = i
            break
        if opt in ("-e", "-l"):
            if i + 1 >= len(argv):
                return f"'{opt}' needs argument"
            a.actions.append((opt, argv[i + 1]))
            a.has_e = a.has_e or opt == "-e"
            i += 2
            continue
        if opt.startswith(("-e", "-l")):
            a.actions.append((opt[:2], opt[2:]))
            a.has_e = a.has_e or opt.startswith("-e")
        elif opt == "-i":
            a.interactive = a.version = True
        elif opt == "-v":
            a.version = True
        elif opt == "-E":
            a.noenv = True
        elif opt == "-W":
            a.actions.append(("-W", ""))
        elif opt == "--emit-python":
            a.emit = True
        elif opt == "--no-cache":
            os.environ["LUAVM_NO_CACHE"] = "1"
        else:
            return f"unrecognized option '{opt}'"
        i += 1
    return a


def usage(msg: str) -> int:
    sys.stderr.write(f"{PROG}: {msg}\n")
    sys.stderr.write((__doc__ or "").split("\n", 2)[2])
    sys.stderr.flush()
    return 1


def report(rt: LuaRuntime, e: BaseException, traceback: bool = True) -> None:
    """lua.c's l_message: the error's message (and its traceback) on stderr."""
    if isinstance(e, LuaError) and e.handled and type(e.value) is bytes:
        # lua.c's msghandler already ran (before a __close saw the error): the
        # message carries its traceback
        msg = e.value.decode("utf-8", "replace")
    elif isinstance(e, LuaError):
        msg = rt.error_message(e)
        if traceback:
            msg += "\n" + (e.lua_traceback or "stack traceback:") + "\n\t[C]: in ?"
    else:
        msg = str(e)
    sys.stderr.write(f"{PROG}: {msg}\n")
    sys.stderr.flush()


def docall(rt: LuaRuntime, fn: Any, *args: Any) -> bool:
    """Run a loaded chunk; report an error. True when it ran to the end."""
    try:
        rt.call(fn, *args)
        return True
    except LuaError as e:
        report(rt, e)
        return False
    finally:
        sys.stdout.flush()


def load(rt: LuaRuntime, src: bytes, name: str) -> Any:
    """A chunk of text, or None after reporting its syntax error (no traceback)."""
    try:
        return rt.load(src, name)
    except LuaError as e:
        report(rt, e, traceback=False)
        return None


def load_file(rt: LuaRuntime, path: str | None) -> Any:
    """A script file (None: stdin), or None after reporting a failure."""
    try:
        return rt.load_file(path)
    except OSError as e:
        what = "read" if isinstance(e, IsADirectoryError) else "open"
        sys.stderr.write(f"{PROG}: cannot {what} {path}: {e.strerror}\n")
        sys.stderr.flush()
    except LuaError as e:
        report(rt, e, traceback=False)
    return None


def handle_luainit(rt: LuaRuntime) -> bool:
    """LUA_INIT_5_4 (else LUA_INIT): a chunk, or "@file" to run first."""
    name = "LUA_INIT_5_4" if "LUA_INIT_5_4" in os.environ else "LUA_INIT"
    init = os.environb.get(name.encode())
    if init is None:
        return True
    if init.startswith(b"@"):
        f = load_file(rt, init[1:].decode("utf-8", "surrogateescape"))
    else:
        f = load(rt, init, "=" + name)
    return f is not None and docall(rt, f)


def run_args(rt: LuaRuntime, actions: list[tuple[str, str]]) -> bool:
    """-e, -l and -W, in the order given."""
    for opt, val in actions:
        if opt == "-W":
            rt.set_warnings(True)
        elif opt == "-e":
            f = load(rt, val.encode("utf-8", "surrogateescape"), "=(command line)")
            if f is None or not docall(rt, f):
                return False
        else:
            glob, _, mod = val.partition("=")
            try:
                rt.require(mod or glob, glob)
            except LuaError as e:
                report(rt, e)
                return False
    return True


def handle_script(rt: LuaRuntime, argv: list[str], script: int) -> bool:
    """Run the script with the arguments after it as `...`."""
    path = argv[script]
    f = load_file(rt, None if path == "-" else path)
    if f is None:
        return False
    return docall(rt, f, *[os.fsencode(a) for a in argv[script + 1:]])


def repl(rt: LuaRuntime) -> None:
    """Read-eval-print: expressions print their values; incomplete input continues."""
    while True:
        try:
            src = input("> ")
            while True:
                try:
                    if rt.eval_interactive(src):
                        break
                except LuaSyntaxError as e:
                    sys.stderr.write(f"{e.msg}\n")
                    break
                except Exception as e:  # noqa: BLE001 - reported as lua.c does
                    report(rt, e)
                    break
                finally:
                    sys.stdout.flush()
                src += "\n" + input(">> ")
        except EOFError:
            print()
            return


def emit_python(argv: list[str], script: int | None) -> int:
    if script is None:
        return usage("--emit-python needs a script")
    rt = LuaRuntime()
    try:
        sys.stdout.write(rt.python_source(argv[script]))
    except (LuaError, OSError) as e:
        sys.stderr.write(f"{PROG}: {e}\n")
        return 1
    return 0


def pmain(argv: list[str]) -> int:
    args = collect_args(argv)
    if isinstance(args, str):
        return usage(args)
    if args.version:
        print(VERSION, flush=True)
    if args.emit:
        return emit_python(argv, args.script)
    rt = LuaRuntime(host_access=True, stdout=sys.stdout.buffer)
    rt.set_traceback_handler()  # errors raised in Lua code meet lua.c's msghandler
    rt.set_script_args(argv, args.script, PROG)
    if args.noenv:
        rt.ignore_env_paths()  # lua -E: LUA_PATH and LUA_INIT are not read
    elif not handle_luainit(rt):
        return 1
    if not run_args(rt, args.actions):
        return 1
    if args.script is not None:
        if not handle_script(rt, argv, args.script):
            return 1
    elif not args.has_e and not args.version and sys.stdin.isatty():
        args.interactive = True
        print(VERSION, flush=True)
    elif not args.has_e and not args.version:
        f = load(rt, sys.stdin.buffer.read(), "=stdin")
        if f is None or not docall(rt, f):
            return 1
    if args.interactive:
        repl(rt)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    return run_with_big_stack(lambda: pmain(argv))


def _default_sigpipe() -> None:
    """As a C program: output into a closed pipe (`luavm f.lua | head`) ends the
    process quietly, not with a Python traceback."""
    import signal

    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)


def cli() -> int:
    """The `luavm` command."""
    _default_sigpipe()
    return main()


if __name__ == "__main__":
    sys.exit(cli())
