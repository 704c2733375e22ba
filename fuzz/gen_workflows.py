"""Random durable workflows for the `workflows` fuzz target (fuzz/targets/workflows.py).

`generate(seed)` returns a `WorkflowCase`: the Lua source of a main workflow
(`app:main`) and of a child workflow driven by its arguments (`app:child`), the
signals the harness sends right after the start, a crash plan and whether
activity failures are injected. Everything is a function of the seed.

The main workflow is a sequence of top-level *blocks*. Each block draws from its
own `random.Random` (seeded from the case seed and the block number), so a
shrinker can drop blocks (`keep=`) without changing the others. Blocks:

- activities: `funcs.call("py:act", tag, x)` (default retry policy), through an
  executor with `activity.retry_policy = {initial_interval = 10, maximum_attempts = K}`
  (also with `activity.local = true`: a local activity), or as `funcs.async`
  futures awaited later; their values are mixed into `st.n`;
- failing activities under `pcall` (`py:bad`: non-retryable; `py:flaky`: always
  retryable, so the policy's attempts run out; a Lua `error` after an activity);
- timers: `time.sleep` of 10 ms .. 24 h (each checked to have lasted at least that
  long on the workflow's clock);
- signals: `process.inbox():receive()`, `process.listen(topic)` channels (made in
  the prelude, or lazily: then they take the messages that arrived before), and
  `channel.select` between a listen channel and `time.after` (the signal was sent:
  it wins; it was not: the timer wins), and self-sends (`process.send(process.pid())`);
- child workflows: `workflow.exec`, `process.with_options{}:with_name(..):exec`,
  `process.spawn_monitored` (+ a start message or a send, + `process.events():receive()`);
  the child runs ops from its arguments: activities, sleeps, receives, failing
  activities, a grandchild, or it fails;
- `coroutine.spawn` threads joined through a channel (results stored by index);
- loops and `if` over mutated state; `uuid.v4`, `math.random`, `time.now`;
- plain Lua work on the local tables `st`/`obs` between suspensions.

The workflow returns `{obs = ..., n = ..., log = ..., ids = ..., tm = ...}`: every
observation in order (values of activities, signals, children, errors), the mixed
state, and in `tm` what it saw of its clock (`mono`: never went back; `slept[i]`:
the i-th sleep lasted at least its duration). Nothing in the result depends on
the order in which concurrent things complete (joins are by index), so a run
with crashes and retried failures must return the same result.

Tags: every activity call has a tag unique in the run (block, op, loop indices)
ending in `~B`, the number of failures its retry policy absorbs; the harness
injects at most B failures into it (B = 0: none).

`ordered` is false when a spawned thread does two blocking things in a row: then
the order in which the threads' later commands are issued depends on which
completes first, and commands are compared as a multiset.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import asdict, dataclass, field
from typing import Any

CRASH_POINTS = ["step.before_commit", "step.after_commit", "activity.before_record",
                "activity.after_record", "timer.before_record", "timer.after_record"]
ANY_POINT = "any"  # the n-th crash point reached, whatever its name

SLEEPS = [("10ms", 10**7), ("50ms", 5 * 10**7), ("250ms", 25 * 10**7), ("2s", 2 * 10**9),
          ("1h", 3600 * 10**9), ("24h", 24 * 3600 * 10**9)]


@dataclass
class WorkflowCase:
    seed: int
    main: str
    child: str
    signals: list[tuple[str, Any]]
    crashes: list[tuple[str, int]]
    inject: int | None  # seed of the injected activity failures, or None
    ordered: bool
    blocks: list[str] = field(default_factory=list)  # kinds of the top-level blocks kept
    nblocks: int = 0  # top-level blocks before any were dropped

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> WorkflowCase:
        d = dict(d)
        d["signals"] = [tuple(s) for s in d["signals"]]
        d["crashes"] = [tuple(c) for c in d["crashes"]]
        return cls(**d)


def sub_seed(*parts: Any) -> int:
    return int.from_bytes(hashlib.sha256(repr(parts).encode()).digest()[:8], "big")


def injected_failures(inject: int | None, tag: str) -> int:
    """How many first attempts of the activity call with this tag raise (a retryable
    error): 0 .. its budget (the `~B` suffix), deterministic per injection seed."""
    if inject is None or "~" not in tag:
        return 0
    budget = int(tag.rsplit("~", 1)[1] or 0)
    if budget <= 0:
        return 0
    r = sub_seed(inject, tag) % 100
    if r < 50:
        return 0
    return 1 + r % budget


def act_value(tag: str, x: Any) -> int:
    """What `py:act` returns: a function of its arguments only."""
    h = sum(tag.encode()) * 7 + len(tag)
    xi = x if isinstance(x, int) else len(repr(x))
    return (h + xi * 17) % 9973


CHILD = r"""
local funcs = require("funcs")
local time = require("time")
local workflow = require("workflow")

