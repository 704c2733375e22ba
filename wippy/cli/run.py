"""`wippy run [APP_DIR]`: serve an app until SIGINT/SIGTERM; `wippy run -x ID [args]`:
run one entry to completion.

Concept. `run` loads the app and awaits `App.serve(stop)` under `wippy.run_sync`,
which runs the event loop on a separate big-stack thread while the main thread
waits for it. Signals are delivered to the main thread only, so the handlers are
installed there with `signal.signal`; a handler hands the stop over to the loop's
thread with `loop.call_soon_threadsafe(stop.set)`. A signal that arrives before the
loop exists is remembered and applied as soon as the loop starts; a second signal
while stopping exits at once (status 130). Logs go to stderr through `logging` at
INFO: `HH:MM:SS.mmm LEVEL logger: message`, or one JSON object per line with
`--json-logs`.

`run -x ID [JSON args...]` calls a function entry, or starts a workflow entry on
the app's first `workflow.host` and waits for its result; the result prints as JSON
and the exit status is the run's (0 ok, 1 failed).

Invariants. Exit 0 after a graceful stop; the previous signal handlers are put back
when the command returns. The main thread never touches the loop except through
`call_soon_threadsafe`.

Costs. Nothing beyond the app itself: the main thread sleeps in `Thread.join`
(woken by signals, which CPython delivers between waits).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from . import _out

log = logging.getLogger("wippy")


def register(sub: Any) -> None:
    p = sub.add_parser("run", help="run the app until SIGINT/SIGTERM, or run one entry (-x)",
                       description="Serve an app until SIGINT/SIGTERM (graceful stop), or run one entry "
                                   "with -x ID [JSON args...].")
    p.add_argument("rest", nargs="*", metavar="APP_DIR | JSON",
                   help="the app directory (default: .); with -x, the entry's arguments as JSON values")
    p.add_argument("-x", "--exec", dest="exec_id", metavar="ID", help="run this entry to completion and exit")
    p.add_argument("--app", metavar="DIR", help="the app directory (with -x; default: .)")
    p.add_argument("--json-logs", action="store_true", help="log one JSON object per line")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    setup_logging(args.json_logs)
    if args.exec_id:
        return run_one(args.app or ".", args.exec_id, _out.json_args(args.rest))
    if len(args.rest) > 1:
        raise _out.UsageError(f"too many arguments: {' '.join(args.rest[1:])} (arguments go with -x ID)")
    app_dir = args.app or (args.rest[0] if args.rest else ".")
    return serve(app_dir)


# ------------------------------------------------------------------ serving


class Stopper:
    """The stop request, from a signal handler on the main thread to the loop's thread."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.event: asyncio.Event | None = None
        self.requested: str | None = None

    def attach(self, loop: asyncio.AbstractEventLoop, event: asyncio.Event) -> None:
        """On the loop's thread: from now on a request sets `event` (one made
        earlier does at once)."""
        self.loop, self.event = loop, event
        if self.requested is not None:
            self._stop()

    def _stop(self) -> None:
        """On the loop's thread."""
        if self.event is not None and not self.event.is_set():
            log.info("stopping (%s)", self.requested or "stop requested")
            self.event.set()

    def detach(self) -> None:
        self.loop = None

    def handle(self, signum: int, frame: Any) -> None:
        """The signal handler (main thread)."""
        name = signal.Signals(signum).name
        if self.requested is not None:
            _out.err(f"wippy: {name} again: exiting now")
            os._exit(130)
        self.requested = name
        loop = self.loop
        if loop is not None:
            try:
                loop.call_soon_threadsafe(self._stop)
            except RuntimeError:  # the loop has just closed: it is stopping anyway
                pass


