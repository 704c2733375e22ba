"""The benchmark programs compute the right results (quick sizes, every implementation)."""

from bench import run


def test_benchmarks_give_their_expected_results():
    results = run.smoke()  # raises AssertionError naming any program whose result is wrong
    assert {r.name for r in results} >= {"fib", "binary_trees", "coroutines", "jsoncodec", "richards"}
