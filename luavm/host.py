"""The embedding API: LuaRuntime (one Lua state) and restore().

Concept. A LuaRuntime owns a LuaState: its globals, standard libraries, limits
and host streams. Every entry that runs Lua (execute, eval, call, require,
eval_interactive, Task.run in task.py) makes that state current for its
duration (runtime/state.py `activate`), on a big-stack thread (bigstack.py),
and lets only LuaError out: a Lua error with its `lua_traceback`, a tripped
limit as LuaLimitError, a Python failure inside luavm as a LuaError naming it.
Values cross the boundary converted (convert.py). `restore` rebuilds a Task
from snapshot bytes in a new runtime, or onto a SnapshotBase's.

Invariants. A runtime is sandboxed (no io, no file-system require, no
os.exit/execute/remove) unless `host_access=True`; a snapshot of one with host
access restores only with host access granted again. The `luavm` command is an
embedder like any other: the methods grouped under "what the `luavm` command
needs" are lua.c's jobs, usable by any host.

Costs. Making a runtime opens every standard library (each builtin registered
by name); an entry from a thread that is not a big-stack thread pays
one hand-off to a pooled one (bigstack.py).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, BinaryIO

from . import convert
from .bigstack import on_big_stack, relax_gc, run_with_big_stack
from .dialect import erase_types
from .lexer import LuaSyntaxError
from .runtime import limits as _limits
from .runtime import ops, state
from .runtime.frames import BUILTINS, chunkid, register_builtin, traceback_lines
from .runtime.icache import invalidate
from .runtime.limits import Limits, LuaLimitError
from .runtime.loader import Chunk, file_text, load_chunk
from .runtime.state import LuaState
from .runtime.values import LuaError, LuaTable, tostr, type_name
from .task import Task


def _open_libs(st: LuaState) -> LuaTable:
    from .stdlib import (
        base,
        lcoroutine,
        ldebug,
        lio,
        lmath,
        los,
        lstring,
        ltable,
        lutf8,
        package,
        sandbox,
    )

    G = LuaTable()
    st.globals = G
    base.open_base(st, G)
    pkg = package.open(st, G)
    libs: dict[str, Any] = {
        "coroutine": lcoroutine.open(st),
        "string": lstring.open(st),
        "table": ltable.open(st),
        "math": lmath.open(st),
        "utf8": lutf8.open(st),
        "os": los.open(st),
        "debug": ldebug.open(st) if st.host_access else sandbox.open_debug(),
    }
    iolib = lio.open(st) if st.host_access else None
    if iolib is not None:
        libs["io"] = iolib
    if not st.host_access:  # text chunks only, no dumps (see stdlib/sandbox.py)
        G.set(b"load", sandbox.sandbox_load)
        libs["string"].set(b"dump", sandbox.dump_refused)
    st.string_meta = lstring.make_string_meta(libs["string"])
    invalidate()  # inline caches may hold string methods
    loaded = st.loaded
    assert loaded is not None
    loaded.set(b"_G", G)
    loaded.set(b"package", pkg)
    G.set(b"package", pkg)
    for name, lib in libs.items():
        G.set(name.encode(), lib)
        loaded.set(name.encode(), lib)
    # builtins are known by name: for error messages, tracebacks and snapshots
    _register_tree(st, G)
    from .stdlib import base as _b
    from .stdlib.lcoroutine import WRAP_CODE

    register_builtin(_b.ipairs_iter, "ipairs_iter")
    st.registry.setdefault("ipairs_iter", _b.ipairs_iter)
    BUILTINS.setdefault(WRAP_CODE, "?")  # the functions coroutine.wrap makes
    # gmatch's iterator: its errors are a C function's (no position when pcall calls it)
    BUILTINS.setdefault(lstring.GMatchIterator.__call__.__code__, "?")
    for ev, f in lstring.METAMETHODS.items():
        register_builtin(f, "?")
        st.registry.setdefault("string_meta." + ev.decode(), f)
    return G


def _register_tree(st: LuaState, G: LuaTable) -> None:
    """Name every builtin reachable from _G (two levels deep), breadth first."""
    seen = {id(G)}
    queue: list[tuple[str, LuaTable]] = [("", G)]
    depth = {id(G): 0}
    while queue:
        prefix, tab = queue.pop(0)
        fresh = tab.aux is None
        k = None
        while True:
            r = tab.next(k)
            if r is None:
                if fresh and tab.aux is not None and not tab.aux.dead and not tab.aux.hw:
                    # (drop `next`'s key index again: every copy of a state made
                    # from this one would copy it, luavm/instantiate.py)
                    tab.aux = None
                break
            k, v = r
            key = k.decode() if type(k) is bytes else f"[{k}]"
            name = f"{prefix}.{key}" if prefix and type(k) is bytes else f"{prefix}{key}"
            if type(v) is LuaTable:
                if id(v) not in seen and depth[id(tab)] < 2:
                    seen.add(id(v))
                    depth[id(v)] = depth[id(tab)] + 1
                    queue.append((name, v))
            elif callable(v):
                qual = name[2:] if name.startswith("_G.") else name
                register_builtin(v, qual)
                st.registry.setdefault(qual, v)


class LuaRuntime:
    """A Lua state. Sandboxed by default: no io, no os.execute/exit/remove, no
    file-system require, unless `host_access=True`."""

    def __init__(self, *, host_access: bool = False, stdout: BinaryIO | None = None,
                 seed: int | None = None, max_instructions: int | None = None,
                 timeout: float | None = None, max_memory: int | None = None,
                 max_string: int | None = None, typed: bool = False,
                 preempt_every: int | None = None) -> None:
        """`seed` fixes math.random's initial state (otherwise random, as in lua).

        `typed`: accept Wippy's Lua dialect (luavm/dialect.py) in the chunks the
        host hands over (`load`, `execute`, `eval`, `task`): Luau-style type
        annotations and casts are erased and `type T = ...` declarations call the
        global `__type("T", descriptor)`, which the host must define. Chunks Lua
        code compiles itself (`load`, `require` from files) stay plain Lua 5.4.
        Compiled chunks (and so snapshots) hold the erased source, so a snapshot
        restores without this option.

        Limits (all optional, each per execute/eval/call/task.run step):
        `max_instructions` (steps: loop iterations, entries of functions that
        call something, bulk work in builtins), `timeout` (seconds), `max_memory` (bytes the process may
        grow by), `max_string` (bytes in one string; default `max_memory`).
        A limit raises `luavm.LuaLimitError`; see runtime/limits.py. Code runs
        without any counting when none is set.

        `preempt_every` (steps): a Task that has run that many steps in one
        `run` suspends itself at the next entry of a Lua function (see
        runtime/limits.py, "Preemption"): `task.preempted` is then true and
        `task.run()` continues it. Outside a Task (execute, call) it has no
        effect. It compiles step counting in, as any limit does.

        Raises:
            ValueError: a limit that is not positive."""
        st = LuaState()
        if (max_instructions is not None or timeout is not None or max_memory is not None
                or max_string is not None or preempt_every is not None):
            st.limits = Limits(max_instructions, timeout, max_memory, max_string, preempt_every)
        st.host_access = host_access
        st.stdout = stdout if stdout is not None else _StdoutProxy()
        self.state = st
        self.typed = typed
        prev = state.activate(st)
        try:
            _open_libs(st)
            if seed is not None:
                from .stdlib.lmath import setseed

                setseed(st, seed, 0)
        finally:
            state.activate(prev)

    # entering the state --------------------------------------------------------

    def _run(self, fn: Callable[[], Any]) -> Any:
        """fn() with this runtime's state active, on a big-stack thread (bigstack.py)."""
        return on_big_stack(self._enter, fn)

    def _enter(self, fn: Callable[[], Any]) -> Any:
        gc_before = relax_gc()
        prev = state.activate(self.state)
        lim = self.state.limits
        outer = prev is not self.state  # not a nested call from a host function
        if lim is not None and outer:
            lim.start()
        try:
            r = fn()
            if lim is not None and outer and lim.tripped is not None:
                raise lim.error()  # Lua caught the limit's error and returned: still a failure
            return r
        except LuaError as e:
            if e.lua_traceback is None:
                e.lua_traceback = "stack traceback:\n\t" + "\n\t".join(traceback_lines(e.__traceback__, e.origin))
            if lim is not None and outer and lim.tripped is not None and not isinstance(e, LuaLimitError):
                # the step ran out of a resource; what Lua raised after that is a consequence
                err = lim.error()
                err.lua_traceback = e.lua_traceback
                raise err from e
            raise
        except (RecursionError, MemoryError) as e:
            from .runtime.coroutine import to_lua_error

            raise to_lua_error(e) from e
        except Exception as e:  # noqa: BLE001 - a luavm bug must not reach the host as anything else
            if not outer:
                raise
            raise LuaError(f"{type(e).__name__}: {e}".encode("utf-8", "replace")) from e
        finally:
            state.activate(prev)
            gc.set_threshold(*gc_before)

    def load(self, code: str | bytes, chunkname: str | None = None, env: Any = None) -> Any:
        """Compile a chunk without running it.

        Args:
            code: Lua source (str is encoded as UTF-8); Wippy's dialect when `typed`.
            chunkname: the name in messages: "=name" shows as is, "@file" as a file
                name; another name gets "=" in front. Default: the source itself.
            env: the chunk's _ENV (a raw LuaTable); default: the globals.
        Returns:
            the chunk's main function, a raw Lua value (pass it to `call`).
        Raises:
            LuaError: a syntax error (its value is Lua's message)."""
        try:
            chunk = self._compile(code, chunkname)
        except LuaSyntaxError as e:
            raise LuaError(e.msg.encode() if isinstance(e.msg, str) else e.msg) from None
        g = self.state.globals if env is None else env
        assert g is not None
        return chunk.main(g)

    def _compile(self, code: str | bytes, chunkname: str | None) -> Chunk:
        src = code.encode("utf-8") if isinstance(code, str) else code
        name = chunkname if chunkname is not None else "=" + _short(src)
        if chunkname is not None and not chunkname.startswith(("=", "@")):
            name = "=" + chunkname
        if self.typed:
            src = erase_types(src, chunkname=chunkid(name),
                              poll=_limits.poll if self.state.limits is not None else None)
        return load_chunk(src, name, self.state.limits is not None)  # counting steps if limited

    def execute(self, code: str | bytes, *args: Any, chunkname: str | None = None) -> Any:
        """Compile and run a chunk, from any thread (Lua runs on a big-stack
        thread: luavm/bigstack.py).

        Args:
            code: Lua source, as for `load`.
            args: the chunk's `...`, converted to Lua (str -> string, dict/list ->
                table, a callable -> a host function; see convert.py).
            chunkname: as for `load`.
        Returns:
            the chunk's results as Python values: None for none, one value, or a
            tuple of several (strings as str, tables as LuaTableView, functions as
            LuaFunction).
        Raises:
            LuaError: a syntax or runtime error; `lua_traceback` holds Lua's
                "stack traceback:".
            LuaLimitError: a limit of this runtime stopped the code."""
        def go() -> Any:
            f = self.load(code, chunkname)
            return convert.results_to_python(ops.call(f, *[convert.to_lua(a) for a in args]))

        return self._run(go)

    def eval(self, expr: str) -> Any:
        """The value(s) of a Lua expression (or of several, comma-separated),
        converted as `execute` returns them.

        Raises:
            LuaError: a syntax or runtime error (LuaLimitError for a limit)."""
        return self.execute("return " + expr, chunkname="=(eval)")

    def globals(self) -> convert.LuaTableView:
        """The global table as a mutable mapping (keys and values converted on
        each access; assigning a Python callable makes a host function)."""
        assert self.state.globals is not None
        return convert.LuaTableView(self.state.globals, self.state)

    def call(self, fn: Any, *args: Any) -> Any:
        """Call a Lua function (a LuaFunction, or a raw one from `load`) or any
        callable, from any thread.

        Args:
            fn: the function.
            args: its arguments, converted as `execute` converts them.
        Returns:
            its results, converted as `execute` returns them.
        Raises:
            LuaError: a runtime error (LuaLimitError for a limit); a suspension
                (`luavm.suspend`) outside a Task is an error too."""
        f = fn.fn if isinstance(fn, convert.LuaFunction) else convert.to_lua(fn)
        return self._run(lambda: convert.results_to_python(
            ops.call(f, *[convert.to_lua(a) for a in args])))

    def table(self, *items: Any, **fields: Any) -> convert.LuaTableView:
        """A new Lua table with `items` at 1, 2, ... and `fields` by name, as a
        LuaTableView of this runtime.

        Raises:
            OverflowError: an integer beyond Lua's 64 bits."""
        t = LuaTable([convert.to_lua(x) for x in items])
        for k, v in fields.items():
            t.set(k.encode(), convert.to_lua(v))
        return convert.LuaTableView(t, self.state)


    def register_module(self, name: str, module: Any) -> None:
        """Make `require(name)` available to Lua (the only modules a sandboxed
        runtime can require besides the standard libraries and package.preload).

        `module` is the module's value (a dict, list or table view becomes a
        table; `require` returns it), or a Python/Lua function called as a
        package.preload loader on the first `require(name)`, whose result
        `require` then keeps and returns.

        Raises:
            ValueError: Lua code replaced package.preload with a non-table."""
        st = self.state
        assert st.loaded is not None and st.package is not None
        key = name.encode("utf-8")
        v = module.fn if isinstance(module, convert.LuaFunction) else convert.to_lua(module)
        if type(v) is not LuaTable and callable(v):
            preload = st.package.get(b"preload")
            if type(preload) is not LuaTable:
                raise ValueError("package.preload is not a table")
            st.loaded.set(key, None)
            preload.set(key, v)
        else:
            st.loaded.set(key, v)

    def task(self, source: str | bytes, *args: Any, chunkname: str = "=task") -> Task:
        """A resumable run of a chunk: a Task not started yet (`run()` starts it).

        Args:
            source: Lua source, as for `load`.
            args: the main function's `...`, converted as `execute` converts them.
            chunkname: as for `load`.
        Returns:
            the Task.
        Raises:
            LuaError: a syntax error."""
        fn = self._run(lambda: self.load(source, chunkname))
        return Task(self, fn, tuple(convert.to_lua(a) for a in args))

    def new_task(self, fn: Any, args: tuple[Any, ...] = ()) -> Task:
        """A Task (not started) that calls the raw Lua function `fn` with the raw
        Lua values `args` (`task` compiles a source first)."""
        return Task(self, fn, args)

    def set_traceback_handler(self, enabled: bool = True) -> None:
        """Run Lua errors that reach the main thread unprotected through lua.c's
        message handler, as the `luavm` command does: a string or number message
        gets Lua's "stack traceback:" appended where the error is raised (a
        `<close>` handler on the way out sees it so), other values become
        "(error object is a T value)" unless their __tostring gives a string.
        Off by default (the error reaches the host with `lua_traceback` set)."""
        from .stdlib.ldebug import lua_c_msghandler

        self.state.msghandler = lua_c_msghandler if enabled else None

    # what the `luavm` command needs, one job each (as lua.c's functions) -----------

    def set_script_args(self, argv: Sequence[str], script: int | None, progname: str = "luavm") -> None:
        """The global `arg`, as lua.c's createargtable makes it: the script's name
        at index 0, the options before it at -1, -2, ... (the program's name
        lowest), the script's arguments from 1 on (file-system encoded).

        Args:
            argv: the command's arguments, without the program's name.
            script: the index of the script's name in `argv`; None: no script
                (every argument is an option).
            progname: the program's name, the lowest index of `arg`."""
        argt = LuaTable()
        base = script if script is not None else len(argv)
        argt.set(-(base + 1), progname.encode())
        for j, a in enumerate(argv):
            argt.set(j - base, os.fsencode(a))
        assert self.state.globals is not None
        self.state.globals.set(b"arg", argt)

    def load_file(self, path: str | None = None) -> Any:
        """Compile a script file as luaL_loadfile does (a UTF-8 BOM and a first
        line starting with '#' are skipped); it is named "@path" in messages.

        Args:
            path: the file; None: standard input (named "=stdin").
        Returns:
            the chunk's main function, as `load`.
        Raises:
            OSError: the file cannot be read.
            LuaError: a syntax error."""
        if path is None:
            return self.load(file_text(sys.stdin.buffer.read()), "=stdin")
        with open(path, "rb") as fh:
            data = fh.read()
        return self.load(file_text(data), "@" + path)

    def python_source(self, path: str) -> str:
        """The Python a script file compiles to (`luavm --emit-python`).

        Raises:
            OSError: the file cannot be read.
            LuaError: a syntax error."""
        with open(path, "rb") as fh:
            data = fh.read()
        try:
            return Chunk(file_text(data), "@" + path).python_source
        except LuaSyntaxError as e:
            raise LuaError(e.msg.encode("latin-1", "replace")) from None

    def require(self, name: str, global_name: str | None = None) -> Any:
        """`lua -l`: call `require(name)` and store its result in the global
        `global_name` (default: `name`).

        Returns:
            the module, converted as `call` converts results.
        Raises:
            LuaError: the module was not found or failed while loading."""
        def go() -> Any:
            G = self.state.globals
            assert G is not None
            r = ops.call1(G.get(b"require"), name.encode("utf-8", "surrogateescape"))
            G.set((global_name or name).encode("utf-8", "surrogateescape"), r)
            return convert.results_to_python(r)

        return self._run(go)

    def set_warnings(self, enabled: bool = True) -> None:
        """Turn Lua's warnings (`warn`) on or off, as `lua -W` (or `warn("@on")`)."""
        from .stdlib.base import warning

        warning(self.state, b"@on" if enabled else b"@off", False)

    def ignore_env_paths(self) -> None:
        """`package.path` as if LUA_PATH_5_4 and LUA_PATH were not set (`lua -E`)."""
        from .stdlib.package import DEFAULT_PATH

        pkg = self.state.package
        if pkg is not None and self.state.host_access:
            pkg.set(b"path", DEFAULT_PATH)

    def eval_interactive(self, source: str) -> bool:
        """One input of the interactive loop, as lua.c's: `source` runs as
        `return <source>` when that compiles (an expression: its values are
        printed with the global `print`), else as statements. A leading "=" is
        dropped (Lua 5.1's `=expr`).

        Returns:
            False when `source` is an incomplete statement (read another line and
            call again with both, joined by a newline); True once it ran.
        Raises:
            LuaSyntaxError: `source` does not compile.
            LuaError: running it raised an error."""
        src = source[1:] if source.startswith("=") else source
        chunk = None
        err: LuaSyntaxError | None = None
        for text in ("return " + src, src):
            try:
                chunk = self._compile(text, "=stdin")
                break
            except LuaSyntaxError as e:
                err = e
        if chunk is None:
            assert err is not None
            if err.msg.endswith("<eof>"):
                return False
            raise err
        G = self.state.globals
        assert G is not None
        fn = chunk.main(G)

        def go() -> None:
            vals = ops.results(ops.call(fn))
            if vals:  # lua.c's l_print
                ops.call(G.get(b"print"), *vals)

        self._run(go)
        return True

    def error_message(self, error: LuaError) -> str:
        """The message lua.c shows for an error that reached the top: the value
        itself when a string or number; else its `__tostring` result (one that
        errs, does not return a string or runs past a million Python trace
        events counts as none); else "(error object is a T value)". The
        traceback is the error's `lua_traceback`."""
        v = error.value
        if type(v) is bytes:
            return v.decode("utf-8", "replace")
        if type(v) in (int, float):
            return tostr(v).decode()
        prev = state.activate(self.state)
        try:
            if ops.metafield(v, b"__tostring") is not None:
                from .stdlib.base import tostring_meta

                try:
                    return _bounded(tostring_meta, v).decode("utf-8", "replace")
                except Exception:  # noqa: BLE001 - it errs, yields, loops, returns a non-string
                    pass
            return f"(error object is a {type_name(v)} value)"
        finally:
            state.activate(prev)

    def permanents(self) -> dict[int, str]:
        """id(builtin) -> its stable name, for snapshots (kept while the registry
        does not grow: names are only ever added). Returns the mapping; the
        caller must not change it."""
        reg = self.state.registry
        cached = self.__dict__.get("_perms")
        if cached is None or cached[0] != len(reg):
            cached = self._perms = (len(reg), {id(f): name for name, f in sorted(reg.items())})
        return cached[1]


