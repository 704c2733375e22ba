"""Crash safety: a process running workflows is killed with SIGKILL at many
points — before and after a step is committed, before and after an activity's
outcome or a timer is recorded, at random moments, with signals sent while it is
down — and restarted. Every workflow must complete with the result of an
uninterrupted run, no signal may be lost, and no recorded step may happen twice.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import wippy

HERE = Path(__file__).parent
POINTS = ["step.before_commit", "step.after_commit", "activity.before_record", "activity.after_record",
          "timer.before_record", "timer.after_record", "local.after_call"]


def effect_value(name: str) -> int:
    return sum(name.encode()) % 97


def expected(wid: str, n: int) -> dict[str, Any]:
    total = sum(effect_value(f"{wid}:{i}") + effect_value(f"{wid}:L{i}") for i in range(1, n + 1))
    return {"id": wid, "total": total, "got": [f"{wid}-s1", f"{wid}-s2"], "child": effect_value(f"{wid}:child") * 2}


class Harness:
    def __init__(self, tmp: Path) -> None:
        self.app_dir = tmp / "app"
        shutil.copytree(HERE / "apps" / "crash", self.app_dir)
        (self.app_dir / ".wippy").mkdir()
        self.ledger = tmp / "ledger.txt"
        self.ledger.touch()
        self.kills = 0
        self.client_app = wippy.App(self.app_dir)
        self.client = self.client_app.workflow_client("app:wf_host")

    def start_runner(self, crashpoint: str | None = None) -> subprocess.Popen[bytes]:
        env = dict(os.environ)
        env.pop("WIPPY_CRASHPOINT", None)
        if crashpoint:
            env["WIPPY_CRASHPOINT"] = crashpoint
        return subprocess.Popen([sys.executable, str(HERE / "crash_runner.py"), str(self.app_dir), str(self.ledger)],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def statuses(self) -> dict[str, str]:
        return {r.id: r.status for r in self.client.store.list() if "/" not in r.id}

    def run_until(self, proc: subprocess.Popen[bytes], timeout: float, done: Any) -> bool:
        """True if the process died (crash point reached) before `done()`."""
        t0 = time.time()
        while time.time() - t0 < timeout:
            if proc.poll() is not None:
                if proc.returncode == -9:
                    self.kills += 1
                    return True
                raise AssertionError(f"runner exited with {proc.returncode}: {proc.stderr.read().decode()[-2000:]}")
            if done():
                return False
            time.sleep(0.02)
        return False


def _check(h: Harness, workflows: dict[str, int]) -> None:
    rows = {r.id: r for r in h.client.store.list()}
    for wid, n in workflows.items():
        row = rows[wid]
        assert row.status == "completed", (wid, row.status, row.error)
        assert row.result == expected(wid, n), wid
        hist = h.client.store.history(wid)
        steps = [x["step"] for x in hist if x["kind"] == "step"]
        assert steps == list(range(1, len(steps) + 1)), f"{wid}: steps recorded twice or lost: {steps}"
        issued = [c[1] for x in hist if x["kind"] == "step" for c in x["data"]["commands"] if c[0] == "activity"]
        delivered = [e[0] for x in hist if x["kind"] == "step" for e in x["data"]["events"] if e[0] > 0]
        assert len(issued) == len(set(issued)) == 2 * n, f"{wid}: activities issued {issued}"  # regular + local
        assert len(delivered) == len(set(delivered)), f"{wid}: an outcome was delivered twice: {delivered}"
        assert set(issued) <= set(delivered)
    # every effect ran at least once; a key ran again only if a kill came between the
    # run and the commit of its outcome (at least once: for a local activity, the commit
    # of the step that called it), never more often than kills + 1
    lines = h.ledger.read_text().split("\n")
    keys = [ln.split(" ")[0] for ln in lines if ln]
    counts: dict[str, int] = {}
    for k in keys:
        counts[k] = counts.get(k, 0) + 1
    assert len(counts) == 2 * sum(workflows.values()) + len(workflows)
    assert max(counts.values()) <= h.kills + 1


def _campaign(tmp: Path, seed: int, rounds: int, n_workflows: int) -> Harness:
    rnd = random.Random(seed)
    h = Harness(tmp)
    workflows = {f"w{i}": rnd.randint(2, 7) for i in range(n_workflows)}
    for wid, n in workflows.items():
        _, err = h.client.start_workflow("app:flow", [wid, n], {"workflow.id": wid})
        assert err is None
    signals = [(wid, k) for wid in workflows for k in (1, 2)]
    rnd.shuffle(signals)
    signals.sort(key=lambda s: s[1])  # each workflow's first signal before its second

    def all_done() -> bool:
        st = h.statuses()
        return all(st.get(w) in ("completed", "failed") for w in workflows)

    for r in range(rounds):
        # signals go in while the runner is down (they are durable rows)
        for _ in range(rnd.randint(0, 2)):
            if signals:
                wid, k = signals.pop(0)
                assert h.client.signal(wid, "sig", f"{wid}-s{k}") is None
        if all_done():
            break
        if r % 3 == 2:  # a kill from outside at a random moment
            proc = h.start_runner()
            time.sleep(rnd.uniform(0.3, 1.2))
            if proc.poll() is None:
                proc.kill()
                proc.wait()
                h.kills += 1
        else:
            point = f"{rnd.choice(POINTS)}:{rnd.randint(1, 4)}"
            proc = h.start_runner(point)
            died = h.run_until(proc, 8.0, all_done)
            if not died and proc.poll() is None:
                proc.kill()
                proc.wait()
                h.kills += 1
    for wid, k in signals:
        assert h.client.signal(wid, "sig", f"{wid}-s{k}") is None
    proc = h.start_runner()
    try:
        h.run_until(proc, 60.0, all_done)
    finally:
        proc.terminate()
        proc.wait(10)
    # (0: a graceful stop; -15: the stop came while it was still starting)
    assert proc.returncode in (0, -15), proc.stderr.read().decode()[-3000:] if proc.stderr else ""
    _check(h, workflows)
    return h


def test_sigkill_at_engine_points_and_random_moments_loses_nothing(tmp_path: Path) -> None:
    h = _campaign(tmp_path, seed=7, rounds=9, n_workflows=4)
    assert h.kills >= 4


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(20))
def test_crash_campaign(tmp_path: Path, seed: int) -> None:
    _campaign(tmp_path, seed=seed, rounds=20, n_workflows=8)
