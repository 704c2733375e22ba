"""`parser`: random and mutated source text given to `load(s, nil, "t")`.

luavm must accept it or return a syntax error in Lua's format — never raise a
Python exception, hang (5 s per input) or report an internal error — and must
agree with lua5.4 on accept/reject. lua5.4 runs as ONE process per batch: a Lua
script reading length-prefixed inputs from its stdin and answering with the
result of `load` (ok / the error message). Error messages are compared exactly;
their mismatches are counted separately.

Inputs: the corpus tests/lua/**/*.lua (a window of lines) and generated programs
(fuzz/gen_diff.py), mutated by token (delete/insert/duplicate/swap/replace) and
by byte (insert NUL, invalid UTF-8 and other bytes, delete, duplicate, truncate);
random token soup; random bytes.
"""

from __future__ import annotations

import os
import re
import select
import struct
import subprocess
import warnings
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from .. import common
from ..common import FINDINGS, ROOT, Finding, Stats

TARGET = "parser"
LIMIT = 5.0  # seconds per input

_SERVER = r"""
local inp, out = io.stdin, io.stdout
while true do
  local hdr = inp:read(8)
  if not hdr or #hdr < 8 then break end
  local n = string.unpack("<I8", hdr)
  local s = n > 0 and inp:read(n) or ""
  local f, e = load(s, nil, "t")
  local r = f and "ok" or ("E" .. tostring(e))
  out:write(string.pack("<s8", r))
  out:flush()
end
"""