def restore_derived(data: bytes, *, base: Any, functions: Any = None, host_access: bool = False,
                    code: Any = None) -> tuple[Task, Any]:
    """`restore(data, base=base, ...)`, and the base the bytes make: `base`'s
    objects then the snapshot's new ones (the same base as `Task.rebase` gave the
    writing side). Later snapshots written relative to that base restore onto it."""
    from .snapshot_base import SnapshotBase

    task, reader = _restore(data, functions=functions, host_access=host_access, code=code, base=base)
    n = len(base)
    new = reader.objs
    derived = SnapshotBase.derive(base, data, list(new), {id(o): n + i for i, o in enumerate(new)}, [], reader.raw)
    return task, derived


def restore(data: bytes, *, functions: Any = None, stdout: BinaryIO | None = None,
            host_access: bool = False, code: Any = None, base: Any = None, **limits: Any) -> Task:
    """Rebuild a suspended task from `Task.snapshot()` bytes, in any process.

    Host functions are found by module and qualified name, as pickle does; pass
    `functions` (callables, or a dict name -> callable) to allow only those —
    always, for bytes you did not produce yourself. Host access is what the
    caller grants, never what the bytes say: a snapshot of a runtime with
    `host_access=True` restores only with `host_access=True`. `code`: a mapping
    code_hash -> source for chunks the snapshot references (Task.snapshot(code=)).
    `limits`: the keyword arguments of LuaRuntime (max_instructions, timeout, ...).

    `base`: for bytes written relative to a base (`Task.snapshot(base=)`), a
    `SnapshotBase` built the same way in this process (same code, same seed, the
    task created the same way; its digest must match): the state is rebuilt in
    the base's runtime, onto its objects (stdout and limits are the runtime's
    own), and the returned task runs there. The base stays usable, also for
    snapshots of the returned task.
    """
    return _restore(data, functions=functions, stdout=stdout, host_access=host_access, code=code, base=base,
                    **limits)[0]


