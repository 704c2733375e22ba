"""Base-relative snapshots (luavm/snapshot_base.py): objects of a base are named,
not written, unless they changed; restore applies the bytes onto a base built the
same way; the bytes are the same for the same state in any process."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import luavm
from fuzz.gen import host_answer, programs
from fuzz.snapcheck import fetch, run_straight
from luavm import snapshot as S

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PRELUDE = """
cfg = {n = 1, f = 2.5, b = true, name = "x", list = {1, 2, 3}, nested = {deep = {v = 1}}}
local count = 0
function bump() count = count + 1 return count end
local k = 10
function getk() return k end
records = {}
for i = 1, 20 do records[i] = {id = i, v = i * 2} end
"""


class Out:
    """A stdout whose target can be switched (a base's runtime prints here)."""

    def __init__(self) -> None:
        self.target: Any = io.BytesIO()

    def write(self, b: bytes) -> int:
        return int(self.target.write(b))

    def flush(self) -> None:
        pass


def fresh(body: str, *, host_access: bool = False, out: Any = None) -> luavm.Task:
    """The PRELUDE run, then a task (not started) running `body`."""
    rt = luavm.LuaRuntime(seed=7, host_access=host_access, stdout=out or io.BytesIO())
    rt.globals()["fetch"] = fetch
    rt.execute(PRELUDE, chunkname="=prelude")
    if host_access:  # (its debug library can set upvalues; io's files cannot be snapshotted)
        rt.execute("io = nil package.loaded.io = nil")
    return rt.task(body, chunkname="=job")


def check_roundtrip(body: str, answers: list[Any], **kw: Any) -> list[bytes]:
    """Snapshot at every suspension relative to the fresh base; each restored onto
    a new fresh base must give the same bytes again and continue to the same result
    as the straight run. Returns the snapshots."""
    straight = fresh(body, **kw)
    straight.run()
    for a in answers:
        straight.run(a)
    assert straight.done
    task = fresh(body, **kw)
    base = task.snapshot_base()
    task.run()
    snaps = []
    for a in answers:
        data = task.snapshot(base=base)
        assert task.snapshot(base=base) == data  # same state, same bytes
        snaps.append(data)
        t2 = fresh(body, **kw)
        b2 = t2.snapshot_base()
        assert b2.digest == base.digest
        task = luavm.restore(data, base=b2, host_access=kw.get("host_access", False))
        assert task.snapshot(base=b2) == data
        base = b2
        task.run(a)
    assert task.done and task.result == straight.result
    return snaps


def body_of(data: bytes) -> dict:
    return S.read_full(data)


def patched(data: bytes) -> dict[int, list]:
    return {i: enc for i, enc in body_of(data)["patches"]}


# ------------------------------------------------------------------ what is written


def test_unchanged_base_objects_are_not_written():
    task = fresh("return fetch(1)")
    base = task.snapshot_base()
    task.run()
    data = task.snapshot(base=base)
    full = task.snapshot()
    body = body_of(data)
    assert len(data) < len(full) / 4
    # the main coroutine is always written; no table of the base changed
    assert [enc[0] for enc in patched(data).values()] == ["co"]
    assert all(o[0] in ("co", "lua", "table") for o in body["objects"])
    assert body["base"] == base.digest == luavm.snapshot_base_digest(data)
    assert luavm.snapshot_base_digest(full) is None


def test_mutated_base_tables_boxes_and_new_objects():
    body = """
    cfg.n = 2
    cfg.list[2] = 'two'
    cfg.extra = {new = true, deeper = {x = 1}}
    bump()
    records[5].v = 'changed'
    local r = fetch(1)
    return cfg.n, cfg.list[2], cfg.extra.deeper.x, bump(), records[5].v, records[6].v, r
    """
    snaps = check_roundtrip(body, ["a"])
    kinds = sorted(enc[0] for enc in patched(snaps[0]).values())
    assert kinds == ["box", "co", "table", "table", "table"]  # count; the main thread; cfg, list, records[5]


def test_base_object_reachable_only_through_an_unchanged_one():
    # cfg (unchanged) -> nested (unchanged) -> deep (changed): only deep is written
    body = "cfg.nested.deep.v = 99 local r = fetch(1) return cfg.nested.deep.v, r"
    snaps = check_roundtrip(body, ["a"])
    tables = [enc for enc in patched(snaps[0]).values() if enc[0] == "table"]
    assert len(tables) == 1 and tables[0][2] == [b"v", 99]


def test_numbers_of_another_type_or_sign_are_changes():
    body = """
    cfg.n = 1.0          -- 1 == 1.0 in Python
    cfg.b = 1            -- true == 1 in Python
    records[1].id = 1.0
    records[2].v = true  -- was 4
    cfg.list[1] = 1.0
    getk()
    local z = fetch(1)
    cfg.f = -0.0
    local w = fetch(2)
    return math.type(cfg.n), cfg.b, math.type(records[1].id), records[2].v, math.type(cfg.list[1]),
           1 / cfg.f, z, w
    """
    snaps = check_roundtrip(body, ["a", "b"])
    p = patched(snaps[0])
    assert sum(1 for enc in p.values() if enc[0] == "table") == 4  # cfg, records[1], records[2], list
    assert any(enc[0] == "table" and -0.0 in enc[2] for enc in patched(snaps[1]).values())


def test_same_value_written_again_is_no_change():
    body = """
    cfg.n = 2; cfg.n = 1           -- back to the base's value
    records[3].v = 3 * 2           -- an equal, possibly other, int object
    cfg.name = string.lower("X")   -- an equal string
    local r = fetch(1)
    return cfg.n, records[3].v, cfg.name, r
    """
    snaps = check_roundtrip(body, ["a"])
    assert [enc[0] for enc in patched(snaps[0]).values()] == ["co"]


def test_closure_upvalues_changed_with_debug_setupvalue():
    body = """
    local i = 1
    while true do
      local name = debug.getupvalue(getk, i)
      if name == 'k' then break end
      i = i + 1
    end
    debug.setupvalue(getk, i, 42)
    local r = fetch(1)
    return getk(), r
    """
    snaps = check_roundtrip(body, ["a"], host_access=True)
    assert any(enc[0] == "lua" for enc in patched(snaps[0]).values())


def test_only_an_array_item_or_the_metatable_changes():
    body = """
    records[21] = nil               -- (nothing there: no change)
    local t = {records[2], records[1]}
    records[1], records[2] = t[1], t[2]   -- array items swapped (no numbers: `==` of lists)
    setmetatable(records[3], {__index = {extra = 'e'}})   -- only its metatable
    local r = fetch(1)
    return records[1].id, records[2].id, records[3].extra, r
    """
    snaps = check_roundtrip(body, ["a"])
    assert sum(1 for enc in patched(snaps[0]).values() if enc[0] == "table") == 2  # records, records[3]


def test_boxes_metatables_and_tombstones():
    body = """
    setmetatable(cfg, {__index = function(_, k) return 'dflt:' .. k end})
    cfg.name = nil                 -- a dead key: kept (it fixes the order of next)
    local a = bump()
    local r = fetch(1)
    local keys = {}
    for k in pairs(cfg) do keys[#keys + 1] = k end
    table.sort(keys)
    return cfg.missing, cfg.name, a, bump(), table.concat(keys, ','), r
    """
    check_roundtrip(body, ["a"])


def test_order_of_keys_after_a_rebuild_of_the_hash_part():
    # clearing many fields then adding one rebuilds the dict (dead keys dropped):
    # re-adding the old ones gives the same contents in another order
    body = """
    local t = records[1]
    for i = 1, 12 do t['k' .. i] = i end
    local r0 = fetch(0)
    for i = 1, 12 do t['k' .. i] = nil end
    t.id = nil; t.v = nil
    t.other = 1
    t.other = nil
    t.v = 2; t.id = 1
    for i = 1, 12 do t['k' .. i] = i end
    local r = fetch(1)
    local order = {}
    for k in pairs(t) do order[#order + 1] = tostring(k) end
    return table.concat(order, ' '), r0, r
    """
    check_roundtrip(body, ["a", "b"])


def test_same_contents_in_another_order_after_a_rebuild():
    # the dict is rebuilt (dead keys dropped) when a new key arrives through the
    # runtime's helper (rawset): afterwards the same keys and values, in another order
    prelude = "ord = {a = 1, b = 1}\nfor i = 1, 10 do ord['x' .. i] = 1 end\n"
    body = """
    local t = ord
    for i = 1, 10 do t['x' .. i] = nil end
    t.a = nil
    rawset(t, 'y', 1)              -- rebuilt: b, y
    t.y = nil
    for i = 1, 9 do rawset(t, 'w' .. i, 1) end
    for i = 1, 9 do t['w' .. i] = nil end
    rawset(t, 'a', 1)              -- rebuilt: b, a
    for i = 1, 10 do rawset(t, 'x' .. i, 1) end
    local r = fetch(1)
    local order = {}
    for k in pairs(t) do order[#order + 1] = k end
    return table.concat(order, ' '), r
    """
    global PRELUDE
    saved = PRELUDE
    PRELUDE = saved + prelude
    try:
        snaps = check_roundtrip(body, ["a"])
        assert any(enc[0] == "table" and enc[2][:4] == [b"b", 1, b"a", 1] for enc in patched(snaps[0]).values())
    finally:
        PRELUDE = saved


def test_integer_keys_moving_to_the_array_part_and_back():
    body = """
    local t = records[2]
    t[3] = 'three'; t.z = 'z'
    local r0 = fetch(0)
    t[1] = 'one'; t[2] = 'two'   -- 3 moves to the array part
    t[3] = nil; t[2] = nil; t[1] = nil
    t[3] = 'three'               -- back in the hash part, after z
    local r = fetch(1)
    local order = {}
    for k in pairs(t) do order[#order + 1] = tostring(k) end
    return table.concat(order, ' '), r0, r
    """
    check_roundtrip(body, ["a", "b"])


def test_coroutines_of_the_base_and_random_state():
    prelude_co = "gen = coroutine.wrap(function() for i = 1, 10 do coroutine.yield(i) end end)\n"
    body = """
    local a = gen()
    local x = math.random(1000)
    local r = fetch(1)
    return a, gen(), x, math.random(1000), r
    """
    global PRELUDE
    saved = PRELUDE
    PRELUDE = saved + prelude_co
    try:
        check_roundtrip(body, ["a"])
    finally:
        PRELUDE = saved


# ------------------------------------------------------------------ restoring


def test_restore_onto_a_used_base_gives_the_written_state():
    body = "cfg.n = 5 local a = fetch(1) cfg.n = 6 records[1].v = 'x' local b = fetch(2) return cfg.n, a, b"
    task = fresh(body)
    base = task.snapshot_base()
    task.run()
    s1 = task.snapshot(base=base)
    task.run("a")
    s2 = task.snapshot(base=base)
    t2 = fresh(body)
    b2 = t2.snapshot_base()
    r = luavm.restore(s2, base=b2)
    assert r.snapshot(base=b2) == s2
    r = luavm.restore(s1, base=b2)  # the base's objects changed by the first restore: reset
    assert r.snapshot(base=b2) == s1
    r.run("a")
    assert r.snapshot(base=b2) == s2
    r.run("b")
    assert r.result == [6, "a", "b"]


def test_wrong_or_missing_base_is_refused():
    task = fresh("return fetch(1)")
    base = task.snapshot_base()
    task.run()
    data = task.snapshot(base=base)
    with pytest.raises(luavm.SnapshotError, match="relative to a base"):
        luavm.restore(data)
    other = luavm.LuaRuntime(seed=8)
    other.execute(PRELUDE)
    with pytest.raises(luavm.SnapshotError, match="another base"):
        luavm.restore(data, base=other.task("return fetch(1)").snapshot_base())
    with pytest.raises(luavm.SnapshotError, match="not written relative"):
        luavm.restore(task.snapshot(), base=fresh("return fetch(1)").snapshot_base())
    with pytest.raises(luavm.SnapshotError, match="another runtime"):
        task.snapshot(base=fresh("return fetch(1)").snapshot_base())
    bad = bytearray(data)
    bad[-3] ^= 0xFF  # the base digest in the envelope
    with pytest.raises(luavm.SnapshotError):
        luavm.restore(bytes(bad), base=base)


def test_standalone_snapshots_restore_as_before():
    task = fresh("cfg.n = 3 return fetch(1), cfg.n")
    task.snapshot_base()  # taking a base changes nothing
    task.run()
    t = luavm.restore(task.snapshot())
    t.run("x")
    assert t.result == ["x", 3]


def test_base_of_a_suspended_task_and_a_chain_of_one():
    """The engine's rebasing: a snapshot relative to the fresh base B is restored,
    the state it gives is the base of later snapshots."""
    body = """
    local big = {}
    for i = 1, 300 do big[i] = {v = i} end
    local r = fetch(0)
    big[7].v = 'seven'
    local r1 = fetch(1)
    return big[7].v, big[8].v, #big, r, r1
    """
    task = fresh(body)
    fb = task.snapshot_base()
    task.run()
    b_data = task.snapshot(base=fb)
    mid = task.snapshot_base()
    task.run("x")
    delta = task.snapshot(base=mid)
    assert len(delta) < len(b_data) / 10
    # elsewhere: the fresh base, then the base row, then the delta
    t2 = fresh(body)
    fb2 = t2.snapshot_base()
    tk = luavm.restore(b_data, base=fb2)
    mid2 = tk.snapshot_base()
    assert mid2.digest == mid.digest
    r = luavm.restore(delta, base=mid2)
    assert r.snapshot(base=mid2) == delta
    r.run("y")
    assert r.result == ["seven", 8, 300, "x", "y"]


def test_derived_base_the_same_on_both_sides():
    """Task.rebase / luavm.restore_derived: the base a snapshot wrote (its base's
    objects, then its new ones) is the same after writing and after restoring,
    without another traversal; snapshots relative to it restore onto it."""
    body = """
    local big = {}
    for i = 1, 300 do big[i] = {v = i} end
    cfg.big = big
    local r = fetch(0)
    big[7].v = 'seven'
    cfg.n = 'n'
    local r1 = fetch(1)
    big[8] = {v = 1.0}
    local r2 = fetch(2)
    return big[7].v, math.type(big[8].v), #big, cfg.n, r, r1, r2
    """
    task = fresh(body)
    fb = task.snapshot_base()
    task.run()
    b_data, derived = task.rebase(fb)
    assert b_data == task.snapshot(base=fb)
    assert derived.digest == S.derived_digest(b_data) != fb.digest
    task.run("x")
    d1 = task.snapshot(base=derived)
    task.run("y")
    d2 = task.snapshot(base=derived)
    assert len(d1) < len(b_data) / 10
    for delta, answers in ((d1, ["y", "z"]), (d2, ["z"])):
        t2 = fresh(body)
        fb2 = t2.snapshot_base()
        tk, derived2 = luavm.restore_derived(b_data, base=fb2)
        assert derived2.digest == derived.digest and len(derived2) == len(derived)
        r = luavm.restore(delta, base=derived2)
        assert r.snapshot(base=derived2) == delta
        for a in answers:
            r.run(a)
        assert r.result == ["seven", "float", 300, "n", "x", "y", "z"]
    task.run("z")
    assert task.result == ["seven", "float", 300, "n", "x", "y", "z"]


def test_same_bytes_in_another_process():
    body = "cfg.n = 9 records[4].v = {1, 2} local r = fetch(1) return r"
    task = fresh(body)
    base = task.snapshot_base()
    task.run()
    data = task.snapshot(base=base)
    code = (
        "import sys, luavm\nfrom fuzz.snapcheck import fetch\n"
        "from tests.test_snapshot_base import fresh\n"
        f"t = fresh({body!r}); b = t.snapshot_base(); t.run()\n"
        "d = t.snapshot(base=b)\n"
        "t2 = fresh(" + repr(body) + "); b2 = t2.snapshot_base()\n"
        "r = luavm.restore(sys.stdin.buffer.read(), base=b2)\n"
        "assert r.snapshot(base=b2) == d\n"
        "sys.stdout.buffer.write(d)"
    )
    p = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": ROOT, "PYTHONHASHSEED": "321"})
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout == data


# ------------------------------------------------------------------ generated programs


def _run_with_base(src: str) -> tuple[bytes, list, int]:
    """The base is the state at the first suspension (what the program built by
    then); every later suspension: snapshot relative to it, restore onto a base
    built again the same way, continue there."""
    out = Out()
    sink = io.BytesIO()

    def new() -> tuple[luavm.Task, Any]:
        o = Out()
        o.target = sink
        rt = luavm.LuaRuntime(stdout=o, seed=0)
        rt.globals()["fetch"] = fetch
        t = rt.task(src, chunkname="=prog")
        t.run()
        return t, o

    task, o = new()
    out.target = io.BytesIO()
    real = out.target
    o.target = real
    if task.done:
        return b"", task.result, 0
    base = task.snapshot_base()
    n = 0
    first = True
    while not task.done:
        if not first:
            data = task.snapshot(base=base)
            t2, o2 = new()
            b2 = t2.snapshot_base()
            assert b2.digest == base.digest
            o2.target = real
            task = luavm.restore(data, base=b2)
            assert task.snapshot(base=b2) == data
            base = b2
        first = False
        task.run(host_answer(task.request[1]))
        n += 1
    return real.getvalue(), task.result, n


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(programs())
def test_generated_programs_with_base_relative_snapshots(src):
    out, result, n = run_straight(src)
    # (the output before the first suspension went to the base's runs)
    got_out, got_result, got_n = _run_with_base(src)
    assert got_result == result and got_n == n
    assert out.endswith(got_out)
