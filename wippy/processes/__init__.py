"""wippy.processes: Wippy's process model on luavm — process hosts, processes,
the name registry, monitors and links, and the supervisor of `process.service`
entries.

- host.py: `ProcessNode` (the app's actor system: routing by PID and name,
  relations, exits) and `ProcessHost` (one `process.host` entry: Lua states
  under the host's limits).
- process.py: `Process`, an Invocation that can receive, preempted by luavm
  so that a busy process shares the event loop.
- supervisor.py: `Supervisor`, the lifecycle of `process.service` entries
  (auto_start, requires order, start/stop timeouts, restarts with backoff).

App.spawn/send/control route to the node for process hosts, process PIDs and
registered names; App.serve starts the services after the workflow hosts and
stops them (cancel, stop_timeout, terminate) when it ends.

Invariants: everything runs on the app's event loop thread, one invocation at
a time; relations and names are updated synchronously with the operation that
changes them, so no process observes a half-applied exit.

Departures from Wippy (*ours*):
- one thread: a host's `workers`/`queue_size`/`local_queue_size` are not used;
  fairness comes from luavm preemption at loop back-edges and function entries
  (runtime/limits.py); what cannot be preempted (a loop below a C-call boundary,
  e.g. in a table.sort comparator) is ended by the host's `step_timeout`.
- PIDs are `{host|entry|n}`; names have the LOCAL scope only.
- process.cancel terminates the target at a deadline (the host's
  cancel_timeout, a service's stop_timeout); Wippy's cancel only informs.
- a function invocation (funcs.call) may spawn, link, monitor and send, and
  receive the events of what it monitors, but no messages (it has no routable
  PID); its own failure sends no pid.link.down.
- a service is *running* once its process's first step ends (Wippy: once
  spawned), which is what start_timeout and `requires` wait for; restart
  delays grow per failure as Wippy's docs say.
- not implemented: process.upgrade outside workflows, OUTDATED events,
  with_actor/with_scope, spawning processes from workflows.
"""

from .host import CANCEL, EXIT, LINK_DOWN, ProcessHost, ProcessNode
from .process import Process
from .supervisor import Service, Supervisor

__all__ = ["ProcessNode", "ProcessHost", "Process", "Supervisor", "Service", "EXIT", "CANCEL", "LINK_DOWN"]
