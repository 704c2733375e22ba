"""SnapshotBase.instantiate: many tasks started from one prepared, never-run state."""

from __future__ import annotations

import pytest

import luavm

PROGRAM = """
local Account = {}
Account.__index = Account
local opened = 0
local function open(owner) opened = opened + 1; return setmetatable({owner = owner, log = {}}, Account) end
function Account:deposit(x) self.log[#self.log + 1] = x; return self end
local shared = {hits = 0}
local function hit() shared.hits = shared.hits + 1; return shared.hits end
local function peek() return shared.hits end
local W = {hit = hit, peek = peek}
return function(owner, amount)
  local a = open(owner):deposit(amount)
  hit(); hit()
  local got = wait(W.peek())
  return a.owner, #a.log, a.log[1], opened, W.peek(), math.random(1, 1 << 40), got
end
"""


def wait(v: object) -> object:
    """The host function the program waits in: suspends the whole task."""
    return luavm.suspend(["wait", v])


def template(**kw: object) -> luavm.SnapshotBase:
    rt = luavm.LuaRuntime(seed=0, **kw)  # type: ignore[arg-type]
    rt.globals()["wait"] = wait
    main = rt.execute(PROGRAM)
    task = rt.task("local f = ... return f(select(2, ...))", main)
    return task.snapshot_base()


def finish(task: luavm.Task, resume: object = "r") -> list[object]:
    task.run()
    task.run(resume)
    assert task.done, task.error
    assert task.result is not None
    return task.result


def test_instances_run_independently_of_each_other_and_of_the_template() -> None:
    base = template()
    t1, _ = base.instantiate(("ann", 5))
    t2, _ = base.instantiate(("bob", 7))
    r1, r2 = finish(t1), finish(t2)
    # module-level locals (opened, shared.hits) are each instance's own
    assert r1[:5] == ["ann", 1, 5, 1, 2]
    assert r2[:5] == ["bob", 1, 7, 1, 2]
    t3, _ = base.instantiate(("cy", 1))  # the template did not run: still fresh
    assert finish(t3)[:5] == ["cy", 1, 1, 1, 2]


def test_seed_gives_what_a_runtime_with_that_seed_gives() -> None:
    base = template()
    a, _ = base.instantiate(("x", 1), seed=42)
    b, _ = base.instantiate(("x", 1), seed=42)
    c, _ = base.instantiate(("x", 1), seed=43)
    ra, rb, rc = finish(a), finish(b), finish(c)
    assert ra[5] == rb[5] != rc[5]
    rt = luavm.LuaRuntime(seed=42)
    rt.globals()["wait"] = wait
    main = rt.execute(PROGRAM)
    direct = rt.task("local f = ... return f(select(2, ...))", main, "x", 1)
    assert finish(direct)[5] == ra[5]


def test_snapshots_relative_to_an_instance_restore_onto_another_built_alike() -> None:
    writer_base = template()
    task, base = writer_base.instantiate(("ann", 5), seed=9)
    assert base.digest == writer_base.digest
    task.run()
    data = task.snapshot(base=base)
    full = task.snapshot()
    assert len(data) < len(full) / 3  # the library and program objects are named, not written
    # another "process": the template built again from the same code, instantiated
    _, other = template().instantiate()
    restored = luavm.restore(data, base=other)
    restored.run("again")
    assert restored.result is not None
    assert restored.result[:5] == ["ann", 1, 5, 1, 2] and restored.result[6] == "again"


def test_the_same_instance_state_writes_the_same_bytes() -> None:
    base = template()
    t1, b1 = base.instantiate(("ann", 5), seed=3)
    t2, b2 = base.instantiate(("ann", 5), seed=3)
    t1.run()
    t2.run()
    assert t1.snapshot(base=b1) == t2.snapshot(base=b2)
    assert t1.snapshot() == t2.snapshot()


def test_a_started_task_cannot_be_a_template() -> None:
    base = template()
    task, b = base.instantiate(("ann", 5))
    task.run()
    suspended_base = task.snapshot_base()
    with pytest.raises(luavm.SnapshotError, match="not started"):
        suspended_base.instantiate()


def test_limits_are_each_instance_s_own() -> None:
    base = template(max_instructions=10_000)
    t1, _ = base.instantiate(("a", 1))
    t2, _ = base.instantiate(("b", 2))
    assert finish(t1)[0] == "a" and finish(t2)[0] == "b"
    assert t1.runtime.state.limits is not t2.runtime.state.limits


def test_changes_to_library_tables_are_each_instance_s_and_are_written() -> None:
    """Fingerprints of tables that hold only shared values (a library) are shared by
    the copies' bases: a change in one copy is still seen, written and restored."""
    rt = luavm.LuaRuntime(seed=0)
    rt.globals()["wait"] = wait
    task = rt.task("string.shout = function(s) return s:upper() .. '!' end "
                   "math.pi = 3 local got = wait(1) return ('hi'):shout(), math.pi, got")
    base = task.snapshot_base()
    t1, b1 = base.instantiate()
    t2, b2 = base.instantiate()
    t1.run()
    data = t1.snapshot(base=b1)
    restored = luavm.restore(data, base=base.instantiate()[1])
    restored.run("x")
    assert restored.result == ["HI!", 3, "x"]
    t2.run()  # the other copy ran the same code on its own tables
    t2.run("y")
    assert t2.result == ["HI!", 3, "y"]
    t3, _ = base.instantiate()
    assert t3.runtime.eval("string.shout") is None and t3.runtime.eval("math.pi") != 3


def test_the_copy_keeps_the_template_runtime_s_settings() -> None:
    """What the embedder set on the template's runtime (warnings, the clocks os.time
    and os.clock read) holds in its copies."""
    rt = luavm.LuaRuntime(seed=0)
    rt.state.clock = lambda: 1_000_000.0
    rt.state.cpu_clock = lambda: 2.5
    rt.execute("warn('@on')")
    base = rt.task("return os.time(), os.clock()").snapshot_base()
    task, _ = base.instantiate()
    task.run()
    assert task.result == [1_000_000, 2.5]
    assert task.runtime.state.warn_mode == "on"


def test_weak_tables_of_the_template_are_weak_in_the_copies() -> None:
    rt = luavm.LuaRuntime(seed=0)
    rt.execute("cache = setmetatable({}, {__mode = 'k'})")
    base = rt.task("""
        local function count() local n = 0 for _ in pairs(cache) do n = n + 1 end return n end
        local k = {}
        cache[k] = 'v'
        local before = count()
        k = nil
        collectgarbage()
        return before, count()
    """).snapshot_base()
    task, _ = base.instantiate()
    task.run()
    assert task.result == [1, 0]


def test_instantiate_task_is_a_copy_without_a_base() -> None:
    base = template()
    task = base.instantiate_task(("ann", 5), seed=42)
    other, _ = base.instantiate(("ann", 5), seed=42)
    assert finish(task) == finish(other)
