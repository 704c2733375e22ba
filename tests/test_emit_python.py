"""`luavm --emit-python` output reads as code a person can debug (issue 14):
`elif` chains, `# L<n>` comments tying statements to Lua lines, anonymous
functions named by position, one inline-cache site per global name and function,
lines of reasonable length; and it still runs as the program did."""

from __future__ import annotations

import re
import subprocess
import sys

from luavm import LuaRuntime
from luavm.compiler import wrap

PROGRAM = """\
local Point = {}
Point.__index = Point
function Point.new(x, y) return setmetatable({x = x, y = y}, Point) end
function Point:norm1() return math.abs(self.x) + math.abs(self.y) end

local function classify(n)
  if n < 0 then
    return "negative"
  elseif n == 0 then
    return "zero"
  elseif n < 10 then
    return "small"
  else
    return "large"
  end
end

local out = {}
for i = -1, 11, 4 do
  out[#out + 1] = classify(i) .. ":" .. tostring(Point.new(i, -i):norm1())
end
local twice = function(f) return function(v) return f(f(v)) end end
print(table.concat(out, " "), twice(function(v) return v * 3 end)(2))
"""


def emit(tmp_path) -> str:
    p = tmp_path / "p.lua"
    p.write_text(PROGRAM)
    r = subprocess.run([sys.executable, "-m", "luavm", "--emit-python", str(p)],
                       capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout.decode()


def test_emitted_python_is_readable(tmp_path):
    src = emit(tmp_path)
    compile(src, "emitted", "exec")
    lines = src.splitlines()
    # the if/elseif chain of classify reads as one if/elif/else, not nested else: if
    classify = src[src.index("def lua_classify"):src.index("return lua_classify")]
    assert len(re.findall(r"^\s*elif \(?n", classify, re.M)) >= 2
    for i, line in enumerate(lines):
        if line.strip() != "else:":
            continue
        d = len(line) - len(line.lstrip())
        body = []
        for nxt in lines[i + 1:]:
            nd = len(nxt) - len(nxt.lstrip())
            if nd <= d:
                break
            if nd == d + 4 and not nxt.lstrip().startswith("#"):
                body.append(nxt.strip())
        nested_if = (body and body[0].startswith("if ") and body[0].endswith(":")
                     and all(b.startswith(("elif ", "else:")) for b in body[1:]))
        assert not nested_if, lines[i - 2:i + 3]  # an `else:` holding only an `if` chain
    # each Lua line of classify's body is named by a comment before its code
    marks = [int(m) for m in re.findall(r"^\s*# L(\d+)$", classify, re.M)]
    assert {7, 8, 9, 10, 11, 12, 14} <= set(marks)
    # anonymous functions are named by where they are
    assert "# <anon@23>, line 23" in src and "def lua_anon23_" in src
    # one inline-cache site per global name and function
    sites = re.findall(r"^_ic(\d+)_\d+ = _ICSITE\((b'[^']*')\)", src, re.M)
    main_math = [k for f, k in sites if f == "0" and k == "b'tostring'"]
    assert len(main_math) == 1
    point_norm = [k for f, k in sites if k == "b'math'"]
    assert len(point_norm) == 1  # Point:norm1 reads math twice: one site
    # no line runs on much past the screen
    assert max(len(line) for line in lines) <= 160
    assert sum(len(line) > wrap.WIDTH + 30 for line in lines) <= len(lines) // 20


def test_emitted_program_runs_the_same():
    out = []
    rt = LuaRuntime(stdout=None)
    rt.globals()["print"] = lambda *a: out.append(a)
    rt.execute(PROGRAM)
    assert out == [("negative:2 small:6 small:14 large:22", 18)]


def test_wrap_keeps_one_statement():
    long_rhs = "_t1 = " + " else ".join(f"value_{i} if cond_{i} and other_{i}" for i in range(6)) + " else z"
    w = wrap.wrap(long_rhs)
    assert w.count("\n") >= 1
    compile(w, "w", "exec")
    assert wrap.wrap("x = 1  # a comment") == "x = 1  # a comment"
    cond = "if " + " and ".join(f"value_number_{i} is not None" for i in range(8)) + ": y = 2"
    w = wrap.wrap(cond)
    compile(w, "w", "exec")
    assert w.splitlines()[-1] == "    y = 2"
