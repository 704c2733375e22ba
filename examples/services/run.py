"""Run the services example for a few seconds, then stop it gracefully.

    python examples/services/run.py [SECONDS]

Starts every auto_start service (counter first: pipeline requires it), shows
the supervisor's log (wippy.services) as `flaky` crashes and is restarted, asks
`counter` for its totals by name, then stops the services in reverse order.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import wippy


async def main(app: wippy.App, seconds: float) -> None:
    stop = asyncio.Event()
    serving = asyncio.ensure_future(app.serve(stop))
    await asyncio.sleep(seconds)
    node = app.processes
    sup = node.supervisor
    print("services:", sup.status())
    print("flaky restarts so far, with their delays:", [round(d, 3) for d in sup.services["app:flaky_service"].delays])
    pid, err = node.control(None, "lookup", "counter")
    print("counter is", pid, err or "")
    stop.set()
    await serving
    counter = sup.services["app:counter_service"]
    print("counter's totals at exit:", [h for h in counter.history if h["event"] == "exit"][-1]["value"])


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    here = Path(__file__).resolve().parent
    app = wippy.App(here)
    wippy.run_sync(lambda: main(app, float(sys.argv[1]) if len(sys.argv) > 1 else 3.0))
