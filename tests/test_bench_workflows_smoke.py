"""`python -m bench.workflows --quick` runs end to end (ours only, peers disabled)
and writes every figure's key; the values are figures, not checked here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench import workflows

ROOT = Path(__file__).resolve().parent.parent


def test_quick_workflows_bench_writes_every_key(tmp_path: Path) -> None:
    out = tmp_path / "wf.json"
    env = dict(workflows._env({"BENCH_WORKFLOWS_NO_PEERS": "1"}))
    r = subprocess.run([sys.executable, "-m", "bench.workflows", "--quick", "--no-peers", "--json", str(out)],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    data = json.loads(out.read_text())
    for key in workflows.JSON_KEYS:
        assert key in data, key
    # peers were disabled: their figures are null, ours are there
    assert data["dbos_wf_per_s"] is None and data["temporal_wf_per_s"] is None
    assert data["ours_wf_per_s"] is not None
    assert "3-step workflow" in r.stdout
