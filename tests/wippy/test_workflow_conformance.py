"""One set of Lua workflows, run on every workflow provider, with one expected
result each: the embedded engine (`workflow.host`, SQLite) and Temporal
(`temporal.worker`, against the dev server test_temporal.py starts; skipped with
a reason without temporalio or the `temporal` binary).

The workflows use only the provider-neutral surface: `funcs` (activities, with
retry policies and timeouts), `time` (durable timers, select with timers),
`process` (signals, children, sends between workflows, cancel, upgrade), `workflow`
(info, version, exec), `coroutine.spawn`, `pcall`, `errors`. A child's host is
`workflow.info().task_queue`, which names the workflow's own host on both. The
tests drive them through the provider-neutral host API (`App.workflow_host(ref)`):
start_workflow, signal, cancel, terminate, result."""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_temporal import Harness, temporal_server, uid  # noqa: F401 - temporal_server is a fixture

import wippy

# ------------------------------------------------------------------------- the workflows

WORKFLOWS = {
    "order": """
        local funcs = require("funcs")
        local time = require("time")
        local function main(order)
          local r, err = funcs.call("app:charge", order)
          if err then return nil, err end
          local t0 = time.now():unix_nano()
          time.sleep("200ms")
          return {charged = r.charged, slept = time.now():unix_nano() - t0 >= 200000000}
        end
        return {main = main}
    """,
    "retry": """
        local funcs = require("funcs")
        local function main(key)
          local ex = funcs.new():with_options({["activity.retry_policy"] = {initial_interval = "100ms",
                                                                           maximum_attempts = 5}})
          return ex:call("py:flaky", key)
        end
        return {main = main}
    """,
    "local": """
        local funcs = require("funcs")
        local function main(x, key)
          local here = funcs.new():with_options({["activity.local"] = true,
            ["activity.retry_policy"] = {initial_interval = "100ms", maximum_attempts = 5}})
          local a = here:call("app:square", x)
          local b = here:call("app:square", a)
          local r, err = here:call("py:flaky", key)
          return {a, b, r or err:message()}
        end
        return {main = main}
    """,
    "errors": """
        local funcs = require("funcs")
        local function main(name)
          local ex = funcs.new():with_options({["activity.retry_policy"] = {initial_interval = 10,
                                                                           maximum_attempts = 2}})
          local v, err = ex:call(name)
          return {kind = err:kind(), msg = err:message(), retryable = err:retryable()}
        end
        return {main = main}
    """,
    "timeout": """
        local funcs = require("funcs")
        local function main()
          local ex = funcs.new():with_options({["activity.start_to_close_timeout"] = "300ms",
                                              ["activity.retry_policy"] = {maximum_attempts = 1}})
          local v, err = ex:call("py:slow")
          return err and err:kind() or v
        end
        return {main = main}
    """,
    "signals": """
        local time = require("time")
        local function main()
          local approvals = process.listen("approve")
          local got = {}
          local r = channel.select{approvals:case_receive(), time.after("1h"):case_receive()}
          got[#got + 1] = r.channel == approvals and ("approved by " .. r.value) or "timeout"
          local msg = process.inbox():receive()
          got[#got + 1] = msg:topic() .. "=" .. tostring(msg:payload():data().n)
          local r2 = channel.select{approvals:case_receive(), time.after("300ms"):case_receive()}
          got[#got + 1] = r2.channel == approvals and "again" or "timeout"
          return got
        end
        return {main = main}
    """,
    "parallel": """
        local funcs = require("funcs")
        local function main(n)
          local results = channel.new(n)
          for i = 1, n do
            coroutine.spawn(function() results:send(funcs.call("app:square", i)) end)
          end
          local sum = 0
          for _ = 1, n do sum = sum + results:receive() end
          return sum
        end
        return {main = main}
    """,
    "guarded": """
        local funcs = require("funcs")
        local function main()
          local ok, e = pcall(function()
            local v, err = funcs.call("app:bad")
            if err then error(err) end
            return v
          end)
          return {ok = ok, internal = errors.is(e, errors.INTERNAL), msg = e:message(),
                  after = funcs.call("app:square", 3)}
        end
        return {main = main}
    """,
    "parent": """
        local workflow = require("workflow")
        local function main()
          local host = workflow.info().task_queue
          local a = workflow.exec("app:child", 2)
          local b, berr = process.exec("app:child", host, -1)
          local pid = process.spawn_monitored("app:child", host, 5)
          local ev = process.events():receive()
          return {a = a, b_err = berr and berr:message(), exit_from = ev.from == pid,
                  exit_value = ev.result.value, kind = ev.kind}
        end
        return {main = main}
    """,
    "child": """
        local time = require("time")
        local function main(n)
          if n < 0 then return nil, errors.new("negative") end
          time.sleep("100ms")
          return n * 10
        end
        return {main = main}
    """,
    "ping": """
        local workflow = require("workflow")
        local function main()
          local pid = process.spawn("app:pong", workflow.info().task_queue)
          process.send(pid, "ping", {from = process.pid()})
          local m = process.inbox():receive()
          return m:topic() .. ":" .. m:payload():data()
        end
        return {main = main}
    """,
    "pong": """
        local function main()
          local m = process.inbox():receive()
          process.send(m:payload():data().from, "pong", "hello")
          return true
        end
        return {main = main}
    """,
    "upgrade": """
        local time = require("time")
        local workflow = require("workflow")
        local function main(i, total)
          time.sleep("50ms")
          if i >= 5 then
            return {i = i, total = total + i, short = workflow.history_length() < 40}
          end
          return process.upgrade(nil, i + 1, total + i)
        end
        return {main = main}
    """,
    "info": """
        local workflow = require("workflow")
        local function main()
          local info = workflow.info()
          local v = workflow.version("new-pricing", 1, 2)
          local _, err = process.monitor("{x|y}")
          local _, err2 = process.link("{x|y}")
          return {id = info.workflow_id, type = info.workflow_type, v = v, again = workflow.version("new-pricing", 1, 2),
                  mon = err:kind(), link = err2:kind(), attempt = info.attempt}
        end
        return {main = main}
    """,
    "cancelable": """
        local time = require("time")
        local function main()
          local r = channel.select{process.events():case_receive(), time.after("1h"):case_receive()}
          if r.value and r.value.kind == process.event.CANCEL then
            return "cleaned up after " .. r.value.reason
          end
          return "slept"
        end
        return {main = main}
    """,
    "mailbox": """
        local function main() return process.inbox():receive():payload():data() end
        return {main = main}
    """,
    "starter": """
        local workflow = require("workflow")
        local function main()
          local info = workflow.info()
          local pid = process.with_options({}):with_name(info.workflow_id .. "-target"):with_message("go", 41)
                       :spawn_monitored("app:target", info.task_queue)
          local ev = process.events():receive()
          return ev.result.value
        end
        return {main = main}
    """,
    "target": """
        local function main() return process.inbox():receive():payload():data() + 1 end
        return {main = main}
    """,
    "refuses": """
        local function main(amount)
          if amount > 100 then return nil, errors.new({kind = errors.INVALID, message = "amount too large"}) end
          return amount
        end
        return {main = main}
    """,
    "context": """
        local funcs = require("funcs")
        local ctx = require("ctx")
        local workflow = require("workflow")
        local function main()
          local seen = funcs.call("app:read_ctx")
          return {workflow = ctx.get("tenant"), activity = seen.tenant, attempt = seen.attempt,
                  key = type(seen.key) == "string" and #seen.key > 0,
                  same_workflow = seen.workflow_id == workflow.info().workflow_id}
        end
        return {main = main}
    """,
    "random": """
        local uuid = require("uuid")
        local time = require("time")
        local function main()
          local a, b = uuid.v4(), uuid.v4()
          local r = math.random(1, 1000)
          time.sleep("10ms")
          return {distinct = a ~= b, version = uuid.version(a), v7 = uuid.version(uuid.v7()), in_range = r >= 1 and r <= 1000}
        end
        return {main = main}
    """,
}

