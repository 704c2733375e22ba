"""The orders demo: durable workflows on the embedded default (SQLite), end to end.

    python examples/orders/demo.py

It starts `wippy run examples/orders` in the background, starts three orders with
`wippy workflow start`, shows them progress, approves one by a signal, kills the
`wippy run` process with SIGKILL while two orders sleep through their settlement
period, shows a waiting workflow's Lua stack read from its snapshot, restarts
`wippy run`, and shows every order finishing with its result — nothing lost,
nothing done twice — and its history verified by replay.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

APP = Path(__file__).resolve().parent
REL = os.path.relpath(APP)
STATE = APP / ".wippy"


def say(text: str) -> None:
    print(f"\n\033[1m# {text}\033[0m", flush=True)


def wippy(*args: str, check: bool = True) -> str:
    cmd = ["wippy", *args]
    print("$ " + " ".join(shlex.quote(a) for a in cmd), flush=True)
    r = subprocess.run([sys.executable, "-m", "wippy.cli", *args], capture_output=True, text=True)
    out = (r.stdout + r.stderr).rstrip()
    if out:
        print(out, flush=True)
    if check and r.returncode != 0:
        sys.exit(f"demo: `wippy {' '.join(args)}` failed with status {r.returncode}")
    return r.stdout


def start_runner(log: Path) -> subprocess.Popen[bytes]:
    print(f"$ wippy run {REL} 2>{os.path.relpath(log)} &", flush=True)
    with open(log, "ab") as f:
        p = subprocess.Popen([sys.executable, "-m", "wippy.cli", "run", str(APP)], stdout=f, stderr=f)
    time.sleep(1.5)  # (it loads the app and resumes the store's workflows)
    return p


def main() -> None:
    shutil.rmtree(STATE, ignore_errors=True)
    STATE.mkdir()
    log = STATE / "run.log"

    say("start the app: its workflow.host keeps workflows in .wippy/orders.db")
    runner = start_runner(log)

    say("three orders: two settle after 12s (one will be disputed), one waits for approval")
    wippy("workflow", "start", "app.orders:order_flow",
          json.dumps({"id": "A-100", "amount": 120, "card": "4242", "settle_after": "12s"}),
          "--id", "A-100", "--app", REL)
    wippy("workflow", "start", "app.orders:order_flow",
          json.dumps({"id": "B-200", "amount": 80, "card": "4000", "settle_after": "12s", "dispute": True,
                      "fail": ["charge_card:2"]}), "--id", "B-200", "--app", REL)
    wippy("workflow", "start", "app.orders:approval", json.dumps({"id": "C-300", "amount": 9000}),
          json.dumps("72h"), "--id", "C-300", "--app", REL)
    time.sleep(1.0)
    wippy("workflow", "list", "--app", REL)

    say("a person approves the big order: a durable message to the workflow")
    wippy("workflow", "signal", "C-300", "decision", json.dumps({"approved": True, "by": "ada"}), "--app", REL)
    wippy("workflow", "result", "C-300", "--app", REL)

    say("the process dies (SIGKILL) while A-100 and B-200 sleep through their settlement period")
    runner.send_signal(signal.SIGKILL)
    runner.wait()
    print(f"[killed wippy run, pid {runner.pid}]")
    say("a waiting workflow's Lua stack and locals, read from its last checkpoint")
    wippy("workflow", "stack", "A-100", "--app", REL)

    say("restart: each workflow continues from its checkpoint (no replay)")
    runner = start_runner(log)
    wippy("workflow", "result", "A-100", "--app", REL)
    wippy("workflow", "result", "B-200", "--app", REL)
    wippy("workflow", "list", "--app", REL)

    say("B-200's history: the charge retried twice, the refund after the dispute")
    wippy("workflow", "history", "B-200", "--app", REL)
    say("determinism: replaying the history reproduces every command and checkpoint")
    wippy("workflow", "verify", "B-200", "--app", REL)

    runner.send_signal(signal.SIGTERM)
    runner.wait(15)
    say(f"done (wippy run stopped with status {runner.returncode}; its log: {os.path.relpath(log)})")


if __name__ == "__main__":
    main()
