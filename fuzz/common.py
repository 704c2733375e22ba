"""Shared machinery of the fuzz targets.

* `Finding`: one minimised failing input, written to `fuzz/findings/`.
* `drive()`: runs a target's check over inputs drawn from a hypothesis strategy,
  in chunks driven by `hypothesis.find` (no example database, seeded from the
  campaign seed), so that a failure is shrunk by hypothesis before it is written.
* `Watchdog`: a per-case time limit for in-process luavm runs (an asynchronous
  exception into the thread that runs Lua; a case that ignores it is a hang).
* helpers to run lua5.4 and to normalise what is compared.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis.errors import NoSuchExample, Unsatisfiable
from hypothesis.strategies import SearchStrategy

ROOT = Path(__file__).resolve().parent.parent
FINDINGS = Path(__file__).resolve().parent / "findings"
LUA = shutil.which("lua5.4")

# Text that must never appear in a Lua error message: a Python exception leaking.
PYTHONISH = re.compile(
    r"Traceback|object has no attribute|internal (?:parser )?error|"
    r"\b(?:Type|Value|Index|Key|Attribute|Overflow|ZeroDivision|Recursion|Memory|Name|"
    r"Assertion|Lookup|Unicode(?:Decode|Encode)?|Runtime|NotImplemented|Syntax|OS|"
    r"Arithmetic|Buffer|EOF|Import|System)Error\b|"
    r"\bCaseTimeout\b|NoneType|not subscriptable|unhashable type|object of type|"
    r"unsupported operand|object is not (?:callable|iterable)|invalid literal for|"
    r"codec can't|struct\.error|takes \d+ positional argument|positional arguments? but|"
    r"got an unexpected keyword|missing \d+ required|can only concatenate|"
    r"object cannot be interpreted|math domain error|out of range float|"
    r"cannot convert float|int too large|Python int too large|bytes-like object|"
    r"<(?:class|function|built-in|bound method) "
)

# luavm's documented limits (not findings): CPython compiles at most 20 nested blocks
# per function, so Lua functions nesting loops deeper are refused with this message.
KNOWN_LIMIT = b"function too complex for luavm"

_ADDR = re.compile(rb"0x[0-9a-fA-F]+")
# lua5.4.4 raises integer division and modulo by zero without saving the pc: the
# position is the line of an earlier instruction (fixed in 5.4.5); luavm gives the
# right line. Only the line is ignored.
_DIVZERO = re.compile(rb"(\w+:)\d+: (attempt to divide by zero|attempt to perform 'n%0')")


def normalise(b: bytes) -> bytes:
    """What is compared: addresses (`table: 0x55...`) replaced; and math.atan,
    which lua5.4 also has as math.atan2 (LUA_COMPAT_MATHLIB), is named in messages
    by whichever key its hash order (seeded at random per run) meets first."""
    b = _ADDR.sub(b"ADDR", b).replace(b"'math.atan2'", b"'math.atan'")
    return _DIVZERO.sub(rb"\1?: \2", b)


# ------------------------------------------------------------------ findings


@dataclass
class Finding:
    """A failing input. `kind` groups findings of the same nature: while a failure
    is shrunk, only inputs failing with the same kind are accepted."""

    kind: str
    detail: str
    counts_as: str = "finding"  # the summary counter it goes to

    def signature(self) -> str:
        return self.kind


@dataclass
class Stats:
    target: str
    seed: int
    cases: int = 0
    counters: dict[str, int] = field(default_factory=dict)
    findings: list[tuple[Finding, str, Path | None]] = field(default_factory=list)
    discarded: int = 0

    def bump(self, name: str, n: int = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + n


def write_finding(target: str, text: str, finding: Finding, *, seed: int, suffix: str = ".lua",
                  findings_dir: Path = FINDINGS, data: bytes | None = None) -> Path:
    """fuzz/findings/<target>-<hash>.lua and .txt (command to reproduce, difference)."""
    findings_dir.mkdir(parents=True, exist_ok=True)
    raw = data if data is not None else text.encode("utf-8", "surrogateescape")
    h = hashlib.sha1(raw).hexdigest()[:12]
    path = findings_dir / f"{target}-{h}{suffix}"
    path.write_bytes(raw)
    rel = os.path.relpath(path, ROOT)
    info = (
        f"target: {target}\nkind: {finding.kind}\nseed: {seed}\n"
        f"reproduce: python -m fuzz repro {rel}\n"
        + (f"lua5.4:    lua5.4 - < {rel}\nluavm:     luavm - < {rel}\n" if target != "parser" else "")
        + f"\n{finding.detail}\n"
    )
    path.with_suffix(".txt").write_text(info, encoding="utf-8", errors="backslashreplace")
    return path


# ------------------------------------------------------------------ watchdog


class CaseTimeout(BaseException):
    """Raised asynchronously into the thread running a case that took too long."""


class Watchdog:
    """Interrupts the current case after `limit` seconds by raising CaseTimeout in
    its thread. If the case still has not ended after `hard` more seconds (stuck in
    C code), `on_hang` is called (it writes the input as a finding) and the process
    exits with status 1."""

    def __init__(self, hard: float = 60.0) -> None:
        self.hard = hard
        self.lock = threading.Lock()
        self.deadline: float | None = None
        self.tid = 0
        self.fired = False
        self.last_fire = 0.0
        self.on_hang: Callable[[], None] | None = None
        self._thread = threading.Thread(target=self._loop, name="fuzz-watchdog", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            time.sleep(0.05)
            with self.lock:
                d = self.deadline
                if d is None:
                    continue
                now = time.monotonic()
                if now > d + self.hard:
                    cb = self.on_hang
                    try:
                        if cb is not None:
                            cb()
                    finally:
                        sys.stderr.write("fuzz: a case hung (stuck in C code?); finding written, exiting\n")
                        sys.stderr.flush()
                        os._exit(1)
                elif now > d and now > self.last_fire + 1.0:
                    # (again every second: an exception raised inside a gc callback
                    # or a __del__ is swallowed by Python)
                    self.fired = True
                    self.last_fire = now
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.tid),
                                                               ctypes.py_object(CaseTimeout))

    def start(self, limit: float, on_hang: Callable[[], None] | None = None) -> None:
        with self.lock:
            self.tid = threading.get_ident()
            self.fired = False
            self.on_hang = on_hang
            self.deadline = time.monotonic() + limit

    def stop(self) -> bool:
        """End the current case; True if it was interrupted."""
        with self.lock:
            self.deadline = None
            fired = self.fired
            if fired:  # drop an exception not yet delivered
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self.tid), None)
            self.fired = False
            return fired


_WATCHDOG: Watchdog | None = None


def watchdog() -> Watchdog:
    global _WATCHDOG
    if _WATCHDOG is None:
        _WATCHDOG = Watchdog()
    return _WATCHDOG


# ------------------------------------------------------------------ lua5.4


def run_lua(src: bytes, timeout: float = 20.0) -> tuple[bytes, bytes | None] | None:
    """Run `lua5.4 -` (chunkname "stdin") on src. Returns (stdout, error message or
    None), or None if lua5.4 timed out (the input is then not comparable)."""
    assert LUA is not None
    try:
        p = subprocess.run([LUA, "-"], input=src, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    if p.returncode == 0:
        return p.stdout, None
    err = p.stderr
    err = err.split(b"\nstack traceback:\n", 1)[0]
    err = err.removeprefix(LUA.encode() + b": ").removeprefix(b"lua5.4: ")
    return p.stdout, err.rstrip(b"\n")


def lua_error_text(e: Any, rt: Any) -> bytes:
    """An uncaught luavm error as lua.c's message handler prints it (`rt`: the
    LuaRuntime it came from; a __tostring metamethod runs in it)."""
    from luavm.runtime import ops, state
    from luavm.runtime.values import tostr, type_name

    v = e.value
    if type(v) is bytes:
        # lua.c's msghandler may have run (the message carries a traceback, perhaps
        # inside a __close's message): cut where run_lua cuts lua5.4's stderr
        return v.split(b"\nstack traceback:\n", 1)[0]
    if type(v) in (int, float):
        return tostr(v)
    prev = state.activate(rt.state)
    try:
        if ops.metafield(v, b"__tostring") is not None:
            try:
                from luavm.stdlib.base import tostring_meta

                return tostring_meta(v)
            except Exception:  # noqa: BLE001
                pass
        return f"(error object is a {type_name(v)} value)".encode()
    finally:
        state.activate(prev)


# ------------------------------------------------------------------ driver


@contextlib.contextmanager
def no_disk_cache() -> Any:
    """luavm's on-disk chunk cache off: thousands of one-off programs would fill it."""
    old = os.environ.get("LUAVM_NO_CACHE")
    os.environ["LUAVM_NO_CACHE"] = "1"
    try:
        yield
    finally:
        if old is None:
            del os.environ["LUAVM_NO_CACHE"]
        else:
            os.environ["LUAVM_NO_CACHE"] = old


