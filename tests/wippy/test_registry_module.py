"""The `registry` Lua module: what a Lua test runner needs to discover tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

import yaml

import wippy


def _app(tmp_path: Path, runner: str) -> wippy.App:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.yaml").write_text(yaml.safe_dump({"namespace": "app", "entries": [
        {"name": "t1", "kind": "function.lua", "meta": {"type": "test", "suite": "x", "deep": {"k": 1}},
         "source": "return function() return 1 end"},
        {"name": "t2", "kind": "function.lua", "meta": {"type": "test", "suite": "y"},
         "source": "return function() return 2 end"},
        {"name": "runner", "kind": "function.lua", "modules": ["registry", "funcs"],
         "source": textwrap.dedent(runner)},
        {"name": "wf", "kind": "workflow.lua", "modules": ["funcs"], "source": "return {main = function() end}"},
    ]}))
    return wippy.App(tmp_path)


def test_find_get_parse_and_a_lua_test_runner(tmp_path: Path) -> None:
    app = _app(tmp_path, """
        local registry = require("registry")
        local funcs = require("funcs")
        return function()
          local results = {}
          for _, e in ipairs(registry.find({type = "test"})) do
            results[#results + 1] = e.id .. "=" .. tostring(funcs.call(e.id))
          end
          table.sort(results)
          local one = registry.get("app:t1")
          local _, missing = registry.get("app:nope")
          local _, bad = registry.find("x")
          return {results = results, kind = one.kind, suite = one.meta.suite,
                  missing = missing:kind(), bad = bad:kind(),
                  deep = #registry.find({["deep.k"] = 1}),
                  workflows = #registry.find({[".kind"] = "workflow.lua"}),
                  in_ns = #registry.snapshot():namespace("app"),
                  id = registry.parse_id("app.x:y")}
        end""")
    r = app.call("app:runner")
    assert r["results"] == ["app:t1=1", "app:t2=2"]
    assert r["kind"] == "function.lua" and r["suite"] == "x"
    assert r["missing"] == "NotFound" and r["bad"] == "Invalid"
    assert r["deep"] == 1 and r["workflows"] == 1 and r["in_ns"] == 4
    assert r["id"] == {"ns": "app.x", "name": "y"}