local function main(a)
  local out = {tag = a.tag, vals = {}}
  local function put(v) out.vals[#out.vals + 1] = v end
  for i, op in ipairs(a.ops) do
    local tag = a.tag .. ".c" .. i
    if op == "act" then
      put(funcs.call("py:act", tag .. "~2", a.x + i))
    elseif op == "retry" then
      local ex = funcs.new():with_options({["activity.retry_policy"] = {initial_interval = 10, maximum_attempts = 3}})
      put(ex:call("py:act", tag .. "~2", a.x * i))
    elseif op == "sleep" then
      time.sleep(a.sleep or "20ms")
      put("slept")
    elseif op == "recv" then
      put(process.inbox():receive():payload():data())
    elseif op == "bad" then
      local v, e = funcs.call("py:bad", tag)
      put(e and e:kind() or "no error")
    elseif op == "fail" then
      return nil, errors.new("child " .. a.tag .. " gave up")
    elseif op == "raise" then
      error("child " .. a.tag .. " raised")
    elseif op == "grand" then
      local r, e = workflow.exec("app:child", {tag = a.tag .. ".g", x = a.x + 1, ops = {"act", "sleep"}})
      put(r and r.vals or e:message())
    end
  end
  return out
end
return {main = main}
"""

PRELUDE = r"""local funcs = require("funcs")
local time = require("time")
local uuid = require("uuid")
local workflow = require("workflow")

local HOST = "app:wf_host"

local function uuid_ok(u)
  return type(u) == "string" and
    u:match("^%x%x%x%x%x%x%x%x%-%x%x%x%x%-4%x%x%x%-[89ab]%x%x%x%-%x%x%x%x%x%x%x%x%x%x%x%x$") ~= nil
end

local function main(input)
  local obs = {}
  local st = {n = input.base, log = {}, ids = {}}
  local tm = {mono = true, slept = {}, last = time.now():unix_nano()}
  local function tick()
    local t = time.now():unix_nano()
    if t < tm.last then tm.mono = false end
    tm.last = t
    return t
  end
  local function note(k, v)
    obs[#obs + 1] = {k, v}
    tick()
  end
  local function mix(v)
    if type(v) ~= "number" then v = #tostring(v) end
    st.n = (st.n * 31 + v) % 1000003
    return st.n
  end
  local function errinfo(e)
    if e == nil then return "nil" end
    if type(e) == "table" and e.kind then return e:kind() .. ": " .. e:message() end
    return tostring(e)
  end
  local R = {}
  for k = 2, 4 do
    R[k] = funcs.new():with_options({["activity.retry_policy"] = {initial_interval = 10, maximum_attempts = k}})
  end
  local L = {}
"""

EPILOGUE = r"""  tick()
  tm.last = nil
  local ok_ids, distinct, seen = 0, 0, {}
  for _, u in ipairs(st.ids) do
    if uuid_ok(u) then ok_ids = ok_ids + 1 end
    if not seen[u] then seen[u] = true distinct = distinct + 1 end
  end
  return {obs = obs, n = st.n, log = st.log, ids = {count = #st.ids, ok = ok_ids, distinct = distinct}, tm = tm}
end
return {main = main}
"""


class _Gen:
    """Emits the main workflow's Lua, block by block."""

    def __init__(self, seed: int, keep: set[int] | None) -> None:
        self.seed = seed
        self.keep = keep
        self.rng = random.Random(seed)
        self.lines: list[str] = []
        self.listen_prelude: list[str] = []  # listen channels made before anything arrives
        self.inbox_signals: list[tuple[str, Any]] = []
        self.listen_signals: list[tuple[str, Any]] = []
        self.lazy_signals: list[tuple[str, Any]] = []
        self.ordered = True
        self.kinds: list[str] = []
        self.block = 0
        self.ops = 0
        self.loopvars: list[str] = []
        self.futures = 0
        self.nblocks = 0

    # helpers ------------------------------------------------------------------
    def emit(self, depth: int, text: str) -> None:
        pad = "  " * (depth + 1)
        for ln in text.strip("\n").split("\n"):
            self.lines.append(pad + ln)

    def op_id(self) -> str:
        self.ops += 1
        return f"b{self.block}o{self.ops}"

    def tag_expr(self, budget: int | None) -> str:
        """A Lua expression for a tag unique per call (loop indices included)."""
        s = f'"{self.op_id()}'
        for v in self.loopvars:
            s += f'." .. {v} .. "'
        s += f'~{budget}"' if budget is not None else '"'
        return s.replace(' .. ""', "")

    def x_expr(self, r: random.Random) -> str:
        c = r.randrange(5)
        if c == 0:
            return str(r.randint(0, 500))
        if c == 1:
            return "st.n % 997"
        if c == 2:
            return "#obs"
        if c == 3 and self.loopvars:
            return f"{self.loopvars[-1]} * {r.randint(2, 9)}"
        return f"{r.randint(1, 50)} + #st.log"

    def act_call(self, r: random.Random) -> str:
        """A blocking activity call expression returning an integer."""
        c = r.randrange(4)
        if c == 0:
            k = r.randint(2, 4)
            return f'R[{k}]:call("py:act", {self.tag_expr(k - 1)}, {self.x_expr(r)})'
        if c == 1:
            k = r.randint(2, 4)
            return (f'funcs.new():with_options({{["activity.retry_policy"] = {{initial_interval = 10, '
                    f'maximum_attempts = {k}}}}}):call("py:act", {self.tag_expr(k - 1)}, {self.x_expr(r)})')
        if c == 2:  # a local activity (wippy/workflows/local.py): run inside the step that calls it
            k = r.randint(2, 4)
            return (f'funcs.new():with_options({{["activity.local"] = true, ["activity.retry_policy"] = '
                    f'{{initial_interval = 10, maximum_attempts = {k}}}}}):call("py:act", {self.tag_expr(k - 1)}, '
                    f'{self.x_expr(r)})')
        return f'funcs.call("py:act", {self.tag_expr(2)}, {self.x_expr(r)})'

    def sleep(self, r: random.Random, depth: int, long_ok: bool = True) -> None:
        d, ns = r.choice(SLEEPS if long_ok else SLEEPS[:3])
        self.emit(depth, f"""
do
  local t0 = tick()
  time.sleep("{d}")
  tm.slept[#tm.slept + 1] = tick() - t0 >= {ns}
end""")

    # blocks -------------------------------------------------------------------
    def block_act(self, r: random.Random, d: int) -> None:
        if r.random() < 0.25:  # futures: started together, awaited in order
            n = r.randint(2, 3)
            names = []
            for _ in range(n):
                self.futures += 1
                names.append(f"fut{self.futures}")
                self.emit(d, f'local {names[-1]} = funcs.async("py:act", {self.tag_expr(2)}, {self.x_expr(r)})')
            parts = ", ".join(f"{f}:response():receive():data()" for f in names)
            self.emit(d, f"""
do
  local vs = {{{parts}}}
  for _, v in ipairs(vs) do mix(v) end
  note("futures", vs)
end""")
            return
        self.emit(d, f"""
do
  local v = {self.act_call(r)}
  note("act", {{v, mix(v)}})
end""")

    def block_sleep(self, r: random.Random, d: int) -> None:
        self.sleep(r, d)

    def block_fail(self, r: random.Random, d: int) -> None:
        c = r.randrange(3)
        if c == 0:
            self.emit(d, f"""
do
  local ok, e = pcall(function()
    local v, err = funcs.call("py:bad", {self.tag_expr(None)})
    if err then error(err) end
    return v
  end)
  note("bad", {{ok, errinfo(e), errors.is(e, errors.INVALID)}})
end""")
        elif c == 1:
            k = r.randint(2, 3)
            self.emit(d, f"""
do
  local v, err = R[{k}]:call("py:flaky", {self.tag_expr(None)})
  note("flaky", {{v == nil, err and err:kind(), err and err:message()}})
end""")
        else:
            self.emit(d, f"""
do
  local ok, e = pcall(function()
    local v = {self.act_call(r)}
    mix(v)
    error("after " .. v, 0)
  end)
  note("lua-error", {{ok, tostring(e)}})
end""")

    def block_inbox(self, r: random.Random, d: int) -> None:
        data = {"k": len(self.inbox_signals), "s": "m" * r.randint(0, 3)} if r.random() < 0.5 else r.randint(0, 99)
        self.inbox_signals.append((f"in{self.block}.{len(self.inbox_signals)}", data))
        self.emit(d, """
do
  local m = process.inbox():receive()
  note("inbox", {m:topic(), m:payload():data()})
  mix(#m:topic())
end""")

    def block_listen(self, r: random.Random, d: int) -> None:
        topic = f"l{self.block}.{self.ops}"
        self.ops += 1
        n = r.randint(1, 2)
        lazy = r.random() < 0.3
        for i in range(n):
            (self.lazy_signals if lazy else self.listen_signals).append((topic, f"{topic}#{i}"))
        if lazy:  # made here: takes the messages of its topic that arrived before
            self.emit(d, f'L["{topic}"] = process.listen("{topic}")')
        else:
            self.listen_prelude.append(f'  L["{topic}"] = process.listen("{topic}")')
        self.emit(d, f"""
for _ = 1, {n} do
  local v = L["{topic}"]:receive()
  note("listen", v)
end""")

    def block_select(self, r: random.Random, d: int) -> None:
        topic = f"s{self.block}.{self.ops}"
        self.ops += 1
        sent = r.random() < 0.5
        if sent:
            self.listen_signals.append((topic, f"{topic}!"))
        self.listen_prelude.append(f'  L["{topic}"] = process.listen("{topic}")')
        dur = r.choice(["5s", "1h", "30m"])
        self.emit(d, f"""
do
  local r = channel.select{{L["{topic}"]:case_receive(), time.after("{dur}"):case_receive()}}
  note("select", r.channel == L["{topic}"] and r.value or "timeout")
end""")

    def block_self_send(self, r: random.Random, d: int) -> None:
        topic = f"self{self.block}.{self.ops}"
        self.ops += 1
        self.listen_prelude.append(f'  L["{topic}"] = process.listen("{topic}")')
        self.emit(d, f"""
do
  local ok = process.send(process.pid(), "{topic}", {{n = st.n, at = #obs}})
  local m = L["{topic}"]:receive()
  note("self", {{ok, m.n == st.n, m.at}})
end""")

    def spawn_body(self, r: random.Random) -> tuple[str, int]:
        """(Lua statements computing `v`, number of blocking operations)."""
        c = r.randrange(6)
        if c <= 1:
            return f"local v = {self.act_call(r)}", 1
        if c == 2:
            dur, _ = r.choice(SLEEPS[:4])
            return f'time.sleep("{dur}")\nlocal v = i * 100', 1
        if c == 3:
            return (f'local v = {self.act_call(r)}\nv = v + funcs.call("py:act", {self.tag_expr(2)}, v % 97)', 2)
        if c == 4:
            dur, _ = r.choice(SLEEPS[:3])
            return f'time.sleep("{dur}")\nlocal v = {self.act_call(r)}', 2
        return (f'local ok, e = pcall(function() local x, err = funcs.call("py:bad", {self.tag_expr(None)}) '
                f'if err then error(err) end return x end)\nlocal v = ok and 1 or 0', 1)

    def block_spawn(self, r: random.Random, d: int) -> None:
        n = r.randint(2, 4)
        self.loopvars.append("i")
        body, blocking = self.spawn_body(r)
        self.loopvars.pop()
        if blocking > 1:
            self.ordered = False
        body = "\n".join("      " + ln for ln in body.split("\n"))
        self.emit(d, f"""
do
  local ch = channel.new({r.choice([0, n])})
  for i = 1, {n} do
    coroutine.spawn(function()
{body}
      ch:send({{i, v}})
    end)
  end
  local got = {{}}
  for _ = 1, {n} do
    local p = ch:receive()
    got[p[1]] = p[2]
  end
  for _, v in ipairs(got) do mix(v) end
  note("spawn", got)
end""")

    def child_args(self, r: random.Random, tag: str, *, recv: bool = False) -> str:
        ops = [r.choice(["act", "retry", "sleep", "bad", "act"]) for _ in range(r.randint(1, 3))]
        if recv:
            ops.insert(r.randint(0, len(ops)), "recv")
        if r.random() < 0.12:
            ops.append("grand")
        if r.random() < 0.12:
            ops.append(r.choice(["fail", "raise"]))
        sleep = r.choice(["10ms", "1s", "2h"])
        ops_lua = ", ".join(f'"{o}"' for o in ops)
        return f'{{tag = {tag}, x = {self.x_expr(r)}, ops = {{{ops_lua}}}, sleep = "{sleep}"}}'

    def child_result(self) -> str:
        return "r and r.vals or errinfo(e)"

    def block_child(self, r: random.Random, d: int) -> None:
        tag = self.tag_expr(None)
        c = r.randrange(3)
        if c == 0:
            self.emit(d, f"""
do
  local r, e = workflow.exec("app:child", {self.child_args(r, tag)})
  note("child", {self.child_result()})
  if r then mix(#r.vals) end
end""")
        elif c == 1:
            name = f"named-{self.block}-{self.ops}"
            self.emit(d, f"""
do
  local r, e = process.with_options({{}}):with_name("{name}"):exec("app:child", HOST, {self.child_args(r, tag)})
  note("named-child", {self.child_result()})
end""")
        else:
            how = r.randrange(3)
            args = self.child_args(r, tag, recv=how > 0)
            if how == 1:
                spawn = (f'process.with_options({{}}):with_message("go", st.n % 100)'
                         f':spawn_monitored("app:child", HOST, {args})')
            else:
                spawn = f'process.spawn_monitored("app:child", HOST, {args})'
            send = '\n  process.send(pid, "go", "from parent")' if how == 2 else ""
            between = ""
            if r.random() < 0.5:
                between = f"\n  mix({self.act_call(r)})"
            self.emit(d, f"""
do
  local pid = {spawn}{send}{between}
  local ev = process.events():receive()
  local res = ev.result or {{}}
  note("monitored", {{ev.kind, ev.from == pid, res.value and res.value.vals or errinfo(res.error)}})
end""")

    def block_rand(self, r: random.Random, d: int) -> None:
        self.emit(d, f"""
do
  local u = uuid.v4()
  st.ids[#st.ids + 1] = u
  local x = math.random(1, {r.choice([6, 1000, 1000000])})
  mix(x)
  note("rand", {{x, uuid_ok(u)}})
end""")
        if r.random() < 0.5:  # a random value into an activity's arguments
            self.emit(d, f"""
do
  local v = funcs.call("py:act", {self.tag_expr(2)}, math.random(0, 999))
  note("rand-act", mix(v))
end""")

    def block_mutate(self, r: random.Random, d: int) -> None:
        c = r.randrange(4)
        if c == 0:
            self.emit(d, 'st.log[#st.log + 1] = string.format("%d:%s", st.n % 1000, #obs)')
        elif c == 1:
            self.emit(d, """
do
  local t = {}
  for i, o in ipairs(obs) do t[#t + 1] = o[1] .. i end
  table.sort(t)
  st.log[#st.log + 1] = table.concat(t, ","):sub(1, 40)
end""")
        elif c == 2:
            self.emit(d, """
if #st.log > 2 then table.remove(st.log, 1) end
st.log[#st.log + 1] = tostring(st.n * 3 // 7)""")
        else:
            self.emit(d, "note(\"now\", tick() >= 0)")

    def block_loop(self, r: random.Random, d: int) -> None:
        n = r.randint(1, 3)
        var = "j" if "j" not in self.loopvars else "k"
        self.loopvars.append(var)
        self.emit(d, f"for {var} = 1, {n} do")
        for _ in range(r.randint(1, 2)):
            self.simple(r, d + 1)
        self.emit(d, "end")
        self.loopvars.pop()

    def block_branch(self, r: random.Random, d: int) -> None:
        self.emit(d, f"if st.n % {r.randint(2, 3)} == 0 then")
        self.simple(r, d + 1)
        self.emit(d, "else")
        self.simple(r, d + 1)
        self.emit(d, "end")

    def simple(self, r: random.Random, d: int) -> None:
        """A block that may go inside a loop or a branch (no signals there: a branch
        runs one arm only, and counting messages per iteration is not worth it)."""
        kind = r.choice(["act", "act", "sleep", "fail", "rand", "mutate"])
        getattr(self, f"block_{kind}")(r, d)

    KINDS = [("act", 5), ("sleep", 3), ("fail", 2), ("inbox", 2), ("listen", 2), ("select", 2),
             ("self_send", 1), ("spawn", 3), ("child", 3), ("rand", 2), ("mutate", 2), ("loop", 2),
             ("branch", 1)]

    def program(self) -> None:
        n = self.rng.randint(2, 9)
        self.nblocks = n
        kinds = [k for k, _ in self.KINDS]
        weights = [w for _, w in self.KINDS]
        for b in range(n):
            kind = self.rng.choices(kinds, weights)[0]
            if self.keep is not None and b not in self.keep:
                continue
            self.block = b
            self.ops = 0
            self.kinds.append(kind)
            r = random.Random(sub_seed(self.seed, "block", b))
            getattr(self, f"block_{kind}")(r, 0)


def generate(seed: int, *, keep: set[int] | None = None, crashes: list[tuple[str, int]] | None = None,
             inject: bool | None = None) -> WorkflowCase:
    """The case of `seed`. `keep`: top-level blocks to keep (None: all); `crashes`,
    `inject`: override the plan drawn from the seed (for shrinking)."""
    g = _Gen(seed, keep)
    g.program()
    prng = random.Random(sub_seed(seed, "plan"))
    plan = [(prng.choice(CRASH_POINTS + [ANY_POINT]), prng.randint(1, 3)) for _ in range(prng.randint(1, 4))]
    inj = prng.random() < 0.5
    # listened topics may come in any order (they never pass through the inbox)
    head = g.inbox_signals
    rest = g.listen_signals[:]
    prng.shuffle(rest)
    merged: list[tuple[str, Any]] = []
    for s in head:  # keep the inbox ones in order, the others anywhere before the lazy ones
        while rest and prng.random() < 0.4:
            merged.append(rest.pop())
        merged.append(s)
    signals = merged + rest + g.lazy_signals
    main = PRELUDE + "\n".join(g.listen_prelude) + ("\n" if g.listen_prelude else "") + \
        "\n".join(g.lines) + "\n" + EPILOGUE
    main = main.replace("local function main(input)", f"local function main(input) -- case {seed}", 1)
    return WorkflowCase(
        seed=seed, main=main, child=CHILD, signals=signals,
        crashes=list(crashes) if crashes is not None else plan,
        inject=(sub_seed(seed, "inject") if (inj if inject is None else inject) else None),
        ordered=g.ordered, blocks=g.kinds, nblocks=g.nblocks,
    )


def main_input(case: WorkflowCase) -> dict[str, Any]:
    return {"base": sub_seed(case.seed, "base") % 1000}


__all__ = ["WorkflowCase", "generate", "injected_failures", "act_value", "main_input", "CRASH_POINTS",
           "ANY_POINT", "sub_seed"]
