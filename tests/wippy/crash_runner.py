"""A `wippy run` of the crash-test app with one Python activity that records its
side effects in a ledger file (idempotency key, attempt), so the harness can
count what ran. Runs until SIGTERM (or until the engine kills itself at
WIPPY_CRASHPOINT)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from typing import Any

import wippy


def main() -> None:
    app_dir, ledger = sys.argv[1], sys.argv[2]
    app = wippy.App(app_dir)

    def effect(name: str, ctx: dict[str, Any]) -> int:
        with open(ledger, "a") as f:
            f.write(f"{ctx.get('idempotency_key')} {ctx.get('attempt')} {name}\n")
            f.flush()
            os.fsync(f.fileno())
        return sum(name.encode()) % 97

    app.register_function("py:effect", effect)

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        await app.serve(stop)

    # the engine runs on this (main) thread here: crash tests need no deep Lua stacks
    asyncio.run(serve())


if __name__ == "__main__":
    main()
