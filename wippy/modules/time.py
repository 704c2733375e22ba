"""The `time` module: Wippy's Time, Duration and Location values, and waiting.

Values are Lua tables with shared metatables, so they snapshot as plain Lua data:

- Time ``{sec=, nsec=, loc=}``: whole seconds since the Unix epoch, nanoseconds in
  the second (0..999999999) and a Location. Seconds plus nanoseconds rather than one
  nanosecond count, because Go's times reach far beyond int64 nanoseconds (Go's zero
  time, year 1, and the year-0 times `time.parse("15:04:05", ...)` returns).
  Methods as Wippy documents: ``add sub add_date after before equal format
  format_rfc3339 unix unix_nano date clock year month day hour minute second
  nanosecond weekday year_day is_zero in_location location utc in_local round
  truncate``; ``__tostring`` is Go's ``Time.String()``. *Ours*: ``unix_milli``,
  ``unix_micro``, ``yearday`` (= ``year_day``), and ``__eq``/``__lt``/``__le`` comparing
  instants (Wippy's userdata compare by identity).
- Duration ``{ns=}``: ``nanoseconds microseconds milliseconds`` (integers, truncated),
  ``seconds minutes hours`` (floats), ``__tostring`` Go's ``Duration.String()``. *Ours*:
  ``string()``, ``__eq``/``__lt``/``__le``.
- Location ``{name=, offset=?}``: ``offset`` set for fixed zones (``time.utc``,
  ``time.fixed_zone``), absent for ``time.localtz`` ("Local") and IANA zones
  (``time.load_location``); ``:string()``. *Ours*: ``time.UTC``, ``time.LOCAL`` aliases.

A duration argument is a Duration, a number of nanoseconds or a Go string ("1.5s").
Functions: ``now date unix parse parse_duration load_location fixed_zone sleep after
timer ticker`` and the constants (units, layouts, months, weekdays).

Waiting is built on the kernel (wippy/lua/kernel.lua): each arm of a timer takes a
fresh id (``W.new_id``), registers a handler (``W.expect``) and asks the host to fire
it (``start_timer``); the host delivers the fire time in ns, which becomes a Time in
Local. As in Wippy, the channel of ``after``/``timer`` receives the Time and is then
closed; ``timer:stop()`` and ``ticker:stop()`` close the channel too. A ticker's
channel holds one tick (Go's semantics: a slow reader misses ticks; Wippy buffers
16 — *ours*), and ticks keep their phase (the next is due at start + k·d).

Invariants: the only clock is ``current().now_ns()`` (the workflow clock inside a
workflow) and the fire times the host delivers; the OS clock is never read here.
Timer ids come from the state (deterministic); a stopped timer's handler is
forgotten, so a fire already queued is dropped. Costs: calendar methods cross into
Python once (a zone lookup of a few µs); arithmetic and comparisons stay in Lua.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, cast

from ..durations import format_duration as _format_duration
from ..durations import parse_duration as _parse_duration
from . import _timefmt as tf
from ._spec import Module, current


class _TimerHost(Protocol):
    def now_ns(self) -> int: ...
    def start_timer(self, tid: int, delay_ns: int) -> None: ...
    def stop_timer(self, tid: int) -> bool: ...


def _host() -> _TimerHost:
    return cast(_TimerHost, current())


# --- primitives (module-level: snapshots name them) -------------------------------

def now_ns() -> int:
    return _host().now_ns()


def start_timer(tid: int, delay_ns: int) -> None:
    _host().start_timer(tid, max(int(delay_ns), 0))


def stop_timer(tid: int) -> bool:
    return bool(_host().stop_timer(tid))


def parse_duration(v: Any) -> tuple[int | None, str | None]:
    try:
        return _parse_duration(v), None
    except ValueError as e:
        return None, str(e)


def format_duration(ns: int) -> str:
    return _format_duration(ns)


def fields(sec: int, nsec: int, name: str, offset: int | None = None) -> tuple[int, ...]:
    f = tf.fields(sec, tf.zone(name, offset))
    return f.year, f.month, f.day, f.hour, f.minute, f.second, f.weekday, f.yday


def format(sec: int, nsec: int, layout: str, name: str, offset: int | None = None) -> str:
    return tf.format(sec, nsec, layout, tf.zone(name, offset))


def parse(layout: str, value: str, name: str, offset: int | None = None) -> tuple[Any, ...]:
    """(sec, nsec, where, zone_name, zone_offset) or (None, message)."""
    try:
        r = tf.parse(layout, value, tf.zone(name, offset))
    except ValueError as e:
        return None, str(e)
    return r.sec, r.nsec, r.where, r.zone_name, r.zone_offset


def date(year: int, month: int, day: int, hour: int, minute: int, second: int, nsec: int,
         name: str, offset: int | None = None) -> tuple[int, int]:
    return tf.date(year, month, day, hour, minute, second, nsec, tf.zone(name, offset))


def add_date(sec: int, nsec: int, years: int, months: int, days: int, name: str,
             offset: int | None = None) -> tuple[int, int]:
    return tf.add_date(sec, nsec, years, months, days, tf.zone(name, offset))


def round_time(sec: int, nsec: int, d: int, up: bool) -> tuple[int, int]:
    return tf.round_time(sec, nsec, d, up)


_MAX_NS = (1 << 63) - 1


def sub(s1: int, n1: int, s2: int, n2: int) -> int:
    """t1 - t2 in ns, saturating at int64 as Go's Time.Sub does."""
    d = (s1 - s2) * tf.SEC + (n1 - n2)
    return max(-_MAX_NS - 1, min(_MAX_NS, d))


