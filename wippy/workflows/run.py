"""A workflow run as the Lua code sees it: an invocation whose side effects are
commands.

During a step every intercepted call becomes a command appended to `commands`
(`activity`, `timer`, `cancel_timer`, `cancel_activity`, `send`, `child`, `cancel`,
`terminate`, `continue_as_new`, `version`, `uuid`); the engine commits them with
the step and carries them out afterwards. Reads of the clock return the step's
recorded time; randomness (uuid.v4/v7) is derived from the run ID, the step and a
counter, so a replay reproduces it.

In replay mode (verify, migrate) the run is fed the recorded events and its
commands are compared with the recorded ones instead of being carried out.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from ..scheduler import Invocation, Outcome

if TYPE_CHECKING:
    from .engine import WorkflowHost

WORKFLOW_MODULE_OPS = ("cancel", "terminate")


class WorkflowRun(Invocation):
    in_workflow = True

    def __init__(self, *args: Any, host: WorkflowHost | None, wid: str, run_id: str, type_id: str,
                 **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.host = host
        self.wid = wid
        self.run_id = run_id
        self.type_id = type_id
        self.pid = f"{{{host.entry.id if host is not None else 'replay'}|{wid}}}"
        self.step_no = 0
        self.step_ns = 0
        self.commands: list[list[Any]] = []
        self._rand = 0
        self.history_length = 0
        self.task_queue = host.entry.task_queue if host is not None else None
        self.replaying = False
        self.recorded: list[list[Any]] | None = None  # replay: this step's recorded commands
        self.attempt = 1
        self.fresh_base: Any = None  # the snapshot base of its state before its first step (template.py)

    # the clock and randomness ------------------------------------------------------
    def now_ns(self) -> int:
        return self.step_ns

    def random_bytes(self, n: int) -> bytes:
        self._rand += 1
        seed = f"{self.wid}|{self.run_id}|{self.step_no}|{self._rand}".encode()
        out = b""
        i = 0
        while len(out) < n:
            out += hashlib.sha256(seed + i.to_bytes(4, "big")).digest()
            i += 1
        return out[:n]

    def begin_step(self, step_no: int, step_ns: int) -> None:
        self.step_no = step_no
        self.step_ns = step_ns
        self.commands = []
        self._rand = 0

    def can_receive(self) -> bool:
        return True

    # commands ---------------------------------------------------------------------
    def start_timer(self, tid: int, delay_ns: int) -> None:
        self.commands.append(["timer", tid, max(int(delay_ns), 0)])

    def stop_timer(self, tid: int) -> bool:
        self.commands.append(["cancel_timer", tid])
        return True

    def call(self, eid: int, target: str, args: list[Any], options: dict[str, Any],
             ctx: dict[str, Any]) -> dict[str, Any] | None:
        self.commands.append(["activity", eid, {"target": target, "args": args, "options": options,
                                                "ctx": {**self.ctx, **ctx}}])
        return None

    def cancel_call(self, eid: int) -> bool:
        self.commands.append(["cancel_activity", eid])
        return True

    def send(self, dest: str, topic: str, data: Any) -> dict[str, Any] | None:
        self.commands.append(["send", 0, {"to": dest, "topic": topic, "data": data}])
        return None

    def spawn(self, mode: str, entry: str, host: str, args: list[Any], opts: dict[str, Any],
              ctx: dict[str, Any], eid: int) -> Any:
        if mode in ("linked", "linked_monitored"):
            return None, {"kind": "Invalid", "message": "workflows cannot link to processes (use spawn_monitored)"}
        wid = opts.get("workflow.id") or opts.get("temporal.workflow.id") or opts.get("name")
        if not wid:
            wid = f"{self.wid}/{self.step_no}.{len(self.commands) + 1}"
        pid = f"{{{host}|{wid}}}"
        self.commands.append(["child", eid, {"entry": entry, "host": host, "args": args, "options": opts,
                                             "ctx": {**self.ctx, **ctx}, "wid": wid, "mode": mode}])
        if mode == "exec":
            return True, None
        return pid, None

    def control(self, op: str, *args: Any) -> Any:
        if op in ("cancel", "terminate"):
            self.commands.append([op, 0, {"pid": args[0] if args else None,
                                          "reason": args[1] if len(args) > 1 else None}])
            return True, None
        if op == "options":
            return True, None
        if op in ("monitor", "link", "unmonitor", "unlink"):
            return None, {"kind": "Invalid", "message": f"process.{op} is not allowed in workflows"}
        return None, {"kind": "Invalid", "message": f"process.registry is not available in workflows ({op})"}

    def upgrade(self, entry: Any, args: list[Any]) -> Any:
        self.commands.append(["continue_as_new", 0, {"entry": entry, "args": args}])
        return True, None

    def version(self, change_id: str, vmin: int, vmax: int) -> int:
        """workflow.version: the max version on a new run; under replay of a history
        recorded before the change, the min (the old code path)."""
        if self.recorded is not None:
            for c in self.recorded:
                if c[0] == "version" and c[2].get("id") == change_id:
                    v = int(c[2]["version"])
                    self.commands.append(["version", 0, {"id": change_id, "version": v}])
                    return v
            return vmin
        self.commands.append(["version", 0, {"id": change_id, "version": vmax}])
        return vmax

    def info(self) -> dict[str, Any]:
        return {"workflow_id": self.wid, "run_id": self.run_id, "workflow_type": self.type_id,
                "task_queue": self.task_queue or (self.host.entry.id if self.host else ""),
                "attempt": self.attempt, "history_length": self.history_length,
                "history_size": self.history_length}

    def _finish(self, outcome: Outcome) -> None:
        self.outcome = outcome  # the engine commits it; no timers or calls to clean up here
        if self.future is not None and not self.future.done():
            self.future.set_result(outcome)


__all__ = ["WorkflowRun"]