FUNCTIONS = {
    "charge": "return function(order) return {charged = order.amount} end",
    "square": "return function(x) return x * x end",
    "bad": "return function() return nil, errors.new({message = 'no', kind = errors.INTERNAL, retryable = false}) end",
    "declined": "return function() return nil, errors.new({message = 'card declined', kind = errors.INVALID, "
                "retryable = false}) end",
    "always": "return function() error('boom') end",
    "read_ctx": """
        local ctx = require("ctx")
        return function() return {tenant = ctx.get("tenant"), key = ctx.get("idempotency_key"),
                                  attempt = ctx.get("attempt"), workflow_id = ctx.get("workflow_id")} end
    """,
}

FLAKY: dict[str, int] = {}


def flaky(key: str) -> str:
    FLAKY[key] = FLAKY.get(key, 0) + 1
    if FLAKY[key] < 3:
        raise RuntimeError("temporarily down")
    return key + "!"


async def slow() -> str:
    await asyncio.sleep(3)
    return "late"


PY_FUNCTIONS: dict[str, Callable[..., Any]] = {"py:flaky": flaky, "py:slow": slow}


def write_app(root: Path, hosts: list[dict[str, Any]]) -> Path:
    src = root / "src"
    src.mkdir(parents=True, exist_ok=True)
    entries = list(hosts)
    for name, code in WORKFLOWS.items():
        (src / f"{name}.lua").write_text(textwrap.dedent(code))
        entries.append({"name": name, "kind": "workflow.lua", "method": "main", "source": f"file://{name}.lua",
                        "modules": ["funcs", "time", "uuid", "workflow", "json", "ctx"]})
    for name, code in FUNCTIONS.items():
        (src / f"{name}.lua").write_text(textwrap.dedent(code))
        entries.append({"name": name, "kind": "function.lua", "source": f"file://{name}.lua",
                        "modules": ["funcs", "time", "ctx", "json"]})
    (src / "app.yaml").write_text(yaml.safe_dump({"version": "1.0", "namespace": "app", "entries": entries},
                                                 sort_keys=False))
    return root