def serve(app_dir: str) -> int:
    from ..app import run_sync

    app = _out.load_app(app_dir)
    stopper = Stopper()
    hosts = [e.id for e in app.registry.by_kind("workflow.host")]

    async def go() -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        stopper.attach(loop, stop)
        try:
            serving = loop.create_task(app.serve(stop))
            stopping = loop.create_task(stop.wait())
            await asyncio.sleep(0)  # serve starts the hosts
            log.info("serving %s: %d entries%s; stop with Ctrl+C or SIGTERM", os.path.abspath(app_dir),
                     len(app.registry), f", workflow hosts {', '.join(hosts)}" if hosts else "")
            done, _ = await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if serving in done:  # serve returned (or raised) by itself
                stopping.cancel()
            await serving
        finally:
            stopper.detach()

    previous = _install(stopper)
    try:
        log.info("starting (pid %d)", os.getpid())
        run_sync(go)
    finally:
        _restore(previous)
    log.info("stopped")
    return 0


def _install(stopper: Stopper) -> dict[int, Any]:
    previous: dict[int, Any] = {}
    if threading.current_thread() is not threading.main_thread():
        return previous  # (embedded in a thread: no signals to catch)
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, stopper.handle)
    return previous


def _restore(previous: dict[int, Any]) -> None:
    for sig, h in previous.items():
        signal.signal(sig, h)


# ------------------------------------------------------------------ one entry


def run_interruptible(work: Callable[[], Awaitable[Any]], cleanup: Callable[[], None] | None = None) -> Any:
    """Await `work()` on the big-stack loop; SIGINT/SIGTERM abandon it (then
    `cleanup` runs on the loop's thread all the same) and raise Exit(130)."""
    from ..app import run_sync

    stopper = Stopper()
    abandoned = False

    async def go() -> Any:
        nonlocal abandoned
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        stopper.attach(loop, stop)
        try:
            task: asyncio.Future[Any] = asyncio.ensure_future(work())
            stopping = loop.create_task(stop.wait())
            done, _ = await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if task in done:
                stopping.cancel()
                return task.result()
            task.cancel()
            abandoned = True
            return None
        finally:
            stopper.detach()
            if cleanup is not None:
                cleanup()

    previous = _install(stopper)
    try:
        result = run_sync(go)
    finally:
        _restore(previous)
    if abandoned:
        _out.err(f"interrupted ({stopper.requested})")
        raise _out.Exit(130)
    return result


def run_one(app_dir: str, ref: str, values: list[Any]) -> int:
    app = _out.load_app(app_dir)
    e = _out.find_entry(app.registry, ref)
    if e.kind == "function.lua":
        o = run_interruptible(lambda: app.invoke(e.id, *values), app.close)
    elif e.kind == "workflow.lua":
        hosts = app.registry.by_kind("workflow.host")
        if not hosts:
            raise _out.UsageError(f"{e.id} is a workflow but the app has no workflow.host to run it on")

        async def go() -> Any:
            from ..scheduler import Outcome

            h = app.workflow_host(hosts[0].id)
            wid, err = h.start_workflow(e.id, values)
            if err is not None:
                return Outcome(error=err)
            log.info("workflow %s started on %s", wid, hosts[0].id)
            return await h.result(wid)

        o = run_interruptible(go, app.close)
    else:
        raise _out.UsageError(f"cannot run {e.id}: running a {e.kind} entry with -x is not supported "
                              "(function.lua and workflow.lua are)")
    if o.error is not None:
        _out.print_failure(o.error, getattr(o, "traceback", "") or "")
        return 1
    _out.print_json(o.value)
    return 0


# ------------------------------------------------------------------ logging


class _ConsoleFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        t = time.strftime("%H:%M:%S", time.localtime(record.created)) + f".{int(record.msecs):03d}"
        s = f"{t} {record.levelname:<5} {record.name}: {record.getMessage()}"
        if record.exc_info:
            s += "\n" + self.formatException(record.exc_info)
        return s


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        d: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage(),
        }
        if record.exc_info:
            d["exception"] = self.formatException(record.exc_info)
        return json.dumps(d, ensure_ascii=False, default=str)


def setup_logging(json_logs: bool = False) -> None:
    """Root logging to stderr at INFO (readable, or JSON lines)."""
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_wippy", False):
            root.removeHandler(h)
    h = logging.StreamHandler(sys.stderr)
    h.setFormatter(_JsonFormatter() if json_logs else _ConsoleFormatter())
    h._wippy = True  # type: ignore[attr-defined]
    root.addHandler(h)
    root.setLevel(logging.INFO)
