"""funcs.call as a caller sees it, whichever way the host runs the callee: at once
inside the caller's step (a callee that does not block) or as an invocation of its
own (a callee that sleeps, receives or calls something that blocks)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

import wippy


def make_app(root: Path, functions: dict[str, str]) -> wippy.App:
    src = root / "src"
    src.mkdir(parents=True, exist_ok=True)
    entries: list[dict[str, Any]] = []
    for name, code in functions.items():
        (src / f"{name}.lua").write_text(textwrap.dedent(code))
        entries.append({"name": name, "kind": "function.lua", "modules": ["funcs", "time", "ctx"],
                        "source": f"file://{name}.lua"})
    (src / "app.yaml").write_text(yaml.safe_dump({"version": "1.0", "namespace": "app", "entries": entries}))
    return wippy.App(root)


CALLEES = {
    "double": "return function(x) return x * 2 end",
    "sleepy": """
        local time = require("time")
        return function(x, ms) time.sleep(tostring(ms or 5) .. "ms") return x + 1 end
    """,
    "fails": 'return function() error("boom") end',
    "typed_error": 'return function() return nil, errors.new({kind = "NotFound", message = "no such order"}) end',
    "table": "return function(t) t.seen = true return {got = t, list = {1, 2, 3}} end",
    "ctx_of": 'local ctx = require("ctx") return function() return ctx.get("who") end',
    "rec": """
        local funcs = require("funcs")
        return function(n) if n == 0 then return 0 end return 1 + funcs.call("rec", n - 1) end
    """,
    "mixed": """
        local funcs = require("funcs")
        return function(n)
          local s = 0
          for i = 1, n do
            s = s + funcs.call("double", i)
            if i % 3 == 0 then s = s + funcs.call("sleepy", i, 1) end
          end
          return s
        end
    """,
}


def call(tmp_path: Path, body: str, *args: Any, extra: dict[str, str] | None = None) -> Any:
    src = 'local funcs = require("funcs")\nlocal time = require("time")\n' + textwrap.dedent(body)
    app = make_app(tmp_path, {**CALLEES, "main": src, **(extra or {})})
    return app.call("app:main", *args)


def test_results_errors_and_copies(tmp_path: Path) -> None:
    r = call(tmp_path, """
        return function()
          local out = {}
          out.double = funcs.call("double", 21)
          out.sleepy = funcs.call("sleepy", 1)
          local v, err = funcs.call("fails")
          out.fails = {v == nil, err:kind(), tostring(err:message()):find("boom") ~= nil}
          local v2, err2 = funcs.call("typed_error")
          out.typed = {v2 == nil, err2:kind(), err2:message()}
          local mine = {a = 1}
          local t = funcs.call("table", mine)
          out.copied = {mine.seen == nil, t.got.seen, t.got.a, #t.list}
          local v3, err3 = funcs.call("nope")
          out.missing = {v3 == nil, err3:kind()}
          local v4, err4 = funcs.call("double", function() end)
          out.bad_arg = {v4 == nil, err4:kind()}
          return out
        end
    """)
    assert r["double"] == 42 and r["sleepy"] == 2
    assert r["fails"] == [True, "Internal", True]
    assert r["typed"] == [True, "NotFound", "no such order"]
    assert r["copied"] == [True, True, 1, 3]
    assert r["missing"] == [True, "NotFound"]
    assert r["bad_arg"] == [True, "Invalid"]


def test_blocking_and_non_blocking_callees_interleave_in_order(tmp_path: Path) -> None:
    assert call(tmp_path, 'return function(n) return funcs.call("mixed", n) end', 9) == sum(
        2 * i for i in range(1, 10)) + sum(i + 1 for i in (3, 6, 9))


def test_nesting_deeper_than_the_direct_path_goes(tmp_path: Path) -> None:
    assert call(tmp_path, 'return function(n) return funcs.call("rec", n) end', 30) == 30


def test_context_reaches_the_callee(tmp_path: Path) -> None:
    r = call(tmp_path, """
        return function()
          local ex = funcs.new():with_context({who = "ann"})
          return {with = ex:call("ctx_of"), without = funcs.call("ctx_of") or "none"}
        end
    """)
    assert r == {"with": "ann", "without": "none"}


def test_timeout_of_a_blocking_callee(tmp_path: Path) -> None:
    r = call(tmp_path, """
        return function()
          local ex = funcs.new():with_options({timeout = 30})
          local v, err = ex:call("sleepy", 1, 2000)
          local quick = ex:call("double", 4)
          return {v == nil, err and err:kind(), quick}
        end
    """)
    assert r[0] is True and r[1] in ("Timeout", "Canceled") and r[2] == 8


def test_other_threads_run_while_a_callee_blocks(tmp_path: Path) -> None:
    r = call(tmp_path, """
        return function()
          local log = {}
          coroutine.spawn(function() log[#log + 1] = "spawned" end)
          local v = funcs.call("sleepy", 1, 20)
          log[#log + 1] = "call " .. v
          return log
        end
    """)
    assert r == ["spawned", "call 2"]


def test_python_functions_sync_and_async(tmp_path: Path) -> None:
    app = make_app(tmp_path, {"main": """
        local funcs = require("funcs")
        return function()
          local a = funcs.call("py:sync", 2)
          local b = funcs.call("py:async", 3)
          local _, e = funcs.call("py:raises")
          return {a, b, e:kind(), e:message()}
        end
    """})

    async def slow(x: int) -> int:
        return x * 10

    def raises() -> None:
        raise wippy.WippyError("nope", "PermissionDenied")

    app.register_function("py:sync", lambda x: x + 1)
    app.register_function("py:async", slow)
    app.register_function("py:raises", raises)
    assert app.call("app:main") == [3, 30, "PermissionDenied", "nope"]


@pytest.mark.parametrize("n", [1, 50])
def test_a_pooled_state_is_reused_after_a_direct_call(tmp_path: Path, n: int) -> None:
    r = call(tmp_path, """
        return function(n)
          local s = 0
          for i = 1, n do s = s + funcs.call("counter") end
          return s
        end
    """, n, extra={"counter": "local k = 0 return function() k = k + 1 return k end"})
    assert r == n * (n + 1) // 2  # one state (pooled), called n times in a row


def test_call_async_on_an_embedders_own_event_loop(tmp_path: Path) -> None:
    # the loop runs on the embedder's thread; luavm runs the Lua on a big-stack thread
    import asyncio

    app = make_app(tmp_path, {**CALLEES, "main": """
        local funcs = require("funcs")
        local time = require("time")
        return function(x)
          time.sleep("1ms")
          return {funcs.call("double", x), funcs.call("sleepy", x), funcs.call("mixed", 3)}
        end
    """})
    assert asyncio.run(app.call_async("app:main", 5)) == [10, 6, 16]
