"""Task: a run of a Lua main function that can stop and be continued.

Concept. `LuaRuntime.task(source)` compiles a chunk and gives a Task; `run()`
calls its main function. A host function that calls `luavm.suspend(request)`
stops the whole run there: the Lua frames below it are recorded (runtime/
coroutine.py), `run()` returns with `request`, and the next `run(value)` rebuilds
the frames and continues with `value` as the host call's result. While stopped,
`snapshot()` writes the runtime's whole state and the stack as bytes that
`luavm.restore()` (host.py) turns into an equal task in any process.

Invariants. A task runs in its runtime's state; one task of a runtime runs at a
time. The stack a task stops with is a function of the task alone (each run
starts the tail-call count at 0), so equal programs give equal snapshots.
Costs: a suspension records each Lua frame on the stack and the next run
rebuilds them (bench/suspend_cost.py measures it); a snapshot walks every
object the state reaches (snapshot.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import convert
from .errors import LuaError
from .runtime import ops
from .runtime.coroutine import Suspend, run_records
from .runtime.limits import PREEMPT
from .runtime.values import NORET, Ret

if TYPE_CHECKING:
    from .host import LuaRuntime


class Task:
    """A Lua main function that can stop at a host suspension and be continued,
    in this process or, through `snapshot()`/`luavm.restore()`, in another."""

    def __init__(self, runtime: LuaRuntime, fn: Any, args: tuple) -> None:
        """Made by `LuaRuntime.task` / `new_task` (or `luavm.restore`): `fn`, a raw
        Lua function, is called with the raw Lua values `args` at the first run.

        Fields: `runtime`; `started`, `done`; `result` (the main function's
        results as Python values, once done); `request` (what the pending
        suspension asks for); `error` (the LuaError that ended it)."""
        self.runtime = runtime
        self._fn = fn
        self._args = args
        self._records: list[Any] | None = None
        self.started = False
        self.done = False
        self.result: list[Any] | None = None
        self.request: Any = None
        self.error: LuaError | None = None

    @property
    def suspended(self) -> bool:
        """Stopped at a suspension: `request` says what for; `run()` continues it."""
        return self.started and not self.done and self.error is None

    @property
    def preempted(self) -> bool:
        """The task suspended itself because it used its `preempt_every` steps
        (not at a host call): continue it with `run()`; it cannot be snapshotted."""
        return self.request is PREEMPT and self.suspended

    def run(self, *values: Any) -> Task:
        """Run until the next suspension or the end, from any thread (Lua runs on a
        big-stack thread: luavm/bigstack.py).

        Args:
            values: the answer to the pending suspension: what the host call that
                suspended returns in Lua (converted as `LuaRuntime.call` converts
                arguments). Ignored at the first run.
        Returns:
            this task: `done` and `result` (the main function's results, as Python
            values) at the end; else `suspended`, with `request` (the value given
            to `luavm.suspend`) or `preempted`.
        Raises:
            LuaError: the Lua code raised an error (the task is failed: `error`).
            LuaLimitError: a limit of the runtime stopped it (a LuaError too).
            RuntimeError: the task already finished or failed."""
        if self.done:
            raise RuntimeError("task already finished")
        if self.error is not None:
            raise RuntimeError("task failed; it cannot continue") from self.error
        rt = self.runtime
        st = rt.state

        def go() -> Any:
            st.task_active = True
            # the nesting of tail calls before a trampoline depends on what ran before
            # (ops.TAIL_COUNT); starting each run at 0 makes the stack a task suspends
            # with — and so its snapshot — a function of the task alone
            ops.TAIL_COUNT[0] = 0
            try:
                if not self.started:
                    self.started = True
                    return ops.call(self._fn, *self._args)
                recs = self._records
                assert recs is not None
                self._records = None
                lua_vals = tuple(convert.to_lua(v) for v in values)
                rv = lua_vals[0] if len(lua_vals) == 1 else (Ret(lua_vals) if lua_vals else NORET)
                return run_records(recs, rv)
            finally:
                st.task_active = False

        try:
            r = rt._run(go)
        except Suspend as s:
            self._records = s.records[::-1]
            self.request = s.values
            s.__traceback__ = None  # the unwound frames go now, not in a GC cycle (coroutine.Suspend)
            return self
        except LuaError as e:
            self.error = e
            raise
        self.done = True
        self.request = None
        self.result = [convert.to_python(v) for v in ops.results(r)]
        return self

    def _snapshot_root(self) -> dict[str, Any]:
        """The snapshot root: the state's fields and the suspended stack."""
        st = self.runtime.state
        root: dict[str, Any] = {
            "flags": {"host_access": st.host_access},
            "globals": st.globals,
            "string_meta": st.string_meta,
            "type_metas": st.type_metas,
            "random": st.random,
            "loaded": st.loaded,
            "package": st.package,
            "main": st.main,
        }
        if st.host_access:  # io's default files (the standard ones are permanents)
            root["io_input"] = st.io_input
            root["io_output"] = st.io_output
        root["records"] = self._records
        return root

    def snapshot(self, *, code: Any = None, base: Any = None) -> bytes:
        """The whole Lua state as bytes (only while suspended).

        Args:
            code: hashes (`luavm.code_hash(source)`) of chunk sources the restoring
                side will have: those chunks are written as references, not as
                their text (restore then needs `code=`). A chunk's source is the
                text it was compiled from (erased of type annotations if typed).
            base: a `SnapshotBase` of this task's runtime (`snapshot_base()`): the
                bytes name its objects instead of writing them, except those that
                changed since (luavm/snapshot_base.py); restore then needs a base
                built the same way (`restore(base=)`).
        Returns:
            the bytes, for `luavm.restore` in this process or another.
        Raises:
            SnapshotError: not suspended (or preempted), a base of another runtime,
                or something in the state cannot be saved (the error names the
                path to it)."""
        from . import snapshot as S

        if not self.suspended:
            raise S.SnapshotError("a task can be snapshotted only while suspended")
        if self.preempted:
            raise S.SnapshotError("a preempted task cannot be snapshotted (run it to a host suspension)")
        if base is not None and base.runtime is not self.runtime:
            raise S.SnapshotError("the snapshot base is of another runtime")
        return S.write(self._snapshot_root(), self.runtime.permanents(), self.request, code, base)

    def snapshot_base(self) -> Any:
        """A `luavm.SnapshotBase` of this task's state (before it first runs, or
        while suspended): what `snapshot(base=)` writes relative to and
        `restore(base=)` applies onto. Building it costs about one snapshot.

        Raises:
            SnapshotError: something in the state cannot be saved."""
        from .snapshot_base import SnapshotBase

        return SnapshotBase(self)

    def rebase(self, base: Any, *, code: Any = None) -> tuple[bytes, Any]:
        """`snapshot(base=base, code=code)`, and the base it makes: `base`'s objects
        then the snapshot's new ones, as they are now (SnapshotBase.derive). The
        restoring side gets the same base from `luavm.restore_derived(bytes,
        base=<base built as `base`>)`: later snapshots can be relative to it.

        Returns:
            (the snapshot's bytes, the derived SnapshotBase).
        Raises:
            SnapshotError: as `snapshot`."""
        w = self.write(base=base, code=code)
        return w.data, w.derive()

    def write(self, *, base: Any, code: Any = None) -> Any:
        """`snapshot(base=base, code=code)` as a `snapshot_base.Written`: its `data`,
        and `derive()` for the base it makes (what `rebase` returns), built only if
        asked for (the written numbering is kept until then).

        Raises:
            SnapshotError: as `snapshot`."""
        from . import snapshot as S
        from .snapshot_base import Written

        if not self.suspended or self.preempted:
            raise S.SnapshotError("a task can be snapshotted only while suspended (not preempted)")
        if base.runtime is not self.runtime:
            raise S.SnapshotError("the snapshot base is of another runtime")
        data, w = S.write_with(self._snapshot_root(), self.runtime.permanents(), self.request, code, base)
        return Written(data, base, w)


__all__ = ["Task"]
