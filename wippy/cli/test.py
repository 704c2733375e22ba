"""`wippy test [APP_DIR] [--suite NAME] [--json FILE]`: run the app's Lua tests.

Concept. A test is a `function.lua` entry with `meta.type: test`. Tests are
grouped by `meta.suite` (default: the entry's namespace), suites in order of
first appearance, tests within a suite by `meta.order` (numbers first, then
entries without one) then ID. Each test is called with no arguments; it passes
when the call raises no error, returns no error as its second value and its first
value is not `false`. Progress prints as the run goes: `✓ name (3 ms)` or
`✗ name (3 ms)` followed by the error and its Lua traceback, then per-suite and
total counts with durations (colors and a spinner on a terminal, plain lines
otherwise). `--json FILE` writes
`{"tests": [{"id", "suite", "status", "error", "ms"}], "passed": N, "failed": N}`.

Invariants. Tests run one at a time, in the order above, on one event loop, each
on a fresh Lua state of its entry; a test that runs longer than `--timeout`
seconds fails. Exit 0 when every test passes, 1 when one fails, 2 for a user
mistake (no such suite, invalid registry).

Costs. Start-up is the app load plus, per test, one Lua state; rich is imported
only on a terminal (time to the first test stays well under 0.5 s).
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from . import _out


def register(sub: Any) -> None:
    p = sub.add_parser("test", help="run the app's tests (function.lua entries with meta.type: test)",
                       description="Run every function.lua entry with meta.type: test, by suite.")
    p.add_argument("app", nargs="?", default=".", metavar="APP_DIR", help="the app directory (default: .)")
    p.add_argument("--suite", action="append", metavar="NAME", help="run only this suite (repeatable)")
    p.add_argument("--json", metavar="FILE", help="also write a JSON report to FILE")
    p.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                   help="fail a test that runs longer (default: 60)")
    p.set_defaults(handler=run)


def collect(reg: Any) -> dict[str, list[Any]]:
    """Suite name -> its test entries, in run order."""
    suites: dict[str, list[Any]] = {}
    for e in reg.by_kind("function.lua"):
        if e.meta.get("type") != "test":
            continue
        suite = e.meta.get("suite")
        suites.setdefault(str(suite) if suite not in (None, "") else e.namespace, []).append(e)
    for tests in suites.values():
        tests.sort(key=_order)
    return suites


def _order(e: Any) -> tuple[int, float, str]:
    o = e.meta.get("order")
    if isinstance(o, int | float) and not isinstance(o, bool):
        return (0, float(o), e.id)
    return (1, 0.0, e.id)


def run(args: argparse.Namespace) -> int:
    app = _out.load_app(args.app)
    suites = collect(app.registry)
    if args.suite:
        unknown = [s for s in args.suite if s not in suites]
        if unknown:
            have = ", ".join(suites) or "none"
            raise _out.UsageError(f"no test suite {', '.join(unknown)} (suites: {have})")
        suites = {s: suites[s] for s in suites if s in args.suite}
    if not suites:
        _out.out("no tests found (function.lua entries with meta.type: test)")
        if args.json:
            _write_json(args.json, [], 0, 0)
        return 0
    report = _Reporter(sum(len(t) for t in suites.values()))
    results = _run_all(app, suites, report, args.timeout)
    passed = sum(1 for r in results if r["status"] == "passed")
    failed = len(results) - passed
    report.total(passed, failed)
    if args.json:
        _write_json(args.json, results, passed, failed)
    return 1 if failed else 0


def _write_json(path: str, results: list[dict[str, Any]], passed: int, failed: int) -> None:
    try:
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"tests": results, "passed": passed, "failed": failed}, f, indent=2, ensure_ascii=False,
                      default=str)
            f.write("\n")
    except OSError as e:
        raise _out.UsageError(f"cannot write {path}: {e.strerror or e}") from None


def _run_all(app: Any, suites: dict[str, list[Any]], report: _Reporter, timeout: float) -> list[dict[str, Any]]:
    import asyncio

    from .run import run_interruptible

    results: list[dict[str, Any]] = []

    async def go() -> None:
        try:
            for suite, tests in suites.items():
                report.suite(suite, len(tests))
                t_suite = time.perf_counter()
                npass = 0
                for e in tests:
                    report.running(e.name)
                    t0 = time.perf_counter()
                    try:
                        o = await asyncio.wait_for(app.invoke(e.id), timeout)
                        error, tb = _verdict(o)
                    except TimeoutError:
                        error, tb = {"kind": "Timeout", "message": f"timed out after {timeout:g} s"}, ""
                    ms = (time.perf_counter() - t0) * 1000
                    npass += error is None
                    report.result(e.name, error, tb, ms)
                    results.append({"id": e.id, "suite": suite, "status": "passed" if error is None else "failed",
                                    "error": _out.error_line(error) if error is not None else None,
                                    "ms": round(ms, 3)})
                report.suite_done(npass, len(tests) - npass, (time.perf_counter() - t_suite) * 1000)
        finally:
            report.stop()

    run_interruptible(go, app.close)  # (SIGINT/SIGTERM: exit 130)
    return results


def _verdict(o: Any) -> tuple[dict[str, Any] | None, str]:
    """(error data or None, Lua traceback) of a test's Outcome."""
    if o.error is not None:
        return o.error, o.traceback or ""
    if o.value is False:
        return {"kind": "", "message": "returned false"}, ""
    return None, ""


class _Reporter:
    """Progress as the run goes: rich (colors, a spinner) on a terminal, plain lines otherwise."""

    def __init__(self, total: int) -> None:
        self.t0 = time.perf_counter()
        self.tty = _out.is_tty()
        self.status: Any = None
        self.n = 0
        self.total_tests = total
        self.con: Any = _out.console() if self.tty else None

    def _print(self, text: str, style: str | None = None) -> None:
        if self.con is not None:
            from rich.text import Text

            self.con.print(Text(text, style=style or ""), soft_wrap=True)
        else:
            _out.out(text)

    def suite(self, name: str, n: int) -> None:
        self._print(f"{name} ({n} test{'s' if n != 1 else ''})", "bold")

    def running(self, name: str) -> None:
        self.n += 1
        if self.con is None:
            return
        msg = f"[{self.n}/{self.total_tests}] {name}"
        if self.status is None:
            self.status = self.con.status(msg)
            self.status.start()
        else:
            self.status.update(msg)

    def result(self, name: str, error: dict[str, Any] | None, tb: str, ms: float) -> None:
        if error is None:
            self._print(f"  ✓ {name} ({_out.fmt_ms(ms)})", "green")
            return
        self._print(f"  ✗ {name} ({_out.fmt_ms(ms)})", "red")
        self._print(f"      error: {_out.error_line(error)}")
        tb = _out.lua_traceback(tb)
        for ln in tb.splitlines():
            self._print("      " + ln.replace("\t", "  "), "dim")

    def suite_done(self, passed: int, failed: int, ms: float) -> None:
        text = f"  {passed} passed, {failed} failed ({_out.fmt_ms(ms)})"
        self._print(text, "red" if failed else "green")
        self._print("")

    def stop(self) -> None:
        if self.status is not None:
            self.status.stop()
            self.status = None

    def total(self, passed: int, failed: int) -> None:
        s = time.perf_counter() - self.t0
        n = passed + failed
        self._print(f"{n} test{'s' if n != 1 else ''}: {passed} passed, {failed} failed in {s:.2f} s",
                    "bold red" if failed else "bold green")
