"""process.service supervision: start order (requires), restarts with backoff,
max_attempts, stable_threshold, exits, start and stop timeouts, App.serve."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest
from test_processes import run_in_app, write_app

import wippy

CRASH = 'return function() error("crash") end'
STEADY = "return function() while true do process.inbox():receive() end end"
GRACEFUL = """
return function()
  local events = process.events()
  while true do
    local ev = events:receive()
    if ev.kind == process.event.CANCEL then return "stopped: " .. ev.reason end
  end
end
"""
STUBBORN = "return function() while true do process.inbox():receive() end end"
RUN_THEN_CRASH = """
local time = require("time")
return function(ms) time.sleep(ms .. "ms") error("crash after " .. ms .. "ms") end
"""


def service(name: str, process: str, *, auto: bool = True, requires: list[str] | None = None,
            restart: dict[str, Any] | None = None, input: list[Any] | None = None, **lifecycle: Any) -> dict[str, Any]:
    lc: dict[str, Any] = {"auto_start": auto, **lifecycle}
    if requires:
        lc["requires"] = requires
    if restart:
        lc["restart"] = {"jitter": 0, **restart}
    e: dict[str, Any] = {"name": name, "kind": "process.service", "process": f"app:{process}",
                         "host": "app:processes", "lifecycle": lc}
    if input:
        e["input"] = input
    return e


def make_app(tmp_path: Path, processes: dict[str, str], services: list[dict[str, Any]]) -> wippy.App:
    return wippy.App(write_app(tmp_path, processes, extra=services))


async def until(cond: Any, timeout: float = 5.0) -> None:
    end = asyncio.get_running_loop().time() + timeout
    while not cond():
        if asyncio.get_running_loop().time() > end:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


def test_restart_backoff_sequence_and_max_attempts(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    app = make_app(tmp_path, {"crashy": CRASH, "steady": STEADY}, [
        service("crashy_svc", "crashy", restart={"initial_delay": "20ms", "backoff_factor": 2.0,
                                                 "max_delay": "100ms", "max_attempts": 5}),
        service("steady_svc", "steady"),
    ])

    async def go(a: wippy.App) -> Any:
        sup = a.processes.supervisor
        await sup.start()
        crashy, steady = sup.services["app:crashy_svc"], sup.services["app:steady_svc"]
        await until(lambda: crashy.gave_up)
        await asyncio.sleep(0.05)
        return crashy.delays, crashy.starts, crashy.status, steady.status, steady.proc is not None

    with caplog.at_level(logging.INFO, logger="wippy.services"):
        delays, starts, status, steady_status, steady_alive = run_in_app(app, go)
    assert delays == pytest.approx([0.02, 0.04, 0.08, 0.1])
    assert starts == 5 and status == "failed"
    assert steady_status == "running" and steady_alive
    text = caplog.text
    assert text.count("app:crashy_svc: starting") == 5
    assert "restarting in 0.02s" in text and "restarting in 0.1s" in text
    assert "giving up" in text and "max_attempts 5" in text
    assert any(r.levelno == logging.ERROR and "giving up" in r.getMessage() for r in caplog.records)


def test_jitter_stays_within_its_fraction(tmp_path: Path) -> None:
    app = make_app(tmp_path, {"crashy": CRASH}, [service("j", "crashy")])

    async def go(a: wippy.App) -> list[float]:
        svc = a.processes.supervisor.services["app:j"]  # defaults: 1s, x2, max 90s, ±10%
        return [svc.delay(n) for n in (1, 2, 3, 10) for _ in range(20)]

    d = run_in_app(app, go)
    for i, base in enumerate((1.0, 2.0, 4.0, 90.0)):
        chunk = d[i * 20:(i + 1) * 20]
        assert all(base * 0.9 <= x <= base * 1.1 for x in chunk) and len(set(chunk)) > 1


def test_stable_threshold_resets_the_counter(tmp_path: Path) -> None:
    app = make_app(tmp_path, {"runner": RUN_THEN_CRASH}, [
        service("stable", "runner", input=[60], stable_threshold="40ms",
                restart={"initial_delay": "10ms", "backoff_factor": 2.0}),
        service("unstable", "runner", input=[5], stable_threshold="1s",
                restart={"initial_delay": "10ms", "backoff_factor": 2.0}),
    ])

    async def go(a: wippy.App) -> Any:
        sup = a.processes.supervisor
        await sup.start()
        s, u = sup.services["app:stable"], sup.services["app:unstable"]
        await until(lambda: len(s.delays) >= 3 and len(u.delays) >= 3)
        await sup.stop()
        return s.delays[:3], u.delays[:3], s.status

    stable, unstable, status = run_in_app(app, go)
    assert stable == pytest.approx([0.01, 0.01, 0.01])
    assert unstable == pytest.approx([0.01, 0.02, 0.04])
    assert status == "stopped"


def test_requires_order_start_and_reverse_stop(tmp_path: Path) -> None:
    # each service's process registers a name; a dependent looks its dependency up at start
    named = """
    return function(name, needs)
      if needs then
        local pid, err = process.registry.lookup(needs)
        if not pid then error(name .. " started before " .. needs .. ": " .. tostring(err)) end
      end
      assert(process.registry.register(name))
      while true do
        local ev = process.events():receive()
        if ev.kind == process.event.CANCEL then return name end
      end
    end
    """
    app = make_app(tmp_path, {"named": named}, [
        service("a", "named", input=["a", "b"], requires=["b"]),
        service("b", "named", input=["b", "c"], requires=["app:c"], auto=False),  # started: a needs it
        service("c", "named", input=["c"]),
        service("lonely", "named", input=["lonely"], auto=False),
    ])

    async def go(a: wippy.App) -> Any:
        sup = a.processes.supervisor
        await sup.start()
        await sup.wait_started(5)
        statuses = sup.status()
        starts = {sid: next(h["at"] for h in s.history if h["event"] == "start")
                  for sid, s in sup.services.items() if s.history}
        await sup.stop()
        stops = {sid: next(h["at"] for h in s.history if h["event"] == "stop") for sid, s in sup.services.items()
                 if any(h["event"] == "stop" for h in s.history)}
        exits = {sid: [h["reason"] for h in s.history if h["event"] == "exit"] for sid, s in sup.services.items()}
        return statuses, starts, stops, exits, sup.status()

    statuses, starts, stops, exits, after = run_in_app(app, go)
    assert statuses == {"app:a": "running", "app:b": "running", "app:c": "running", "app:lonely": "unknown"}
    assert starts["app:c"] < starts["app:b"] < starts["app:a"]
    assert stops["app:a"] < stops["app:b"] < stops["app:c"]
    assert exits["app:a"] == ["returned"] and exits["app:lonely"] == []
    assert after["app:a"] == after["app:b"] == after["app:c"] == "stopped"


def test_requires_cycle_is_refused(tmp_path: Path) -> None:
    with pytest.raises(wippy.RegistryError, match="dependency cycle"):
        make_app(tmp_path, {"steady": STEADY}, [
            service("x", "steady", requires=["y"]), service("y", "steady", requires=["x"])])


def test_normal_and_non_retryable_exits_are_not_restarted(tmp_path: Path) -> None:
    done = 'return function() return "finished" end'
    fatal = 'return function() return nil, errors.new({message = "config missing", retryable = false}) end'
    app = make_app(tmp_path, {"done": done, "fatal": fatal}, [
        service("d", "done", restart={"initial_delay": "10ms"}),
        service("f", "fatal", restart={"initial_delay": "10ms"}),
    ])

    async def go(a: wippy.App) -> Any:
        sup = a.processes.supervisor
        await sup.start()
        await sup.wait_started(5)
        await asyncio.sleep(0.1)
        d, f = sup.services["app:d"], sup.services["app:f"]
        return d.status, d.starts, f.status, f.starts, [h["reason"] for h in f.history if h["event"] == "exit"]

    d_status, d_starts, f_status, f_starts, f_reasons = run_in_app(app, go)
    assert (d_status, d_starts) == ("exited", 1)
    assert (f_status, f_starts) == ("exited", 1) and "config missing" in f_reasons[0]


def test_start_timeout_counts_as_a_failure(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    busy = """
    local function work(x) return math.abs(x) + 1 end
    return function() local x = 0 while true do x = work(x) end end   -- never waits
    """
    app = make_app(tmp_path, {"busy": busy}, [
        service("slow", "busy", start_timeout="100ms", restart={"initial_delay": "10ms", "max_attempts": 1})])

    async def go(a: wippy.App) -> Any:
        sup = a.processes.supervisor
        await sup.start()
        svc = sup.services["app:slow"]
        await until(lambda: svc.gave_up)
        return svc.starts, a.processes.live

    with caplog.at_level(logging.INFO, logger="wippy.services"):
        starts, live = run_in_app(app, go)
    assert starts == 1 and live == {}
    assert "start timeout" in caplog.text and "not started within start_timeout" in caplog.text


def test_serve_starts_services_and_stops_them_within_stop_timeout(tmp_path: Path,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    app = make_app(tmp_path, {"graceful": GRACEFUL, "stubborn": STUBBORN}, [
        service("g", "graceful"),
        service("s", "stubborn", stop_timeout="200ms"),
        service("manual", "graceful", auto=False),
    ])

    async def go(a: wippy.App) -> Any:
        stop = asyncio.Event()
        serving = asyncio.ensure_future(a.serve(stop))
        sup = a.processes.supervisor
        await until(lambda: sup.status()["app:g"] == "running" and sup.status()["app:s"] == "running")
        running = sup.status()
        t0 = asyncio.get_running_loop().time()
        stop.set()
        await serving
        took = asyncio.get_running_loop().time() - t0
        reasons = {sid: [h["reason"] for h in s.history if h["event"] == "exit"] for sid, s in sup.services.items()}
        return running, sup.status(), reasons, took

    with caplog.at_level(logging.INFO, logger="wippy.services"):
        running, after, reasons, took = run_in_app(app, go)
    assert running["app:manual"] == "unknown"
    assert after["app:g"] == "stopped" and after["app:s"] == "stopped"
    assert reasons["app:g"] == ["returned"]
    assert "did not exit within 0.2s" in reasons["app:s"][0]
    assert 0.15 < took < 3
    assert "app:g: running as" in caplog.text and "app:s: stopping" in caplog.text