def _restore(data: bytes, *, functions: Any = None, stdout: BinaryIO | None = None, host_access: bool = False,
             code: Any = None, base: Any = None, **limits: Any) -> tuple[Task, Any]:
    from . import snapshot as S

    body = S.read_full(data)
    root, objects, request = body["root"], body["objects"], body["request"]
    flags = root.get("flags") or {}
    if flags.get("host_access") and not host_access:
        raise S.SnapshotError("the snapshot is of a runtime with host access: "
                              "restore it with host_access=True to grant that")
    digest = body.get("base")
    if digest is not None and base is None:
        raise S.SnapshotError("the snapshot was written relative to a base: restore it with base=")
    if base is not None:
        if digest is None:
            raise S.SnapshotError("the snapshot was not written relative to a base")
        if digest != base.digest:
            raise S.SnapshotError("the snapshot was written relative to another base "
                                  "(other code, seed or arguments, or another luavm)")
        if stdout is not None or limits:
            raise TypeError("restore onto a base: stdout and limits are the base runtime's own")
        rt = base.runtime
        if rt.state.host_access != host_access:
            raise S.SnapshotError("the base's runtime and host_access= disagree about host access")
    else:
        rt = LuaRuntime(host_access=host_access, stdout=stdout, **limits)
    allowed = None
    if functions is not None:
        if isinstance(functions, dict):
            allowed = dict(functions)
        else:
            allowed = {f"{f.__module__}:{f.__qualname__}": f for f in functions}
    st = rt.state
    prev = state.activate(st)
    try:
        patches = body.get("patches")
        if base is not None:
            # what the base's runtime changed since the base was taken, the snapshot
            # does not replace: back to the base's contents
            patched = {p[0] for p in patches or () if isinstance(p, list) and p}
            base.reset(i for i in base.changed() if i not in patched)
        reader = S.rebuild(objects, st.registry, allowed, code,
                           base.objects if base is not None else None, patches)
        if base is not None:
            base.touched(patched)  # what the patches wrote: compared afresh at the next snapshot
        from .stdlib import weak

        weak.adopt(reader.objs)
        try:
            st.globals = reader.value(root["globals"])
            st.string_meta = reader.value(root["string_meta"])
            invalidate()  # inline caches may hold string methods (and values of patched tables)
            st.type_metas = {k: reader.value(v) for k, v in root["type_metas"].items()}
            st.random = list(root["random"]) if root["random"] is not None else None
            st.loaded = reader.value(root["loaded"])
            st.package = reader.value(root["package"])
            main = reader.value(root["main"])
            if host_access and "io_input" in root:
                st.io_input = reader.value(root["io_input"])
                st.io_output = reader.value(root["io_output"])
            records = reader.records(root["records"])
        except S.SnapshotError:
            raise
        except Exception as e:  # noqa: BLE001
            raise S.SnapshotError(f"corrupted snapshot: {type(e).__name__}: {e}") from None
        if not isinstance(main, type(st.main)) or not records:
            raise S.SnapshotError("corrupted snapshot: no suspended stack")
        st.main = st.current = main
        main.status = "running"
    finally:
        state.activate(prev)
    task = Task(rt, None, ())
    task.started = True
    task._records = records
    task.request = request
    return task, reader


_limits._HOST_RUN[0] = LuaRuntime._enter.__code__  # where try_preempt's frame walk ends


def _bounded(fn: Callable[..., Any], *args: Any) -> Any:
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


def _short(src: bytes) -> str:
    return src.decode("utf-8", "replace")


class _StdoutProxy:
    """Writes to whatever sys.stdout is at the time (pytest capture, redirection)."""

    def write(self, b: bytes) -> int:
        out = sys.stdout
        buf = getattr(out, "buffer", None)
        if buf is not None:
            out.flush()
            return buf.write(b)
        return out.write(b.decode("utf-8", "replace"))

    def flush(self) -> None:
        sys.stdout.flush()


__all__ = ["LuaRuntime", "LuaError", "run_with_big_stack", "tostr"]
