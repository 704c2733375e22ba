"""Channels and select as Lua code sees them: unbuffered rendezvous, buffers,
close, select with default and over time.after + inbox + events, and
coroutine.spawn producers/consumers inside a process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from test_processes import ECHO, RETURN, ok, run_proc

from wippy.testing import run_lua


def lua(src: str) -> Any:
    o = run_lua(src, modules=("time",))
    assert o.error is None, (o.error, o.traceback)
    return o.value


def test_unbuffered_send_waits_for_a_receiver() -> None:
    r = lua("""
      local ch = channel.new()
      local log = {}
      coroutine.spawn(function()
        log[#log + 1] = "send start"
        ch:send("v")
        log[#log + 1] = "send done"
      end)
      coroutine.yield()                      -- the sender runs and blocks
      log[#log + 1] = "receiving"
      local v, ok = ch:receive()
      log[#log + 1] = "got " .. v
      coroutine.yield()
      return log
    """)
    assert r == ["send start", "receiving", "got v", "send done"]


def test_buffered_channel_blocks_only_when_full() -> None:
    r = lua("""
      local ch = channel.new(2)
      local sent = 0
      coroutine.spawn(function()
        for i = 1, 3 do ch:send(i) sent = i end
      end)
      coroutine.yield()
      local before = sent                    -- two fit in the buffer, the third waits
      local a, b, c = ch:receive(), ch:receive(), ch:receive()
      return {before = before, len_after = ch:len(), cap = ch:cap(), a = a, b = b, c = c}
    """)
    assert r == {"before": 2, "len_after": 0, "cap": 2, "a": 1, "b": 2, "c": 3}


def test_close_drains_then_reports_closed_and_send_raises() -> None:
    r = lua("""
      local ch = channel.new(3)
      ch:send("a") ch:send("b")
      ch:close()
      local v1, ok1 = ch:receive()
      local v2, ok2 = ch:receive()
      local v3, ok3 = ch:receive()
      local v4, ok4 = ch:receive()
      local sok, serr = pcall(ch.send, ch, "x")
      return {v1, ok1, v2, ok2, v3 == nil, ok3, v4 == nil, ok4, sok, serr}
    """)
    assert r == ["a", True, "b", True, True, False, True, False, False, "send on closed channel"]


def test_close_wakes_blocked_receivers_and_senders() -> None:
    r = lua("""
      local ch = channel.new()
      local out = {}
      coroutine.spawn(function() local v, ok = ch:receive() out.recv = {v == nil, ok} end)
      local ch2 = channel.new()
      coroutine.spawn(function() out.send = {pcall(ch2.send, ch2, 1)} end)
      coroutine.yield()
      ch:close()
      ch2:close()
      coroutine.yield()
      coroutine.yield()
      return {recv = out.recv, send_ok = out.send[1], send_err = out.send[2]}
    """)
    assert r["recv"] == [True, False]
    assert r["send_ok"] is False and "send on closed channel" in r["send_err"]


def test_select_default_ready_order_send_case_and_errors() -> None:
    r = lua("""
      local a, b = channel.new(1), channel.new(1)
      local d = channel.select{a:case_receive(), b:case_receive(), default = true}
      b:send("B")
      a:send("A")
      local first = channel.select{a:case_receive(), b:case_receive()}    -- both ready: in order
      local s = channel.select{a:case_send("x"), default = true}         -- a has room again
      local full = channel.select{a:case_send("y"), default = true}      -- now it is full
      local bad = {pcall(channel.select, {a})}
      local none = {pcall(channel.select, {})}
      return {d = d.default, first = first.value, first_a = first.channel == a, first_ok = first.ok,
              sent = s.channel == a and s.ok, full = full.default, bad = bad[2], none = none[2]}
    """)
    assert r["d"] is True and r["first"] == "A" and r["first_a"] and r["first_ok"] is True
    assert r["sent"] is True and r["full"] is True
    assert "not a channel case" in r["bad"] and "block forever" in r["none"]


def test_select_on_closed_channel_gives_ok_false() -> None:
    r = lua("""
      local ch = channel.new()
      ch:close()
      local s = channel.select{ch:case_receive()}
      return {ok = s.ok, is = s.channel == ch, v = s.value}
    """)
    assert r == {"ok": False, "is": True}


def test_select_waits_for_the_first_of_several() -> None:
    r = lua("""
      local time = require("time")
      local a, b = channel.new(), channel.new()
      coroutine.spawn(function() time.sleep("30ms") b:send("late b") end)
      local s = channel.select{a:case_receive(), b:case_receive()}
      return {v = s.value, b = s.channel == b}
    """)
    assert r == {"v": "late b", "b": True}


def test_deadlock_is_an_error_not_a_hang() -> None:
    o = run_lua("local ch = channel.new() return ch:receive()")
    assert o.error is not None and "deadlock" in o.error["message"]


def test_select_over_timer_inbox_and_events_in_a_process(tmp_path: Path) -> None:
    main = """
    local time = require("time")
    local function wait(inbox, events, d)
      local t = time.after(d)
      local r = channel.select{inbox:case_receive(), events:case_receive(), t:case_receive()}
      if r.channel == t then return "timeout" end
      if r.channel == inbox then return "inbox:" .. r.value:topic() end
      return "event:" .. r.value.kind
    end
    return function()
      local inbox, events = process.inbox(), process.events()
      local out = {}
      out[1] = wait(inbox, events, "50ms")                  -- nothing comes
      local echo = process.spawn("echo", "processes")
      process.send(echo, "ping", 1)
      out[2] = wait(inbox, events, "2s")                    -- the echo's reply
      process.spawn_monitored("ret", "processes", 1)
      out[3] = wait(inbox, events, "2s")                    -- the child's exit
      process.send(echo, "stop")
      return out
    end
    """
    assert ok(run_proc(tmp_path, {"main": main, "echo": ECHO, "ret": RETURN})) == [
        "timeout", "inbox:echo", "event:pid.exit"]


def test_producer_consumer_with_coroutines_select_and_timeout(tmp_path: Path) -> None:
    main = """
    local time = require("time")
    return function(n)
      local jobs, results, done = channel.new(4), channel.new(), channel.new()
      for w = 1, 3 do
        coroutine.spawn(function()
          while true do
            local job, open = jobs:receive()
            if not open then break end
            results:send({w = w, v = job * job})
          end
          done:send(w)
        end)
      end
      coroutine.spawn(function()
        for i = 1, n do jobs:send(i) end
        jobs:close()
      end)
      local sum, finished, timeouts = 0, 0, 0
      while finished < 3 do
        local t = time.after("1s")
        local r = channel.select{results:case_receive(), done:case_receive(), t:case_receive()}
        if r.channel == results then sum = sum + r.value.v
        elseif r.channel == done then finished = finished + 1
        else timeouts = timeouts + 1 end
      end
      local idle = channel.select{results:case_receive(), time.after("20ms"):case_receive()}
      return {sum = sum, timeouts = timeouts, idle_timed_out = idle.channel ~= results}
    end
    """
    r = ok(run_proc(tmp_path, {"main": main}, "main", 20))
    assert r == {"sum": sum(i * i for i in range(1, 21)), "timeouts": 0, "idle_timed_out": True}
