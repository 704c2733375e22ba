"""Process hosts and the node that routes between processes.

A `ProcessHost` runs the `process.lua` entries spawned on one `process.host`
entry: each spawn prepares a fresh Lua state (the entry's modules, imports and
chunk) under the host's limits and starts a Process (process.py) on the app's
scheduler. The `ProcessNode` is the app's actor system: it owns every live
process by PID, the local name registry, monitors, links and exec waiters, and
carries out what the `process` module asks (App.spawn/send/control delegate to
it for process hosts, process PIDs and registered names).

PIDs are `{host entry ID|process entry ID|n}` (n in hex, unique in the app).
A function invocation (funcs.call) has a PID too and may spawn, monitor, link
and send, but it cannot be sent to: only processes receive.

Semantics (Wippy's; departures are listed in the package docstring):
- send: to a live PID or a registered name; per-sender order is kept (delivery
  is synchronous, into the target's event queue); to a dead PID or an unknown
  name it returns an error (NotFound), as Wippy's scheduler does.
- monitor: the watcher gets `pid.exit` {from, at, result = {value}|{error}} on
  any exit. link (both ways): when one side exits with an error the other gets
  `pid.link.down` (same fields) if it traps links, else it is killed with an
  error that names the link. A normal exit breaks links silently.
- cancel(dest, reason): the target gets `pid.cancel` {from, at, reason,
  deadline}; if it has not exited by the deadline (the host's cancel timeout,
  default 5 s; a service's stop_timeout) it is terminated. terminate: an
  immediate error exit (kind Canceled).
- names: register(name [, pid]) (idempotent for the same PID, AlreadyExists for
  another live one), lookup -> pid | nil, NotFound; unregister -> true/false;
  a process's names are released when it exits.

Limits per process host, from the entry's `meta.limits` (*ours*; the host's YAML
fields are Wippy's scheduler knobs): `preempt_every` (luavm steps per slice,
default 10000; 0 turns preemption off), `step_timeout` (duration, default 10s:
one step running longer ends the process), `max_memory` (bytes of growth per
step), `max_instructions` (steps per step); `meta.cancel_timeout` (duration).

Costs: the first spawn of an entry builds its template (a Lua state with the
entry's chunk run, ~1.5–3 ms, and a snapshot base of it); every spawn copies it
(luavm's SnapshotBase.instantiate_task: the copy without a snapshot base of its
own, which a process never uses); a message is one dict and one scheduler wake-up;
exits walk only the exiting process's own relations.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import luavm

from ..durations import SECOND, parse_duration
from ..functions import WippyError, chunkname, entry_modules, install_imports, lua_message
from ..luastate import LuaState, new_state, restored_state
from ..modules.process import EVENT, MESSAGE
from ..registry import LuaEntry, ProcessHostEntry
from ..scheduler import Invocation
from .process import Process, exit_result

if TYPE_CHECKING:
    from ..app import App
    from .supervisor import Supervisor

log = logging.getLogger("wippy.processes")

EXIT, CANCEL, LINK_DOWN = "pid.exit", "pid.cancel", "pid.link.down"
DEFAULT_PREEMPT_EVERY = 10_000
DEFAULT_STEP_TIMEOUT = 10 * SECOND
DEFAULT_CANCEL_TIMEOUT = 5 * SECOND

Result = tuple[Any, dict[str, Any] | None]


def _err(kind: str, message: str) -> tuple[None, dict[str, Any]]:
    return None, {"kind": kind, "message": message}


class ProcessHost:
    """The processes of one `process.host` entry."""

    def __init__(self, node: ProcessNode, entry: ProcessHostEntry) -> None:
        self.node = node
        self.entry = entry
        self.id = entry.id
        self.processes: dict[str, Process] = {}
        self.templates: dict[str, Any] = {}  # entry ID -> its SnapshotBase (None: not copyable)
        self.config_error: str | None = None
        try:
            self.limits, self.cancel_timeout = host_limits(entry)
        except (ValueError, TypeError) as e:
            self.limits, self.cancel_timeout = {}, DEFAULT_CANCEL_TIMEOUT / SECOND
            self.config_error = f"process host {entry.id}: bad meta.limits / meta.cancel_timeout: {e}"
            log.error("%s", self.config_error)
        self.closed = False

    def __repr__(self) -> str:
        return f"<ProcessHost {self.id} ({len(self.processes)} processes)>"

    def prepare(self, entry: LuaEntry) -> tuple[LuaState, Any]:
        """A fresh state for `entry` under this host's limits, its chunk run;
        (state, entry function). As functions.prepare, plus the limits."""
        lookup = self.node.app.registry.get
        st = new_state(entry_modules(lookup, entry), entry_id=entry.id, limits=self.limits)
        rt = st.runtime
        try:
            install_imports(lookup, st, entry)
            main = rt.call(rt.load(entry.source, chunkname(entry)))
        except luavm.LuaError as e:
            raise WippyError(f"loading {entry.id}: {lua_message(e)}", "Internal") from None
        fn = main
        if isinstance(main, luavm.LuaTableView):
            if not entry.method:
                raise WippyError(f"{entry.id}: the chunk returned a table but the entry has no 'method'", "Invalid")
            fn = main.get(entry.method)
            if fn is None:
                raise WippyError(f"{entry.id}: the table the chunk returns has no function '{entry.method}'",
                                 "Invalid")
        if not isinstance(fn, luavm.LuaFunction):
            raise WippyError(f"{entry.id}: the chunk must return a function or a table of functions", "Invalid")
        return st, fn.fn

    def template(self, entry: LuaEntry) -> Any:
        """The entry's prepared, never-run state as a snapshot base to copy from
        (luavm's SnapshotBase.instantiate), built on the first spawn; None if the
        state cannot be copied (then every spawn prepares its own)."""
        t = self.templates.get(entry.id, False)
        if t is False:
            st, fn = self.prepare(entry)
            try:
                t = st.runtime.new_task(st.W["serve"].fn, (fn,)).snapshot_base()
            except luavm.SnapshotError as e:
                log.debug("process %s is prepared for each spawn (no template: %s)", entry.id, e)
                t = None
            self.templates[entry.id] = t
        return t

    def start(self, entry: LuaEntry, args: list[Any], ctx: dict[str, Any]) -> Process:
        """A new process of `entry` (registered, not yet scheduled): a copy of the
        entry's template with `args`. Raises WippyError if its code does not load."""
        if self.closed:
            raise WippyError(f"process host {self.id} is stopped", "Unavailable")
        if self.config_error is not None:
            raise WippyError(self.config_error, "Invalid")
        base = self.template(entry)
        task: luavm.Task | None = None
        if base is not None:
            task = base.instantiate_task(tuple(args), seed=0)  # (a process is never checkpointed)
            st, fn = restored_state(task.runtime, entry.id), None
        else:
            st, fn = self.prepare(entry)
        pid = f"{{{self.id}|{entry.id}|{next(self.node.seq):x}}}"
        proc = Process(self.node.app.scheduler, st, fn, tuple(args), entry_id=entry.id, host=self, pid=pid,
                       ctx=ctx, cancel_timeout=self.cancel_timeout, task=task)
        self.processes[pid] = proc
        self.node.live[pid] = proc
        return proc

    def stop(self) -> None:
        """Terminate every process of this host; refuse new ones."""
        self.closed = True
        for p in list(self.processes.values()):
            p.terminate(f"process host {self.id} stopped")


def host_limits(entry: ProcessHostEntry) -> tuple[dict[str, Any], float]:
    """luavm limits for the processes of a host and its cancel timeout (seconds),
    from `meta.limits` / `meta.cancel_timeout`. Bad values raise ValueError."""
    meta = entry.meta.get("limits") or {}
    if not isinstance(meta, dict):
        raise ValueError(f"{entry.id}: meta.limits must be a mapping")
    limits: dict[str, Any] = {}
    pe = int(meta.get("preempt_every", DEFAULT_PREEMPT_EVERY))
    if pe > 0:
        limits["preempt_every"] = pe
    st = parse_duration(meta.get("step_timeout", DEFAULT_STEP_TIMEOUT))
    if st > 0:
        limits["timeout"] = st / SECOND
    for k in ("max_memory", "max_instructions"):
        v = int(meta.get(k) or 0)
        if v > 0:
            limits[k] = v
    ct = entry.meta.get("cancel_timeout", DEFAULT_CANCEL_TIMEOUT)
    return limits, parse_duration(ct) / SECOND


class ProcessNode:
    """Every process host of an app, the live processes, names and relations."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.seq = itertools.count(1)
        self.hosts: dict[str, ProcessHost] = {}
        self.live: dict[str, Process] = {}
        self.names: dict[str, str] = {}  # name -> pid
        self.names_of: dict[str, set[str]] = {}  # pid -> its names
        self.watchers: dict[str, dict[str, Invocation]] = {}  # target -> watcher pid -> watcher
        self.watching: dict[str, set[str]] = {}  # watcher pid -> targets
        self.links: dict[str, dict[str, Invocation]] = {}  # pid -> linked pid -> that party
        self.execs: dict[str, list[tuple[Invocation, int]]] = {}  # pid -> (waiter, event id)
        self.trap: set[str] = set()  # non-process parties that trap links
        self._supervisor: Supervisor | None = None

    # hosts ---------------------------------------------------------------------------
    def host(self, ref: str, namespace: str | None = None) -> ProcessHost | None:
        """The host of a `process.host` entry, by full ID or bare name (the caller's
        namespace first, then a unique name in the app)."""
        if not isinstance(ref, str) or not ref:
            return None
        reg = self.app.registry
        e = None
        if ":" in ref:
            e = reg.get(ref)
        else:
            if namespace is not None:
                e = reg.get(ref, namespace)
            if not isinstance(e, ProcessHostEntry):
                e = next((x for x in reg.by_kind("process.host") if x.name == ref), None)
        if not isinstance(e, ProcessHostEntry):
            return None
        h = self.hosts.get(e.id)
        if h is None:
            h = self.hosts[e.id] = ProcessHost(self, e)
        return h

    @staticmethod
    def host_id_of(pid: str) -> str | None:
        if not pid.startswith("{"):
            return None
        return pid.strip("{}").partition("|")[0]

    def owns(self, dest: Any) -> bool:
        """Whether `dest` (a PID or a name) is this node's to handle: a live process,
        a registered name, a PID of a process host, or any name that is no PID."""
        if not isinstance(dest, str):
            return False
        if dest in self.live or dest in self.names:
            return True
        hid = self.host_id_of(dest)
        if hid is None:
            return True  # a name: only processes have names
        return ":" in hid and isinstance(self.app.registry.get(hid), ProcessHostEntry)

    def resolve(self, dest: Any) -> tuple[Process | None, dict[str, Any] | None]:
        """The live process a PID or registered name stands for, or an error."""
        if not isinstance(dest, str) or not dest:
            return _err("Invalid", f"a PID or process name is required, got {dest!r}")
        pid = dest if dest.startswith("{") else self.names.get(dest)
        if pid is None:
            return _err("NotFound", f"no process registered as {dest!r}")
        p = self.live.get(pid)
        if p is None:
            return _err("NotFound", f"process {pid} is not running")
        return p, None

    # spawning --------------------------------------------------------------------------
    def spawn(self, inv: Invocation | None, mode: str, entry: str, host: str, args: list[Any],
              opts: dict[str, Any], ctx: dict[str, Any], eid: int) -> Result:
        """process.spawn*/exec from Lua (App.spawn): (pid, None) or (None, error)."""
        ns = inv.entry_id.split(":", 1)[0] if inv is not None and ":" in inv.entry_id else None
        h = self.host(host, ns)
        if h is None:
            return _err("NotFound", f"process host {host} not found")
        if not isinstance(entry, str) or not entry:
            return _err("Invalid", "a process entry ID is required")
        try:
            e = self.app.registry.get(entry, None if ":" in entry else ns)
        except LookupError as le:
            return _err("Invalid", str(le))
        if not isinstance(e, LuaEntry):
            return _err("NotFound", f"process entry {entry} not found")
        if e.kind != "process.lua":
            return _err("Invalid", f"{e.id} is a {e.kind} entry: a process host runs process.lua entries")
        sender = inv.pid if inv is not None else ""
        name = opts.get("name")
        if name is not None and not isinstance(name, str):
            return _err("Invalid", "a process name must be a string")
        if name:
            existing = self.live.get(self.names.get(name, ""))
            if existing is not None:
                policy = opts.get("conflict_policy") or opts.get("workflow.id_conflict_policy") or "use_existing"
                if policy == "fail":
                    return None, {"kind": "AlreadyExists",
                                  "message": f"a process named {name!r} is running: {existing.pid}"}
                if policy == "terminate_existing":
                    existing.terminate(f"process {existing.pid} terminated: replaced by a new {name!r}")
                else:
                    self._relate(inv, existing, mode, eid)
                    self._initial_messages(existing, opts, sender)
                    return existing.pid, None
        try:
            proc = h.start(e, list(args), dict(ctx))
        except WippyError as err:
            return None, err.data()
        if name:
            self.names[name] = proc.pid
            self.names_of.setdefault(proc.pid, set()).add(name)
        self._relate(inv, proc, mode, eid)
        self._initial_messages(proc, opts, sender)
        self.app.scheduler.start(proc)
        log.debug("spawned %s (%s) on %s", proc.pid, e.id, h.id)
        return proc.pid, None

    def start_process(self, entry_id: str, host_id: str, args: list[Any] | None = None, *,
                      ctx: dict[str, Any] | None = None, cancel_timeout: float | None = None,
                      on_exit: Callable[[Process], None] | None = None) -> Process:
        """Start a process from Python (the supervisor, embedders, tests). Raises
        WippyError when it cannot start."""
        pid, err = self.spawn(None, "spawn", entry_id, host_id, list(args or []), {}, dict(ctx or {}), 0)
        if err is not None:
            raise WippyError(err.get("message", ""), err.get("kind", "Internal"))
        proc = self.live[pid]
        if cancel_timeout is not None:
            proc.cancel_timeout = cancel_timeout
        if on_exit is not None:
            proc.exit_callbacks.append(on_exit)
        return proc

    def _relate(self, inv: Invocation | None, proc: Process, mode: str, eid: int) -> None:
        if inv is None:
            return
        if mode in ("monitored", "linked_monitored"):
            self._monitor(inv, proc)
        if mode in ("linked", "linked_monitored"):
            self._link(inv, proc)
        if mode == "exec":
            self.execs.setdefault(proc.pid, []).append((inv, eid))

    def _initial_messages(self, proc: Process, opts: dict[str, Any], sender: str) -> None:
        for m in opts.get("__messages") or []:
            if isinstance(m, dict) and isinstance(m.get("topic"), str):
                proc.post(MESSAGE, {"topic": m["topic"], "from": sender, "data": m.get("data")})

    # messages ---------------------------------------------------------------------------
    def send(self, sender: str, dest: Any, topic: str, data: Any) -> dict[str, Any] | None:
        """A message from `sender` (a PID, or "" from the host); an error if the
        destination is not a live process."""
        proc, err = self.resolve(dest)
        if err is not None:
            return err
        assert proc is not None
        proc.post(MESSAGE, {"topic": topic, "from": sender, "data": data})
        return None

    def cancel(self, target: Process, reason: str | None, sender: str = "",
               timeout: float | None = None) -> None:
        """Ask `target` to stop (a pid.cancel event) and terminate it if it has
        not exited within `timeout` (default: its host's cancel timeout)."""
        t = target.cancel_timeout if timeout is None else timeout
        now = time.time_ns()
        target.post(EVENT, {"kind": CANCEL, "from": sender, "at": now, "reason": reason or "",
                            "deadline": now + int(t * 1e9)})
        target.arm_cancel_deadline(t)

    # control -----------------------------------------------------------------------------
    def control(self, inv: Invocation | None, op: str, *args: Any) -> Result:
        """process.cancel/terminate/monitor/unmonitor/link/unlink/set_options and
        process.registry.* (App.control)."""
        me = inv.pid if inv is not None else ""
        arg = args[0] if args else None
        if op == "options":
            return self._options(inv, arg)
        if op == "register":
            return self._register(inv, arg, args[1] if len(args) > 1 else None)
        if op == "lookup":
            if not isinstance(arg, str):
                return _err("Invalid", "process.registry.lookup: a name is required")
            pid = self.names.get(arg)
            if pid is None or pid not in self.live:
                return _err("NotFound", "name not registered")
            return pid, None
        if op == "unregister":
            if not isinstance(arg, str):
                return _err("Invalid", "process.registry.unregister: a name is required")
            pid = self.names.pop(arg, None)
            if pid is None:
                return False, None
            self.names_of.get(pid, set()).discard(arg)
            return True, None
        if op in ("unmonitor", "unlink"):
            pid = arg if isinstance(arg, str) and arg.startswith("{") else self.names.get(arg or "")
            if pid is None:
                return _err("NotFound", f"no process registered as {arg!r}")
            if op == "unmonitor":
                self.watchers.get(pid, {}).pop(me, None)
                self.watching.get(me, set()).discard(pid)
            else:
                self.links.get(pid, {}).pop(me, None)
                self.links.get(me, {}).pop(pid, None)
            return True, None
        target, err = self.resolve(arg)
        if err is not None:
            return None, err
        assert target is not None
        if op == "cancel":
            reason = args[1] if len(args) > 1 else None
            if reason is not None and not isinstance(reason, str):
                return _err("Invalid", "process.cancel: the reason must be a string")
            self.cancel(target, reason, me)
            return True, None
        if op == "terminate":
            target.terminate(f"process {target.pid} terminated" + (f" by {me}" if me else ""))
            return True, None
        if inv is None:
            return _err("Invalid", f"process.{op} needs a calling process")
        if target.pid == me:
            return _err("Invalid", f"process.{op}: a process cannot {op} itself")
        if op == "monitor":
            if me in self.watchers.get(target.pid, {}):
                return _err("AlreadyExists", f"already monitoring {target.pid}")
            self._monitor(inv, target)
            return True, None
        if op == "link":
            self._link(inv, target)
            return True, None
        return _err("Invalid", f"unknown process operation {op!r}")

    def _options(self, inv: Invocation | None, t: Any) -> Result:
        if not isinstance(t, dict):
            return _err("Invalid", "process.set_options expects a table")
        if "trap_links" in t:
            v = t["trap_links"]
            if not isinstance(v, bool):
                return _err("Invalid", "trap_links must be a boolean")
            if isinstance(inv, Process):
                inv.trap_links = v
            elif inv is not None:
                (self.trap.add if v else self.trap.discard)(inv.pid)
                if v and inv.pid in self.links:
                    inv.monitoring = True
        return True, None

    def _register(self, inv: Invocation | None, name: Any, pid: Any) -> Result:
        if not isinstance(name, str) or not name:
            return _err("Invalid", "process.registry.register: a name is required")
        if name.startswith("{"):
            return _err("Invalid", f"process.registry.register: {name!r} looks like a PID")
        if pid is None:
            pid = inv.pid if inv is not None else None
        if not isinstance(pid, str) or pid not in self.live:
            return _err("NotFound" if isinstance(pid, str) else "Invalid",
                        f"process.registry.register: {pid!r} is not a running process")
        held = self.names.get(name)
        if held == pid:
            return True, None
        if held is not None and held in self.live:
            return None, {"kind": "AlreadyExists", "message": f"name {name!r} is registered to {held}"}
        self.names[name] = pid
        self.names_of.setdefault(pid, set()).add(name)
        return True, None

    def _monitor(self, inv: Invocation, target: Process) -> None:
        self.watchers.setdefault(target.pid, {})[inv.pid] = inv
        self.watching.setdefault(inv.pid, set()).add(target.pid)
        inv.monitoring = True  # (a function invocation) an event will come: waiting is no deadlock

    def _link(self, inv: Invocation, target: Process) -> None:
        self.links.setdefault(inv.pid, {})[target.pid] = target
        self.links.setdefault(target.pid, {})[inv.pid] = inv
        if self._traps(inv):
            inv.monitoring = True

    def _traps(self, inv: Invocation) -> bool:
        return inv.trap_links if isinstance(inv, Process) else inv.pid in self.trap

    # exits ---------------------------------------------------------------------------
    def exited(self, proc: Process) -> None:
        """Called once by a process that ended: release its names, tell its monitors,
        exec waiters and links, forget its relations."""
        pid = proc.pid
        outcome = proc.outcome
        assert outcome is not None
        self.live.pop(pid, None)
        proc.host.processes.pop(pid, None)
        result = exit_result(outcome)
        at = time.time_ns()
        for n in self.names_of.pop(pid, ()):
            if self.names.get(n) == pid:
                del self.names[n]
        for wpid, w in self.watchers.pop(pid, {}).items():
            self.watching.get(wpid, set()).discard(pid)
            w.post(EVENT, {"kind": EXIT, "from": pid, "at": at, "result": result})
        for t in self.watching.pop(pid, ()):
            self.watchers.get(t, {}).pop(pid, None)
        for w, eid in self.execs.pop(pid, ()):
            w.post(eid, result)
        linked = self.links.pop(pid, {})
        for lpid in linked:
            self.links.get(lpid, {}).pop(pid, None)
        if outcome.error is not None:
            log.debug("process %s (%s) failed: %s", pid, proc.entry_id, outcome.error.get("message"))
            for other in linked.values():
                if other.outcome is not None:
                    continue
                if self._traps(other):
                    other.post(EVENT, {"kind": LINK_DOWN, "from": pid, "at": at, "result": result})
                    continue
                msg = f"linked process {pid} failed: {outcome.error.get('message', '')}"
                details = {"event": LINK_DOWN, "from": pid}
                if isinstance(other, Process):
                    other.terminate(msg, "Canceled", details)
                else:
                    other.cancel(msg)
        self.trap.discard(pid)

    # lifecycle ------------------------------------------------------------------------
    @property
    def supervisor(self) -> Supervisor:
        if self._supervisor is None:
            from .supervisor import Supervisor

            self._supervisor = Supervisor(self)
        return self._supervisor

    async def start(self) -> None:
        """App.serve: every process.host entry, then the auto_start services."""
        for e in self.app.registry.by_kind("process.host"):
            h = self.host(e.id)
            if h is not None:
                h.closed = False
        await self.supervisor.start()

    async def stop(self) -> None:
        """Stop the services (in reverse dependency order, each within its
        stop_timeout), then terminate whatever processes remain."""
        if self._supervisor is not None:
            await self._supervisor.stop()
        self.close()

    def close(self) -> None:
        for h in self.hosts.values():
            h.stop()


__all__ = ["ProcessHost", "ProcessNode", "host_limits", "EXIT", "CANCEL", "LINK_DOWN"]
