"""The `workflows` fuzz target (fuzz/targets/workflows.py) briefly: random workflows
run uninterrupted and with in-process crashes at the engine's crash points (plus
injected activity failures), which must not change their result, commands,
histories or effects. Fixed seeds; no findings allowed but the known bugs
(fuzz.targets.workflows.KNOWN, each a strict xfail in test_workflows_regressions.py).

Longer: `pytest -m slow tests/wippy/test_fuzz_workflows.py`, or
`python -m fuzz workflows --count 2000 --seed N` (see fuzz/README.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fuzz import common
from fuzz.gen_workflows import generate
from fuzz.targets import workflows as wf


def _campaign(tmp_path: Path, count: int, seed: int, shrink_budget: int = 6) -> Any:
    return common.run_on_big_stack(lambda: wf.run(count, seed, findings_dir=tmp_path, shrink_budget=shrink_budget))


def _new_findings(stats: Any) -> str:
    return "\n\n".join(f"{f.kind}: {path}\n{f.detail}" for f, _, path in stats.findings if f.kind not in wf.KNOWN)


def test_fuzz_workflows_smoke(tmp_path: Path) -> None:
    stats = _campaign(tmp_path, 25, 1)
    assert stats.cases == 25
    assert stats.counters.get("crashes", 0) >= 25  # the crash plans did crash
    assert stats.counters.get("injected", 0) >= 5
    assert stats.counters.get("new", 0) == 0, f"{wf.summary(stats)}\n{_new_findings(stats)}"


def test_generated_cases_are_a_function_of_the_seed() -> None:
    a, b = generate(123), generate(123)
    assert a == b
    assert generate(124).main != a.main
    # dropping a block leaves the others as they were
    if a.nblocks > 2:
        smaller = generate(123, keep=set(range(1, a.nblocks)))
        assert smaller.blocks == a.blocks[1:]


def test_oracle_sees_a_recovery_that_ignores_the_checkpoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A planted engine bug — recovery acting as if the workflow had no snapshot (it
    starts the code again over a history that already has steps) — must be found,
    written, and reproduced from the finding file."""
    from wippy.workflows.store import Store

    real = Store.snapshot

    def no_snapshot(self: Store, wid: str) -> Any:
        return None if self.path != ":memory:" else real(self, wid)

    monkeypatch.setattr(Store, "snapshot", no_snapshot)
    monkeypatch.setattr(wf, "STUCK_S", 2.0)  # (some cases hang without their checkpoint)
    stats = _campaign(tmp_path, 2, 1, shrink_budget=1)
    kinds = {k[5:] for k in stats.counters if k.startswith("kind:")}
    assert kinds - set(wf.KNOWN) - {"stuck"}, wf.summary(stats)
    f, _, path = next(x for x in stats.findings if x[0].kind not in wf.KNOWN)
    assert path is not None and path.exists() and path.with_suffix(".txt").exists()
    again = common.run_on_big_stack(lambda: wf.repro(path))
    assert again is not None


@pytest.mark.slow
def test_fuzz_workflows_campaign(tmp_path: Path) -> None:
    """Ten minutes of cases (in-process crashes)."""
    stats = common.run_on_big_stack(lambda: wf.run(10**9, 4242, 600, findings_dir=tmp_path))
    assert stats.counters.get("new", 0) == 0, f"{wf.summary(stats)}\n{_new_findings(stats)}"


@pytest.mark.slow
def test_fuzz_workflows_sigkill(tmp_path: Path) -> None:
    """A few cases with real SIGKILLs of a server subprocess (`wippy run`-like). The
    virtual clock cannot be carried across processes here, so the clock bug
    (`time-differs`, test_workflows_regressions.py) is tolerated too."""
    stats = common.run_on_big_stack(lambda: wf.run(8, 77, findings_dir=tmp_path, sigkill=True, shrink_budget=0))
    bad = [f for f, _, _ in stats.findings if f.kind not in wf.KNOWN and f.kind != "time-differs"]
    assert not bad, f"{wf.summary(stats)}\n" + "\n\n".join(f"{f.kind}\n{f.detail}" for f in bad)
