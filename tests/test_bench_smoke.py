"""The benchmark programs compute the right results (quick sizes, every implementation)."""

from bench import run


def test_benchmarks_give_their_expected_results():
    results = run.smoke()  # raises AssertionError naming any program whose result is wrong
    assert {r.name for r in results} >= {"fib", "binary_trees", "coroutines", "jsoncodec", "richards"}


def test_suspend_cost_still_finds_the_handlers_it_compiles_out(capsys, monkeypatch):
    # bench.suspend_cost edits render_module's source text: a change there must not
    # leave it measuring nothing (it asserts it found the handlers)
    import sys

    from bench import suspend_cost

    monkeypatch.setenv("LUAVM_NO_CACHE", "1")  # (it sets this: restored afterwards)
    limit = sys.getrecursionlimit()
    try:
        assert suspend_cost.main(["--only", "fib", "--runs", "1"]) == 0
    finally:
        sys.setrecursionlimit(limit)
    out = capsys.readouterr().out
    assert out.startswith("fib") and "with handlers" in out and "without" in out