# ------------------------------------------------------------------------- the providers

Make = Callable[[wippy.App, Any], Awaitable[Any]]


class SqliteRunner:
    """A fresh App per test, its workflow.host on an in-memory store, real clock."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def run(self, make: Make, timeout: float = 60.0) -> Any:
        app = wippy.App(self.root)
        for fid, fn in PY_FUNCTIONS.items():
            app.register_function(fid, fn)

        async def go() -> Any:
            try:
                return await asyncio.wait_for(make(app, app.workflow_host("app:wf_host")), timeout)
            finally:
                app.close()

        return wippy.run_sync(go)


@pytest.fixture(scope="module", params=["sqlite", "temporal"])
def provider(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if request.param == "sqlite":
        root = write_app(tmp_path_factory.mktemp("conf-sqlite"),
                         [{"name": "wf_host", "kind": "workflow.host", "store": ":memory:", "clock": "real"}])
        yield SqliteRunner(root)
        return
    address = request.getfixturevalue("temporal_server")
    root = write_app(tmp_path_factory.mktemp("conf-temporal"), [
        {"name": "tc", "kind": "temporal.client", "address": address},
        {"name": "worker", "kind": "temporal.worker", "client": "app:tc", "task_queue": "wippy-conformance",
         "worker_options": {"sticky_schedule_to_start_timeout": "1s"}}])
    h = Harness(root, functions=PY_FUNCTIONS)
    yield h
    h.close()


async def start_and_wait(host: Any, type_id: str, *args: Any, wid: str | None = None,
                         ctx: dict[str, Any] | None = None) -> Any:
    w, err = host.start_workflow(type_id, list(args), {"workflow.id": wid or uid(type_id.split(":")[1])}, ctx=ctx)
    assert err is None, err
    return await host.result(w)


def value(o: Any) -> Any:
    assert o.error is None, o.error
    return o.value


# ------------------------------------------------------------------------- the suite


def test_activity_then_durable_timer(provider: Any) -> None:
    o = provider.run(lambda app, h: start_and_wait(h, "app:order", {"amount": 42}))
    assert value(o) == {"charged": 42, "slept": True}


def test_activity_retried_by_its_policy_until_it_succeeds(provider: Any) -> None:
    key = uid("flaky")
    o = provider.run(lambda app, h: start_and_wait(h, "app:retry", key))
    assert value(o) == key + "!"
    assert FLAKY[key] == 3


def test_local_activities_run_in_the_workflow_and_retry(provider: Any) -> None:
    key = uid("flaky")
    o = provider.run(lambda app, h: start_and_wait(h, "app:local", 3, key))
    assert value(o) == [9, 81, key + "!"]
    assert FLAKY[key] == 3


def test_activity_errors_non_retryable_exhausted_and_missing(provider: Any) -> None:
    async def go(app: wippy.App, h: Any) -> Any:
        return [value(await start_and_wait(h, "app:errors", name))
                for name in ("app:declined", "app:always", "app:missing")]

    declined, always, missing = provider.run(go)
    assert declined == {"kind": "Invalid", "msg": "card declined", "retryable": False}
    assert always["kind"] == "Internal" and "boom" in always["msg"]
    assert missing["kind"] == "NotFound"


def test_activity_start_to_close_timeout(provider: Any) -> None:
    o = provider.run(lambda app, h: start_and_wait(h, "app:timeout"))
    assert value(o) == "Timeout"


def test_signals_listen_inbox_and_select_with_timers(provider: Any) -> None:
    async def go(app: wippy.App, h: Any) -> Any:
        wid, err = h.start_workflow("app:signals", [], {"workflow.id": uid("signals")})
        assert err is None
        assert h.signal(wid, "approve", "ada") is None
        assert h.signal(wid, "other", {"n": 7}) is None
        return await h.result(wid)

    assert value(provider.run(go)) == ["approved by ada", "other=7", "timeout"]


def test_coroutine_spawn_runs_activities_concurrently(provider: Any) -> None:
    assert value(provider.run(lambda app, h: start_and_wait(h, "app:parallel", 4))) == 1 + 4 + 9 + 16


def test_pcall_around_a_failing_activity(provider: Any) -> None:
    o = provider.run(lambda app, h: start_and_wait(h, "app:guarded"))
    assert value(o) == {"ok": False, "internal": True, "msg": "no", "after": 9}


def test_child_workflows_exec_failure_and_monitored_exit(provider: Any) -> None:
    o = provider.run(lambda app, h: start_and_wait(h, "app:parent"))
    assert value(o) == {"a": 20, "b_err": "negative", "exit_from": True, "exit_value": 50, "kind": "pid.exit"}


def test_workflow_to_workflow_messages(provider: Any) -> None:
    assert value(provider.run(lambda app, h: start_and_wait(h, "app:ping"))) == "pong:hello"


def test_continue_as_new_by_process_upgrade(provider: Any) -> None:
    o = provider.run(lambda app, h: start_and_wait(h, "app:upgrade", 1, 0))
    assert value(o) == {"i": 5, "total": 15, "short": True}


def test_info_version_and_monitor_refused(provider: Any) -> None:
    wid = uid("info")
    o = provider.run(lambda app, h: start_and_wait(h, "app:info", wid=wid))
    assert value(o) == {"id": wid, "type": "app:info", "v": 2, "again": 2, "mon": "Invalid", "link": "Invalid",
                        "attempt": 1}


def test_cancel_is_an_event_the_workflow_handles_and_terminate_stops_it(provider: Any) -> None:
    async def go(app: wippy.App, h: Any) -> Any:
        c1, c2 = uid("cancel"), uid("terminate")
        assert h.start_workflow("app:cancelable", [], {"workflow.id": c1})[1] is None
        assert h.start_workflow("app:cancelable", [], {"workflow.id": c2})[1] is None
        await asyncio.sleep(0.3)
        assert h.cancel(c1, "customer asked") is None
        assert h.terminate(c2, "operator") is None
        return await h.result(c1), await h.result(c2)

    o1, o2 = provider.run(go)
    assert value(o1) == "cleaned up after customer asked"
    assert o2.error is not None and o2.error["kind"] == "Canceled"


def test_id_conflict_policies(provider: Any) -> None:
    async def go(app: wippy.App, h: Any) -> Any:
        k = uid("k")
        w1, e1 = h.start_workflow("app:mailbox", [], {"workflow.id": k})
        w2, e2 = h.start_workflow("app:mailbox", [], {"workflow.id": k})  # use_existing (the default)
        _, e3 = h.start_workflow("app:mailbox", [], {"workflow.id": k, "workflow.id_conflict_policy": "fail"})
        assert h.signal(k, "x", 1) is None
        return (w1 == w2 == k, e1, e2, e3 and e3["kind"]), await h.result(k)

    checks, o = provider.run(go)
    assert checks == (True, None, None, "AlreadyExists")
    assert value(o) == 1


def test_with_message_is_delivered_before_the_first_receive(provider: Any) -> None:
    assert value(provider.run(lambda app, h: start_and_wait(h, "app:starter"))) == 42


def test_a_returned_error_fails_the_workflow_with_its_kind(provider: Any) -> None:
    async def go(app: wippy.App, h: Any) -> Any:
        return await start_and_wait(h, "app:refuses", 500), await start_and_wait(h, "app:refuses", 5)

    bad, good = provider.run(go)
    assert bad.error is not None
    assert (bad.error["kind"], bad.error["message"]) == ("Invalid", "amount too large")
    assert value(good) == 5


def test_context_reaches_the_workflow_and_its_activities(provider: Any) -> None:
    o = provider.run(lambda app, h: start_and_wait(h, "app:context", ctx={"tenant": "acme"}))
    assert value(o) == {"workflow": "acme", "activity": "acme", "attempt": 1, "key": True, "same_workflow": True}


def test_uuid_and_random_inside_workflows(provider: Any) -> None:
    o = provider.run(lambda app, h: start_and_wait(h, "app:random"))
    assert value(o) == {"distinct": True, "version": 4, "v7": 7, "in_range": True}