def load_location(name: str) -> tuple[bool | None, str | None]:
    if tf.load_zone(name) is None:
        return None, f"unknown time zone {name}"
    return True, None


PRIMITIVES: dict[str, Callable[..., Any]] = {
    "now_ns": now_ns, "start_timer": start_timer, "stop_timer": stop_timer,
    "parse_duration": parse_duration, "format_duration": format_duration,
    "fields": fields, "format": format, "parse": parse, "date": date,
    "add_date": add_date, "round_time": round_time, "sub": sub,
    "load_location": load_location,
}

LUA = r"""
local P, W = ...
local S = W.state
local p_add_date = P.add_date
local p_date = P.date
local p_fields = P.fields
local p_format = P.format
local p_format_duration = P.format_duration
local p_load_location = P.load_location
local p_now_ns = P.now_ns
local p_parse = P.parse
local p_parse_duration = P.parse_duration
local p_round_time = P.round_time
local p_start_timer = P.start_timer
local p_stop_timer = P.stop_timer
local p_sub = P.sub
local w_channel = W.channel
local w_error = W.error
local w_expect = W.expect
local w_forget = W.forget
local w_new_id = W.new_id
local math_ceil = math.ceil
local math_floor = math.floor
local math_tointeger = math.tointeger
local math_type = math.type
local type, error, setmetatable, getmetatable, select = type, error, setmetatable, getmetatable, select
local SEC = 1000000000
local ZERO_SEC = -62135596800  -- Go's zero time (0001-01-01 UTC) in Unix seconds
local mtype, floor, ceil, tointeger = math_type, math_floor, math_ceil, math_tointeger

local M = {
  NANOSECOND = 1, MICROSECOND = 1000, MILLISECOND = 1000000, SECOND = SEC,
  MINUTE = 60 * SEC, HOUR = 3600 * SEC,
  RFC3339 = "2006-01-02T15:04:05Z07:00",
  RFC3339NANO = "2006-01-02T15:04:05.999999999Z07:00",
  RFC822 = "02 Jan 06 15:04 MST",
  RFC822Z = "02 Jan 06 15:04 -0700",
  RFC850 = "Monday, 02-Jan-06 15:04:05 MST",
  RFC1123 = "Mon, 02 Jan 2006 15:04:05 MST",
  RFC1123Z = "Mon, 02 Jan 2006 15:04:05 -0700",
  KITCHEN = "3:04PM",
  STAMP = "Jan _2 15:04:05",
  STAMP_MILLI = "Jan _2 15:04:05.000",
  STAMP_MICRO = "Jan _2 15:04:05.000000",
  STAMP_NANO = "Jan _2 15:04:05.000000000",
  DATE_TIME = "2006-01-02 15:04:05",
  DATE_ONLY = "2006-01-02",
  TIME_ONLY = "15:04:05",
  JANUARY = 1, FEBRUARY = 2, MARCH = 3, APRIL = 4, MAY = 5, JUNE = 6, JULY = 7,
  AUGUST = 8, SEPTEMBER = 9, OCTOBER = 10, NOVEMBER = 11, DECEMBER = 12,
  SUNDAY = 0, MONDAY = 1, TUESDAY = 2, WEDNESDAY = 3, THURSDAY = 4, FRIDAY = 5,
  SATURDAY = 6,
}

local function tname(v)
  local mt = getmetatable(v)
  if type(mt) == "table" and type(mt.__name) == "string" then return mt.__name end
  return type(v)
end

-- level: 3 when called by the API function itself, 4 from a check helper
local function argerr(i, fname, msg, level)
  error(("bad argument #%d to '%s' (%s)"):format(i, fname, msg), level or 3)
end

local function invalid(msg)
  return w_error({kind = "Invalid", message = msg, retryable = false}, 2)
end

-- an integer argument: integers as they are, floats truncated (Go's int(x))
local function int_arg(v, i, fname)
  if mtype(v) == "integer" then return v end
  if mtype(v) == "float" then
    local n = tointeger(v >= 0 and floor(v) or ceil(v))
    if n then return n end
    argerr(i, fname, "number has no integer representation", 4)
  end
  argerr(i, fname, "number expected, got " .. tname(v), 4)
end

---------------------------------------------------------------------------
-- Location
local Location = {__name = "time.Location"}
Location.__index = Location
function Location:string() return self.name end
Location.__tostring = function(l) return l.name end

local UTC = setmetatable({name = "UTC", offset = 0}, Location)
local LOCAL = setmetatable({name = "Local"}, Location)
M.utc, M.localtz = UTC, LOCAL
M.UTC, M.LOCAL = UTC, LOCAL  -- (ours) upper-case aliases
W.time_Location, W.time_UTC, W.time_LOCAL = Location, UTC, LOCAL  -- (per state: closures read them with S())

local function check_loc(v, i, fname)
  if getmetatable(v) ~= S().time_Location then argerr(i, fname, "location expected, got " .. tname(v), 4) end
  return v
end

function M.fixed_zone(name, offset)
  if type(name) ~= "string" then argerr(1, "fixed_zone", "string expected, got " .. tname(name)) end
  return setmetatable({name = name, offset = int_arg(offset, 2, "fixed_zone")}, S().time_Location)
end

function M.load_location(name)
  if type(name) ~= "string" then argerr(1, "load_location", "string expected, got " .. tname(name)) end
  if name == "" then return nil, invalid("empty location name") end
  if name == "UTC" then return S().time_UTC end
  if name == "Local" then return S().time_LOCAL end
  local ok, e = p_load_location(name)
  if not ok then
    return nil, w_error({kind = "NotFound", message = "time.load_location: " .. e, retryable = false})
  end
  return setmetatable({name = name}, S().time_Location)
end

---------------------------------------------------------------------------
-- Duration
local Duration = {__name = "time.Duration"}
Duration.__index = Duration
W.time_Duration = Duration
local function new_duration(ns) return setmetatable({ns = ns}, S().time_Duration) end

-- Go's integer division (truncates toward zero)
local function quo(a, b)
  local q = a // b
  if q < 0 and q * b ~= a then q = q + 1 end
  return q
end

local function float_of(d, unit)
  local q = quo(d, unit)
  return q + (d - q * unit) / unit
end

function Duration:nanoseconds() return self.ns end
function Duration:microseconds() return quo(self.ns, 1000) end
function Duration:milliseconds() return quo(self.ns, 1000000) end
function Duration:seconds() return float_of(self.ns, SEC) end
function Duration:minutes() return float_of(self.ns, 60 * SEC) end
function Duration:hours() return float_of(self.ns, 3600 * SEC) end
function Duration:string() return p_format_duration(self.ns) end
Duration.__tostring = function(d) return p_format_duration(d.ns) end
Duration.__eq = function(a, b)
  return getmetatable(a) == S().time_Duration and getmetatable(b) == S().time_Duration and a.ns == b.ns
end
local function dur_ns(v)
  if getmetatable(v) ~= S().time_Duration then
    error("attempt to compare time.Duration with " .. tname(v), 3)
  end
  return v.ns
end
Duration.__lt = function(a, b) return dur_ns(a) < dur_ns(b) end
Duration.__le = function(a, b) return dur_ns(a) <= dur_ns(b) end

-- a duration argument as nanoseconds, or nil and a message
local function to_ns(v)
  if getmetatable(v) == S().time_Duration then return v.ns end
  local t = type(v)
  if mtype(v) == "integer" then return v end
  if t == "number" or t == "string" then
    return p_parse_duration(v)
  end
  if t == "table" or t == "userdata" then return nil, "invalid duration type: " .. tname(v) end
  return nil, "duration must be number or string, got " .. t
end

function M.parse_duration(v)
  local ns, e = to_ns(v)
  if ns == nil then return nil, invalid("time.parse_duration: " .. e) end
  return new_duration(ns)
end

---------------------------------------------------------------------------
-- Time
local Time = {__name = "time.Time"}
Time.__index = Time
W.time_Time = Time

local function mk(sec, nsec, loc) return setmetatable({sec = sec, nsec = nsec, loc = loc}, S().time_Time) end
local function from_ns(ns, loc) return mk(ns // SEC, ns % SEC, loc or S().time_LOCAL) end

local function check_time(v, i, fname)
  if getmetatable(v) ~= S().time_Time then argerr(i, fname, "time expected, got " .. tname(v), 4) end
  return v
end

local function fields(t)
  return p_fields(t.sec, t.nsec, t.loc.name, t.loc.offset)
end

function M.now() return from_ns(p_now_ns(), S().time_LOCAL) end

function M.unix(sec, nsec)
  sec = int_arg(sec, 1, "unix")
  nsec = nsec == nil and 0 or int_arg(nsec, 2, "unix")
  return mk(sec + nsec // SEC, nsec % SEC, S().time_LOCAL)
end

function M.date(year, month, day, hour, min, sec, nsec, loc)
  local a = {year, month, day, hour, min, sec, nsec}
  for i = 1, 7 do a[i] = int_arg(a[i], i, "date") end
  if loc == nil then loc = S().time_LOCAL else check_loc(loc, 8, "date") end
  local s, n = p_date(a[1], a[2], a[3], a[4], a[5], a[6], a[7], loc.name, loc.offset)
  return mk(s, n, loc)
end

function M.parse(layout, value, loc)
  if type(layout) ~= "string" then argerr(1, "parse", "string expected, got " .. tname(layout)) end
  if type(value) ~= "string" then argerr(2, "parse", "string expected, got " .. tname(value)) end
  if loc == nil then loc = S().time_LOCAL else check_loc(loc, 3, "parse") end
  local s, n, where, zname, zoff = p_parse(layout, value, loc.name, loc.offset)
  if s == nil then return nil, invalid("time.parse: " .. n) end
  if where == "utc" then
    loc = S().time_UTC
  elseif where == "fixed" then
    loc = setmetatable({name = zname, offset = zoff}, S().time_Location)
  end
  return mk(s, n, loc)
end

function Time:add(d)
  local ns, e = to_ns(d)
  if ns == nil then argerr(1, "add", e) end
  local s, n = self.sec + ns // SEC, self.nsec + ns % SEC
  if n >= SEC then s, n = s + 1, n - SEC end
  return mk(s, n, self.loc)
end

function Time:sub(u)
  check_time(u, 1, "sub")
  return new_duration(p_sub(self.sec, self.nsec, u.sec, u.nsec))
end

function Time:add_date(y, m, d)
  y, m, d = int_arg(y, 1, "add_date"), int_arg(m, 2, "add_date"), int_arg(d, 3, "add_date")
  local s, n = p_add_date(self.sec, self.nsec, y, m, d, self.loc.name, self.loc.offset)
  return mk(s, n, self.loc)
end

local function before(a, b) return a.sec < b.sec or (a.sec == b.sec and a.nsec < b.nsec) end
function Time:before(u) return before(self, check_time(u, 1, "before")) end
function Time:after(u) return before(check_time(u, 1, "after"), self) end
function Time:equal(u)
  check_time(u, 1, "equal")
  return self.sec == u.sec and self.nsec == u.nsec
end
Time.__eq = function(a, b)
  return getmetatable(a) == S().time_Time and getmetatable(b) == S().time_Time and a.sec == b.sec and a.nsec == b.nsec
end
local function cmp_time(v)
  if getmetatable(v) ~= S().time_Time then error("attempt to compare time.Time with " .. tname(v), 3) end
  return v
end
Time.__lt = function(a, b) return before(cmp_time(a), cmp_time(b)) end
Time.__le = function(a, b) return not before(cmp_time(b), cmp_time(a)) end

function Time:format(layout)
  if type(layout) ~= "string" then argerr(1, "format", "string expected, got " .. tname(layout)) end
  return p_format(self.sec, self.nsec, layout, self.loc.name, self.loc.offset)
end
function Time:format_rfc3339() return self:format("2006-01-02T15:04:05Z07:00") end
Time.__tostring = function(t)
  return p_format(t.sec, t.nsec, "2006-01-02 15:04:05.999999999 -0700 MST", t.loc.name, t.loc.offset)
end

function Time:unix() return self.sec end
function Time:unix_nano() return self.sec * SEC + self.nsec end
function Time:unix_milli() return self.sec * 1000 + self.nsec // 1000000 end
function Time:unix_micro() return self.sec * 1000000 + self.nsec // 1000 end

function Time:date()
  local y, mo, d = fields(self)
  return y, mo, d
end
function Time:clock()
  local _, _, _, h, mi, s = fields(self)
  return h, mi, s
end
function Time:year() return (fields(self)) end
function Time:month() return (select(2, fields(self))) end
function Time:day() return (select(3, fields(self))) end
function Time:hour() return (select(4, fields(self))) end
function Time:minute() return (select(5, fields(self))) end
function Time:second() return (select(6, fields(self))) end
function Time:nanosecond() return self.nsec end
function Time:weekday() return (select(7, fields(self))) end
function Time:year_day() return (select(8, fields(self))) end
Time.yearday = Time.year_day
function Time:is_zero() return self.sec == ZERO_SEC and self.nsec == 0 end

function Time:location() return self.loc end
function Time:utc() return mk(self.sec, self.nsec, S().time_UTC) end
function Time:in_local() return mk(self.sec, self.nsec, S().time_LOCAL) end
function Time:in_location(loc) return mk(self.sec, self.nsec, check_loc(loc, 1, "in_location")) end

local function rounder(name, up)
  return function(self, d)
    if getmetatable(d) ~= S().time_Duration then argerr(1, name, "duration expected, got " .. tname(d)) end
    local s, n = p_round_time(self.sec, self.nsec, d.ns, up)
    return mk(s, n, self.loc)
  end
end
Time.round = rounder("round", true)
Time.truncate = rounder("truncate", false)

---------------------------------------------------------------------------
-- waiting: each arm is a fresh external id with a one-shot handler

local function wait_arg(d, fname)
  local ns, e = to_ns(d)
  if ns == nil then return nil, invalid(fname .. ": " .. e) end
  return ns
end

local function close(ch) if not ch:is_closed() then ch:close() end end

-- arm(delay_ns, fn): fn(fire_ns) runs when the host fires; returns the id
local function arm(delay, fn)
  local id = w_new_id()
  w_expect(id, fn)
  p_start_timer(id, delay)
  return id
end

local function disarm(id)
  w_forget(id)
  p_stop_timer(id)
end

function M.sleep(d)
  local ns, e = wait_arg(d, "time.sleep")
  if ns == nil then return nil, e end
  if ns <= 0 then return end
  local ch = w_channel(1)
  arm(ns, function(fire) ch:offer(fire) end)
  ch:receive()
end

local function positive(d, fname)
  local ns, e = wait_arg(d, fname)
  if ns == nil then return nil, e end
  if ns <= 0 then return nil, invalid(fname .. ": duration must be > 0") end
  return ns
end

function M.after(d)
  local ns, e = positive(d, "time.after")
  if ns == nil then return nil, e end
  local ch = w_channel(1)
  arm(ns, function(fire)
    ch:offer(from_ns(fire))
    close(ch)
  end)
  return ch
end

local Timer = {__name = "time.Timer"}
Timer.__index = Timer
W.time_Timer = Timer

local function timer_arm(t, ns)
  local id
  id = arm(ns, function(fire)
    if t.id ~= id then return end
    t.id = nil
    t.ch:offer(from_ns(fire))
    close(t.ch)
  end)
  t.id = id
end

function M.timer(d)
  local ns, e = positive(d, "time.timer")
  if ns == nil then return nil, e end
  local t = setmetatable({ch = w_channel(1)}, S().time_Timer)
  timer_arm(t, ns)
  return t
end

function Timer:response() return self.ch end
Timer.channel = Timer.response

-- true if the timer was pending (it will not fire); its channel is closed
function Timer:stop()
  local id = self.id
  self.id = nil
  close(self.ch)
  if id == nil then return false end
  disarm(id)
  return true
end

-- re-arm a pending timer with a new duration: true; false if it already fired
-- or was stopped (its channel is closed then, as in Wippy)
function Timer:reset(d)
  local ns, e = to_ns(d)
  if ns == nil then error("timer:reset: " .. e, 2) end
  if ns <= 0 then error("timer:reset: duration must be > 0", 2) end
  local id = self.id
  if id == nil then return false end
  disarm(id)
  timer_arm(self, ns)
  return true
end

local Ticker = {__name = "time.Ticker"}
Ticker.__index = Ticker
W.time_Ticker = Ticker

local function ticker_arm(tk, delay)
  local id
  id = arm(delay, function(fire)
    if tk.id ~= id then return end
    tk.ch:offer(from_ns(fire))  -- a full channel drops the tick, as Go does
    local period, due = tk.period, tk.due
    local k = 1
    if fire >= due then k = (fire - due) // period + 1 end  -- skip missed ticks
    tk.due = due + k * period
    local wait = tk.due - fire
    if wait > period then wait = period end
    ticker_arm(tk, wait)
  end)
  tk.id = id
end

function M.ticker(d)
  local ns, e = positive(d, "time.ticker")
  if ns == nil then return nil, e end
  local tk = setmetatable({ch = w_channel(1), period = ns, due = p_now_ns() + ns}, S().time_Ticker)
  ticker_arm(tk, ns)
  return tk
end

function Ticker:response() return self.ch end
Ticker.channel = Ticker.response

function Ticker:stop()
  local id = self.id
  self.id = nil
  if id ~= nil then disarm(id) end
  close(self.ch)
  return true
end

return M
"""

MODULE = Module(name="time", lua=LUA, primitives=PRIMITIVES, workflow_safe=True)

__all__ = ["MODULE"]