def _settings(n: int) -> settings:
    return settings(
        max_examples=n,
        database=None,
        deadline=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        verbosity=settings.default.verbosity,
    )


def drive(
    target: str,
    strategy: SearchStrategy,
    check: Callable[[Any], Finding | None],
    *,
    count: int,
    seed: int,
    time_budget: float | None = None,
    chunk: int = 200,
    stats: Stats | None = None,
    save: Callable[[Any, Finding], Path | None] | None = None,
    log: Callable[[str], None] | None = None,
) -> Stats:
    """Check `count` inputs (or until `time_budget` seconds have passed).

    Generation runs in chunks of `chunk` examples under `hypothesis.find`, each
    chunk seeded from (seed, chunk number). When a check fails, hypothesis shrinks
    the input (accepting only inputs failing with the same kind), the minimal input
    is saved, and the campaign continues with the next chunk.
    """
    with no_disk_cache():
        return _drive(target, strategy, check, count=count, seed=seed, time_budget=time_budget,
                      chunk=chunk, stats=stats, save=save, log=log)


def _drive(target: str, strategy: SearchStrategy, check: Callable[[Any], Finding | None], *, count: int,
           seed: int, time_budget: float | None, chunk: int, stats: Stats | None,
           save: Callable[[Any, Finding], Path | None] | None, log: Callable[[str], None] | None) -> Stats:
    st_ = stats or Stats(target, seed)
    t0 = time.monotonic()
    rng = random.Random(seed)
    seen: set[tuple[str, str]] = set()
    chunk_no = 0

    def out_of_time() -> bool:
        return time_budget is not None and time.monotonic() - t0 > time_budget

    while st_.cases < count and not out_of_time():
        n = min(chunk, count - st_.cases)
        state: dict[str, Any] = {"sig": None, "generated": 0}

        def cond(x: Any, state: dict[str, Any] = state, n: int = n) -> bool:
            if state["sig"] is None:
                if state["generated"] >= n or out_of_time():
                    return False
                state["generated"] += 1
                st_.cases += 1
                if log and st_.cases % 500 == 0:
                    log(f"[{target}] {st_.cases} cases, {len(st_.findings)} findings, "
                        f"{time.monotonic() - t0:.0f} s")
                f = _checked(check, x)
                if f is None:
                    return False
                state["sig"] = f.signature()
                state["first"] = (x, f)
                if log:
                    log(f"[{target}] case {st_.cases}: {f.kind} - shrinking")
                return True
            if state["sig"] in ("timeout", "hang") and repr(x) != repr(state["first"][0]):
                return False  # each try would take the whole time limit: not shrunk
            f = _checked(check, x)
            if f is not None and f.signature() == state["sig"]:
                state["last"] = (x, f)
                return True
            return False

        chunk_rng = random.Random(rng.getrandbits(64) ^ chunk_no)
        chunk_no += 1
        try:
            x = find(strategy, cond, settings=_settings(n + 10), random=chunk_rng)
        except (NoSuchExample, Unsatisfiable):
            if state["generated"] == 0:
                break  # out of time
            continue
        except Exception as e:  # noqa: BLE001 - e.g. Flaky: the failure did not replay
            if "first" not in state:
                raise
            x, f = state.get("last") or state["first"]
            f = Finding(f"flaky:{f.kind}", f"(did not fail again when replayed: {type(e).__name__})\n{f.detail}",
                        f.counts_as)
        else:
            # find() returns the minimal input; re-check it to get its finding
            f = _checked(check, x)
            if f is None or f.signature() != state["sig"]:
                x, f = state.get("last") or state["first"]
        key = (f.kind, repr(x))
        if key in seen:
            continue
        seen.add(key)
        path = save(x, f) if save else None
        st_.findings.append((f, repr(x)[:200], path))
        st_.bump(f.counts_as)
        if log:
            log(f"[{target}] {f.kind}: written to {path}")
    return st_


