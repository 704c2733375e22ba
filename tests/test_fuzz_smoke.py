"""A short run of each fuzz target (fuzz/, see fuzz/README.md): fixed seeds,
small counts, no findings allowed. Long campaigns: `python -m fuzz TARGET ...`
or `pytest -m slow tests/test_fuzz_smoke.py`.

Without lua5.4 the targets skip their comparisons with it but still check that
no Python exception (or Python-ish error text, or a hang) comes out of luavm."""

from __future__ import annotations

import importlib

import pytest

from fuzz import common

SMOKE = [  # target, count, seed
    ("differential", 120, 1),
    ("parser", 400, 1),
    ("snapshot", 30, 1),
    ("runtime", 150, 1),
]


def _run(target: str, count: int, seed: int, tmp_path, time_budget: float | None = None):  # noqa: ANN001, ANN202
    mod = importlib.import_module(f"fuzz.targets.{target}")
    stats = common.run_on_big_stack(
        lambda: mod.run(count, seed, time_budget, findings_dir=tmp_path, chunk=100))
    return mod, stats


@pytest.mark.parametrize(("target", "count", "seed"), SMOKE, ids=[s[0] for s in SMOKE])
def test_fuzz_smoke(target: str, count: int, seed: int, tmp_path) -> None:  # noqa: ANN001
    mod, stats = _run(target, count, seed, tmp_path)
    assert stats.cases == count
    found = "\n\n".join(f"{f.kind}: {path}\n{f.detail}" for f, _, path in stats.findings)
    assert not stats.findings, f"{mod.summary(stats)}\n{found}"


@pytest.mark.slow
@pytest.mark.parametrize("target", [s[0] for s in SMOKE])
def test_fuzz_campaign(target: str, tmp_path) -> None:  # noqa: ANN001
    """A longer campaign (10 minutes per target), deselected by default."""
    mod, stats = _run(target, 10**9, 12345, tmp_path, time_budget=600)
    assert not stats.findings, mod.summary(stats)