class LuaLoadOracle:
    """One lua5.4 process answering `load(s, nil, "t")` for many inputs."""

    def __init__(self) -> None:
        assert common.LUA is not None
        self.p: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        if self.p is None or self.p.poll() is not None:
            self.p = subprocess.Popen([common.LUA, "-e", _SERVER], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return self.p

    def close(self) -> None:
        if self.p is not None:
            try:
                self.p.kill()
                self.p.wait(5)
            except Exception:  # noqa: BLE001
                pass
            self.p = None

    def _read(self, n: int, timeout: float) -> bytes | None:
        assert self.p is not None and self.p.stdout is not None
        fd = self.p.stdout.fileno()
        buf = b""
        while len(buf) < n:
            r, _, _ = select.select([fd], [], [], timeout)
            if not r:
                return None
            chunk = os.read(fd, n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return buf

    def load(self, s: bytes, timeout: float = 20.0) -> tuple[bool, bytes] | None:
        """(accepted, error message); None if lua5.4 died or did not answer."""
        p = self._start()
        assert p.stdin is not None
        try:
            p.stdin.write(struct.pack("<Q", len(s)) + s)
            p.stdin.flush()
        except (BrokenPipeError, OSError):
            self.close()
            return None
        hdr = self._read(8, timeout)
        if hdr is None:
            self.close()
            return None
        (n,) = struct.unpack("<Q", hdr)
        body = self._read(n, timeout) if n else b""
        if body is None:
            self.close()
            return None
        if body == b"ok":
            return True, b""
        return False, body[1:]


class LuavmLoader:
    """luavm's `load(s, nil, "t")` in one LuaRuntime."""

    def __init__(self) -> None:
        import luavm

        self.rt = luavm.LuaRuntime()
        self.fn = self.rt.globals()["load"]

    def load(self, s: bytes, on_hang: Any = None) -> tuple[str, bytes]:
        """("ok", b"") / ("error", msg) / ("pyexc", traceback) / ("timeout", b"")."""
        from luavm.runtime.values import LuaError

        wd = common.watchdog()
        res: tuple[str, bytes] = ("timeout", b"")
        fired = False
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fired = self._load(s, on_hang, wd, LuaError, res_box := [res])
            res = res_box[0]
        if fired:
            res = ("timeout", b"")
        elif caught and res[0] != "pyexc":
            w = caught[0]
            res = ("pyexc", f"Python warning: {w.category.__name__}: {w.message}".encode())
        return res

    def _load(self, s: bytes, on_hang: Any, wd: Any, LuaError: Any, box: list) -> bool:  # noqa: N803
        res = box[0]
        fired = False
        try:
            wd.start(LIMIT, on_hang)
            try:
                r = self.rt.call(self.fn, s, None, "t")
                if isinstance(r, tuple) and r and r[0] is None:
                    msg = r[1]
                    res = ("error", msg.encode("utf-8", "surrogateescape") if isinstance(msg, str) else
                           repr(msg).encode())
                elif r is not None and not isinstance(r, tuple):
                    res = ("ok", b"")
                else:
                    res = ("pyexc", f"load returned {r!r}".encode())
            except common.CaseTimeout:
                pass
            except LuaError as e:
                res = ("pyexc", f"load raised a Lua error instead of returning it: {e}".encode())
            except Exception as e:  # noqa: BLE001
                name, tb = common._describe_pyexc(e)
                res = ("pyexc", tb.encode())
            finally:
                fired = wd.stop()
        except common.CaseTimeout:
            fired = True
        box[0] = res
        return fired


def check_input(s: bytes, oracle: LuaLoadOracle | None, loader: LuavmLoader, on_hang: Any = None) -> Finding | None:
    kind, msg = loader.load(s, on_hang)
    if kind == "timeout":
        return Finding("timeout", f"luavm's load did not return within {LIMIT} s", "internal")
    if kind == "pyexc":
        return Finding("python-exception", msg.decode("utf-8", "backslashreplace"), "internal")
    text = msg.decode("latin-1")
    if kind == "error" and common.PYTHONISH.search(text):
        return Finding("internal-error", f"luavm: {common.as_text(msg)}", "internal")
    if oracle is None:
        return None
    ref = oracle.load(s)
    if ref is None:
        return None  # lua5.4 crashed or hung on it: not comparable
    ok, ref_msg = ref
    if ok and common.KNOWN_LIMIT in msg:
        return None  # nesting deeper than CPython allows (see fuzz/README.md)
    if ok != (kind == "ok"):
        return Finding("accept-reject", f"lua5.4: {'accepts' if ok else common.as_text(ref_msg)}\n"
                                        f"luavm:  {'accepts' if kind == 'ok' else common.as_text(msg)}",
                       "accept/reject")
    if not ok and ref_msg != msg:
        return Finding("message", f"lua5.4: {common.as_text(ref_msg)}\nluavm:  {common.as_text(msg)}", "message")
    return None


# ------------------------------------------------------------------ inputs

_TOKEN = re.compile(
    rb"""--\[(=*)\[.*?\]\1\]|--[^\n]*|\[(=*)\[.*?\]\2\]|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'"""
    rb"""|0[xX][0-9a-fA-F.]*(?:[pP][+-]?\d+)?|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?"""
    rb"""|[A-Za-z_]\w*|\.\.\.|\.\.|==|~=|<=|>=|<<|>>|//|::|\s+|.""",
    re.S,
)

POOL = [t.encode("latin-1") for t in (
    "and break do else elseif end false for function goto if in local nil not or repeat return then "
    "true until while").split()] + [t.encode("latin-1") for t in [
        "+", "-", "*", "/", "%", "^", "#", "&", "~", "|", "<<", ">>", "//", "==", "~=", "<=", ">=", "<",
        ">", "=", "(", ")", "{", "}", "[", "]", "::", ";", ":", ",", ".", "..", "...", "x", "a", "self",
        "_ENV", "1", "0x", "1e", "3.0", "0x1p4", "1e309", "9223372036854775808", "0xffffffffffffffffff",
        "0x.p1", "1..2", "3e-", ".5", '"abc"', "'x'", '"\\300"', '"\\u{110000}"', '"\\u{7FFFFFFF}"',
        '"\\u{80000000}"', '"\\xZZ"', '"\\x4"', '"unfinished', "[[long", "[==[ x ]==]", "[=", "[==x",
        '"\\z   "', '"\\q"', '"\\', "--", "--[[", "--[==[ x ]==]", "--[[ unfinished", "::a::", "goto a",
        "<const>", "<close>", "<foo>", "< const >", "\n", "\r", "\r\n", "\n\r", "\t", "\f", "\v", " ",
        "@", "$", "`", "!", "?", "\\", "'", '"', "!=", "+=", "a.b.c", "f()", "t[1]", "f{}", "f''",
        "local function", "function(...)", "return", "end end", "(((", ")))", "{{{", "1 + ", "x = ",
    ]]
BYTES = [b"\x00", b"\xff", b"\xc3", b"\xe2\x82", b"\x80", b"\x1b", b"\xef\xbb\xbf", b"#", b"\\", b"'", b'"',
         b"[", b"]", b"=", b"\n", b"\r", b"\xc3\xa9", b"\xf0\x9f\x98\x80", b"\x7f", b"\x01"]


def _corpus() -> list[bytes]:
    files = sorted((ROOT / "tests" / "lua").rglob("*.lua"))
    return [p.read_bytes() for p in files]


_CORPUS: list[bytes] | None = None


def corpus() -> list[bytes]:
    global _CORPUS
    if _CORPUS is None:
        _CORPUS = _corpus()
    return _CORPUS


def _chance(draw: Any, p: float) -> bool:
    return draw(st.integers(0, 999)) >= 1000 - int(p * 1000)


def mutate(draw: Any, data: bytes) -> bytes:
    if _chance(draw, 0.5):
        toks = [m.group(0) for m in _TOKEN.finditer(data)] or [b""]
        op = draw(st.integers(0, 4))
        i = draw(st.integers(0, len(toks) - 1))
        if op == 0:
            del toks[i]
        elif op == 1:
            toks.insert(i, draw(st.sampled_from(POOL)))
        elif op == 2:
            toks.insert(i, toks[i])
        elif op == 3:
            j = draw(st.integers(0, len(toks) - 1))
            toks[i], toks[j] = toks[j], toks[i]
        else:
            toks[i] = draw(st.sampled_from(POOL))
        return b"".join(toks)
    op = draw(st.integers(0, 4))
    n = len(data)
    i = draw(st.integers(0, n))
    if op == 0:
        return data[:i] + draw(st.sampled_from(BYTES)) + data[i:]
    if op == 1:
        j = draw(st.integers(i, min(n, i + 16)))
        return data[:i] + data[j:]
    if op == 2:
        return data[:i]
    if op == 3:
        j = draw(st.integers(i, min(n, i + 16)))
        return data[:j] + data[i:j] + data[j:]
    return data[:i] + draw(st.binary(min_size=1, max_size=4)) + data[i:]


@st.composite
def inputs(draw: Any) -> bytes:
    from ..gen_diff import programs

    kind = draw(st.integers(0, 3))
    if kind == 0:
        src = corpus()
        text = src[draw(st.integers(0, len(src) - 1))]
        lines = text.split(b"\n")
        if not _chance(draw, 0.3):
            a = draw(st.integers(0, len(lines) - 1))
            b = draw(st.integers(a + 1, len(lines)))
            text = b"\n".join(lines[a:b])
    elif kind == 1:
        from ..gen_diff import PRELUDE

        text = draw(programs(max_depth=2, max_stmts=3)).removeprefix(PRELUDE).encode("utf-8", "surrogateescape")
    elif kind == 2:
        toks = draw(st.lists(st.sampled_from(POOL), min_size=1, max_size=30))
        sep = draw(st.sampled_from([b" ", b"", b"\n"]))
        return sep.join(toks)
    else:
        return draw(st.binary(max_size=64))
    for _ in range(draw(st.integers(1, 4))):
        text = mutate(draw, text)
    return text


# ------------------------------------------------------------------ target


def run(count: int, seed: int, time_budget: float | None = None, *, findings_dir: Path = FINDINGS,
        log: Any = None, chunk: int = 200, compare: bool = True) -> Stats:
    stats = Stats(TARGET, seed)
    loader = LuavmLoader()
    oracle = LuaLoadOracle() if (compare and common.LUA) else None
    current: dict[str, bytes] = {}

    def on_hang() -> None:
        common.write_finding(TARGET, "", Finding("hang", "luavm's load hung (stuck in C code)"),
                             seed=seed, findings_dir=findings_dir, data=current["s"])

    def check(s: bytes) -> Finding | None:
        current["s"] = s
        return check_input(s, oracle, loader, on_hang)

    def save(s: bytes, f: Finding) -> Path:
        return common.write_finding(TARGET, "", f, seed=seed, findings_dir=findings_dir, data=s)

    try:
        return common.drive(TARGET, inputs(), check, count=count, seed=seed, time_budget=time_budget,
                            chunk=chunk, stats=stats, save=save, log=log)
    finally:
        if oracle is not None:
            oracle.close()


def summary(stats: Stats) -> str:
    c = stats.counters
    return (f"{stats.cases} inputs, {c.get('internal', 0)} internal errors, "
            f"{c.get('accept/reject', 0)} accept/reject mismatches, {c.get('message', 0)} message mismatches")


def repro(path: Path) -> Finding | None:
    oracle = LuaLoadOracle() if common.LUA else None
    try:
        return check_input(path.read_bytes(), oracle, LuavmLoader())
    finally:
        if oracle is not None:
            oracle.close()