def _checked(check: Callable[[Any], Finding | None], x: Any) -> Finding | None:
    """check(x); an exception in the harness itself is a finding too (the run goes on)."""
    try:
        return check(x)
    except Exception as e:  # noqa: BLE001
        name, tb = _describe_pyexc(e)
        return Finding(f"harness-error:{name}", f"the fuzz harness itself failed:\n{tb}")


def run_on_big_stack(fn: Callable[[], Any]) -> Any:
    """Run fn as the `luavm` command runs Lua: on a thread with a big C stack."""
    from luavm.host import run_with_big_stack

    return run_with_big_stack(fn)


# ------------------------------------------------------------------ luavm in-process


@dataclass
class VMResult:
    stdout: bytes
    error: bytes | None = None  # the uncaught Lua error, as lua.c prints it
    pyexc: str | None = None  # a Python exception that escaped (with its traceback)
    pyexc_type: str | None = None
    timeout: bool = False


def _describe_pyexc(e: BaseException) -> tuple[str, str]:
    import traceback

    tb = "".join(traceback.format_exception(type(e), e, e.__traceback__, limit=-12))
    return type(e).__name__, tb


def run_luavm(src: bytes, *, limit: float = 30.0, chunkname: str = "=stdin",
              on_hang: Callable[[], None] | None = None, host_access: bool = False) -> VMResult:
    """Run a chunk in a fresh LuaRuntime (math.random seeded), as `lua5.4 -` would."""
    import io

    import luavm
    from luavm.runtime.values import LuaError

    out = io.BytesIO()
    res = VMResult(b"")
    wd = watchdog()
    fired = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            wd.start(limit, on_hang)
            rt = None
            try:
                rt = luavm.LuaRuntime(stdout=out, seed=0, host_access=host_access)
                rt.set_traceback_handler()  # as the `luavm` command (and lua.c) run chunks
                rt.execute(src, chunkname=chunkname)
            except LuaError as e:
                res.error = lua_error_text(e, rt)
            except CaseTimeout:
                pass
            except Exception as e:  # noqa: BLE001 - this is what the fuzzers look for
                res.pyexc_type, res.pyexc = _describe_pyexc(e)
            finally:
                fired = wd.stop()
        except CaseTimeout:
            fired = True
    if caught and res.pyexc is None:
        w = caught[0]
        res.pyexc_type = w.category.__name__
        res.pyexc = f"Python warning while running: {w.category.__name__}: {w.message} ({w.filename}:{w.lineno})"
    res.timeout = fired
    res.stdout = out.getvalue()
    return res


def first_diff(a: bytes, b: bytes, context: int = 3) -> str:
    """A short description of where two outputs differ (lua5.4 = a, luavm = b)."""
    la, lb = a.split(b"\n"), b.split(b"\n")
    for i in range(max(len(la), len(lb))):
        x = la[i] if i < len(la) else None
        y = lb[i] if i < len(lb) else None
        if x != y:
            lo = max(0, i - context)
            ctx = "\n".join("  " + r.decode("utf-8", "backslashreplace") for r in la[lo:i])
            return (f"output line {i + 1} differs:\n{ctx}\n"
                    f"- lua5.4: {x.decode('utf-8', 'backslashreplace') if x is not None else '<missing>'}\n"
                    f"+ luavm:  {y.decode('utf-8', 'backslashreplace') if y is not None else '<missing>'}")
    return "outputs are equal"


def as_text(b: bytes | None) -> str:
    return "<none>" if b is None else b.decode("utf-8", "backslashreplace")
