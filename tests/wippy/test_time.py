"""The `time` module as user Lua sees it: values, Go layouts, durations, zones, waiting.

Every check runs Lua through the real runtime (wippy.testing.run_lua); expected
calendar results are computed here with Python's datetime/zoneinfo."""

from __future__ import annotations

import time as pytime
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from wippy import scheduler
from wippy.testing import run_lua

NY = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
IST = timezone(timedelta(hours=5, minutes=30), "IST")
PST = timezone(timedelta(hours=-8), "PST")

# Lua helper: a Location from a spec "UTC" | "Local" | "NAME:offset" | IANA name
PRELUDE = """
local time = require("time")
local function loc(spec)
  if spec == "UTC" then return time.utc end
  if spec == "Local" then return time.localtz end
  local name, off = spec:match("^(%w+):(-?%d+)$")
  if name then return time.fixed_zone(name, math.tointeger(tonumber(off))) end
  return assert(time.load_location(spec))
end
"""


def lua(src: str, *args: Any) -> Any:
    out = run_lua(PRELUDE + src, *args, modules=["time"])
    assert out.error is None, (out.error, out.traceback)
    return out.value


def lua_error(src: str, *args: Any) -> dict[str, Any]:
    out = run_lua(PRELUDE + src, *args, modules=["time"])
    assert out.error is not None, out.value
    return out.error


def _tz(spec: str) -> Any:
    return {"UTC": UTC, "IST:19800": IST, "PST:-28800": PST}.get(spec) or ZoneInfo(spec)


def _zone(dt: datetime, colon: bool, z: bool) -> str:
    off = dt.utcoffset()
    assert off is not None
    secs = int(off.total_seconds())
    if z and secs == 0:
        return "Z"
    sign = "-" if secs < 0 else "+"
    h, m = divmod(abs(secs) // 60, 60)
    return f"{sign}{h:02d}:{m:02d}" if colon else f"{sign}{h:02d}{m:02d}"


def _frac9(ns: int) -> str:
    digits = f"{ns:09d}".rstrip("0")
    return "." + digits if digits else ""


# Go layout -> the same text computed with datetime (dt aware, ns the nanoseconds)
LAYOUTS = {
    "2006-01-02T15:04:05Z07:00": lambda dt, ns: f"{dt:%Y-%m-%dT%H:%M:%S}" + _zone(dt, True, True),
    "2006-01-02T15:04:05.999999999Z07:00":
        lambda dt, ns: f"{dt:%Y-%m-%dT%H:%M:%S}{_frac9(ns)}" + _zone(dt, True, True),
    "Mon, 02 Jan 2006 15:04:05 MST": lambda dt, ns: f"{dt:%a, %d %b %Y %H:%M:%S} {dt.tzname()}",
    "Mon Jan _2 15:04:05 2006": lambda dt, ns: f"{dt:%a %b} {dt.day:>2} {dt:%H:%M:%S %Y}",
    "Monday, 02-Jan-06 3:04:05.000PM -0700":
        lambda dt, ns: f"{dt:%A, %d-%b-%y} {dt.hour % 12 or 12}:{dt:%M:%S}.{ns // 1000000:03d}"
                       f"{dt:%p} " + _zone(dt, False, False),
    "January 2, 2006 __2 002 15h04 pm -07:00":
        lambda dt, ns: f"{dt:%B} {dt.day}, {dt.year} {dt.timetuple().tm_yday:>3} "
                       f"{dt.timetuple().tm_yday:03d} {dt:%Hh%M} {dt.strftime('%p').lower()} "
                       + _zone(dt, True, False),
    "06/1/2 3:4:5 .000000 ,999": lambda dt, ns: f"{dt:%y}/{dt.month}/{dt.day} {dt.hour % 12 or 12}:"
                                               f"{dt.minute}:{dt.second} .{ns // 1000:06d} "
                                               + _frac9(ns).replace(".", ",")[:4].rstrip("0").rstrip(","),
}

INSTANTS = [
    (0, 0),
    (1136239445, 123456789),  # Go's reference time
    (1703862245, 500000000),
    (1720000000, 7000),  # summer: New York on EDT
    (951782400, 999999999),  # 2000-02-29 (leap day)
    (-86400 * 365 * 30 + 12345, 1),  # 1940
]
ZONES = ["UTC", "IST:19800", "PST:-28800", "America/New_York", "Asia/Tokyo"]


def test_format_matches_datetime_for_layouts_and_zones() -> None:
    cases = [[s, n, z, lay] for s, n in INSTANTS for z in ZONES for lay in LAYOUTS]
    got = lua("""
local cases, out = ..., {}
for i, c in ipairs(cases) do
  out[i] = time.unix(c[1], c[2]):in_location(loc(c[3])):format(c[4])
end
return out
""", cases)
    for (s, n, z, lay), text in zip(cases, got, strict=True):
        dt = datetime.fromtimestamp(s, _tz(z))
        assert text == LAYOUTS[lay](dt, n), (s, n, z, lay)


def test_parse_round_trips_and_matches_datetime() -> None:
    layouts = ["2006-01-02T15:04:05.999999999Z07:00", "Monday, 02-Jan-06 3:04:05.000PM -0700",
               "January 2, 2006 __2 002 15h04 pm -07:00", "2006-01-02T15:04:05Z07:00"]
    precision = [1, 1000000, 60 * 10**9, 10**9]
    cases = [[s, n, z, lay] for s, n in INSTANTS for z in ZONES for lay in layouts]
    got = lua("""
local cases, out = ..., {}
for i, c in ipairs(cases) do
  local t = time.unix(c[1], c[2]):in_location(loc(c[3]))
  local text = t:format(c[4])
  local back, err = time.parse(c[4], text, time.utc)
  assert(back, err)
  out[i] = {back:unix(), back:nanosecond(), back:format(c[4]) == text}
end
return out
""", cases)
    for (s, n, _z, lay), (bs, bn, same) in zip(cases, got, strict=True):
        if s < 0 and "-06 " in lay:
            continue  # a two-digit year reads 40 as 2040, as Go does
        p = precision[layouts.index(lay)]
        want = (s * 10**9 + n) // p * p
        assert bs * 10**9 + bn == want, (s, n, lay)
        assert same


@pytest.mark.parametrize("layout, value, pyfmt", [
    ("02 Jan 06 15:04 -0700", "29 Dec 24 14:30 +0530", "%d %b %y %H:%M %z"),
    ("2006-01-02 15:04:05", "2024-02-29 23:59:58", "%Y-%m-%d %H:%M:%S"),
    ("Jan _2 2006 3:04PM", "Mar  1 2021 12:05AM", "%b %d %Y %I:%M%p"),
    ("Monday 2006-01-02T15:04:05Z07:00", "tuesday 2024-12-31T01:02:03-03:00", "%A %Y-%m-%dT%H:%M:%S%z"),
])
def test_parse_matches_strptime(layout: str, value: str, pyfmt: str) -> None:
    got = lua("local l, v = ... local t = assert(time.parse(l, v, time.utc)) return t:unix()", layout, value)
    dt = datetime.strptime(value, pyfmt)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    assert got == int(dt.timestamp())


def test_parse_zones_and_lenient_forms() -> None:
    got = lua("""
local ny = loc("America/New_York")
local out = {}
local t = assert(time.parse(time.RFC3339, "2024-12-29T15:04:05Z"))
out.z = {t:location():string(), tostring(t)}
t = assert(time.parse("2006-01-02 15:04:05 MST", "2024-12-29 14:30:00 EST", ny))
out.est = {t:unix(), t:location():string(), t:format("MST -0700")}
t = assert(time.parse("2006-01-02 15:04", "2024-07-04 09:15", ny))
out.inloc = {t:unix(), t:format("-07:00 MST")}
t = assert(time.parse(time.RFC3339, "2024-12-29T15:04:05+05:30"))
out.fixed = {t:format(time.RFC3339), t:location():string(), t:utc():hour()}
t = assert(time.parse("15:04:05", "14:30:00", time.utc))
out.clock = {t:year(), t:month(), t:day(), t:hour(), t:is_zero()}
-- a fraction after the seconds is accepted even when the layout has none
t = assert(time.parse("2006 Jan 02 15:04:05", "2012 Dec 07 12:15:30.918273645", time.utc))
out.frac = t:nanosecond()
-- runs of spaces match runs of spaces; month names ignore case
t = assert(time.parse("Jan 2 2006", "fEB   3   2020", time.utc))
out.spaces = {t:month(), t:day()}
t = assert(time.parse("2006 002", "2024 060", time.utc))
out.yday = {t:month(), t:day()}
return out
""")
    assert got["z"] == ["UTC", "2024-12-29 15:04:05 +0000 UTC"]
    est = datetime(2024, 12, 29, 14, 30, tzinfo=NY)
    assert got["est"] == [int(est.timestamp()), "America/New_York", "EST -0500"]
    assert got["inloc"] == [int(datetime(2024, 7, 4, 9, 15, tzinfo=NY).timestamp()), "-04:00 EDT"]
    assert got["fixed"] == ["2024-12-29T15:04:05+05:30", "", 9]
    assert got["clock"] == [0, 1, 1, 14, False]
    assert got["frac"] == 918273645
    assert got["spaces"] == [2, 3]
    assert got["yday"] == [2, 29]


def test_parse_errors_are_invalid() -> None:
    got = lua("""
local out = {}
for i, c in ipairs({
  {time.RFC3339, "invalid"}, {"2006-01-02", "2024-02-30"}, {"2006-01-02", "2024-13-01"},
  {"15:04", "25:00"}, {"2006-01-02", "2024-01-02 extra"},
}) do
  local t, err = time.parse(c[1], c[2])
  out[i] = {t == nil, err:kind(), err:message(), errors.is(err, errors.INVALID)}
end
return out
""")
    assert all(r[0] and r[1] == "Invalid" and r[3] for r in got)
    assert got[0][2] == ('time.parse: parsing time "invalid" as "2006-01-02T15:04:05Z07:00": '
                         'cannot parse "invalid" as "2006"')
    assert got[1][2] == 'time.parse: parsing time "2024-02-30": day out of range'
    assert got[2][2] == 'time.parse: parsing time "2024-13-01": month out of range'
    assert got[3][2].endswith(": hour out of range")
    assert got[4][2] == 'time.parse: parsing time "2024-01-02 extra": extra text: " extra"'


def test_constants() -> None:
    got = lua("""
local names = {"NANOSECOND", "MICROSECOND", "MILLISECOND", "SECOND", "MINUTE", "HOUR",
  "RFC3339", "RFC3339NANO", "RFC822", "RFC822Z", "RFC850", "RFC1123", "RFC1123Z", "KITCHEN",
  "STAMP", "STAMP_MILLI", "STAMP_MICRO", "STAMP_NANO", "DATE_TIME", "DATE_ONLY", "TIME_ONLY",
  "JANUARY", "DECEMBER", "SUNDAY", "SATURDAY", "WEDNESDAY", "JULY"}
local out = {}
for _, n in ipairs(names) do out[n] = time[n] end
out.utc = tostring(time.utc)
out.localtz = time.localtz:string()
out.aliases = time.UTC == time.utc and time.LOCAL == time.localtz
return out
""")
    assert got["NANOSECOND"] == 1 and got["MICROSECOND"] == 1000 and got["MILLISECOND"] == 10**6
    assert got["SECOND"] == 10**9 and got["MINUTE"] == 60 * 10**9 and got["HOUR"] == 3600 * 10**9
    assert got["RFC3339"] == "2006-01-02T15:04:05Z07:00"
    assert got["RFC3339NANO"] == "2006-01-02T15:04:05.999999999Z07:00"
    assert got["RFC822"] == "02 Jan 06 15:04 MST" and got["RFC822Z"] == "02 Jan 06 15:04 -0700"
    assert got["RFC850"] == "Monday, 02-Jan-06 15:04:05 MST"
    assert got["RFC1123"] == "Mon, 02 Jan 2006 15:04:05 MST"
    assert got["RFC1123Z"] == "Mon, 02 Jan 2006 15:04:05 -0700"
    assert got["KITCHEN"] == "3:04PM" and got["STAMP"] == "Jan _2 15:04:05"
    assert got["STAMP_MILLI"] == "Jan _2 15:04:05.000"
    assert got["STAMP_MICRO"] == "Jan _2 15:04:05.000000"
    assert got["STAMP_NANO"] == "Jan _2 15:04:05.000000000"
    assert got["DATE_TIME"] == "2006-01-02 15:04:05"
    assert got["DATE_ONLY"] == "2006-01-02" and got["TIME_ONLY"] == "15:04:05"
    assert (got["JANUARY"], got["DECEMBER"], got["JULY"]) == (1, 12, 7)
    assert (got["SUNDAY"], got["WEDNESDAY"], got["SATURDAY"]) == (0, 3, 6)
    assert got["utc"] == "UTC" and got["localtz"] == "Local" and got["aliases"] is True


def test_the_reference_time_in_every_layout_constant() -> None:
    # Go's reference time, printed by a layout constant, is the layout itself (but for
    # the Z in RFC3339 and the _ of STAMP)
    got = lua("""
local mst = time.fixed_zone("MST", -7 * 3600)
local ref = time.date(2006, time.JANUARY, 2, 15, 4, 5, 0, mst)
local out = {}
for _, n in ipairs({"RFC822", "RFC822Z", "RFC850", "RFC1123", "RFC1123Z",
                    "DATE_TIME", "DATE_ONLY", "TIME_ONLY", "KITCHEN"}) do
  out[#out + 1] = ref:format(time[n]) == time[n] or (n .. ": " .. ref:format(time[n]))
end
out[#out + 1] = ref:format(time.STAMP)
out[#out + 1] = ref:format(time.RFC3339)
out[#out + 1] = ref:add(123456789):format(time.STAMP_MICRO)
out[#out + 1] = ref:add(123456789):format(time.RFC3339NANO)
return out
""")
    assert got[:9] == [True] * 9
    assert got[9:] == ["Jan  2 15:04:05", "2006-01-02T15:04:05-07:00", "Jan  2 15:04:05.123456",
                       "2006-01-02T15:04:05.123456789-07:00"]


def test_time_components_and_methods() -> None:
    got = lua("""
local t = time.date(2024, time.FEBRUARY, 29, 13, 45, 30, 123456789, time.utc)
local y, m, d = t:date()
local h, mi, s = t:clock()
return {
  date = {y, m, d}, clock = {h, mi, s},
  each = {t:year(), t:month(), t:day(), t:hour(), t:minute(), t:second(), t:nanosecond(),
          t:weekday(), t:year_day(), t:yearday()},
  unix = {t:unix(), t:unix_nano(), t:unix_milli(), t:unix_micro()},
  rfc = t:format_rfc3339(),
  str = tostring(t),
  type = {type(t), getmetatable(t).__name, math.type(t.sec), math.type(t.nsec)},
}
""")
    dt = datetime(2024, 2, 29, 13, 45, 30, 123456, tzinfo=UTC)
    assert got["date"] == [2024, 2, 29] and got["clock"] == [13, 45, 30]
    assert got["each"] == [2024, 2, 29, 13, 45, 30, 123456789, (dt.weekday() + 1) % 7, 60, 60]
    sec = int(dt.timestamp())
    assert got["unix"] == [sec, sec * 10**9 + 123456789, sec * 1000 + 123, sec * 10**6 + 123456]
    assert got["rfc"] == "2024-02-29T13:45:30Z"
    assert got["str"] == "2024-02-29 13:45:30.123456789 +0000 UTC"
    assert got["type"] == ["table", "time.Time", "integer", "integer"]


def test_arithmetic_comparison_and_calendar() -> None:
    got = lua("""
local t = time.date(2024, 1, 31, 10, 0, 0, 0, time.utc)
local d = assert(time.parse_duration("1h30m"))
local out = {}
out.add = {t:add("24h"):day(), t:add(5 * time.MINUTE):minute(), t:add(d):format("15:04"),
           t:add(-1):format(time.RFC3339NANO), t:add(1.5e9):second()}
out.sub = {tostring(t:add("24h"):sub(t)), t:add("24h"):sub(t):hours(), t:sub(t:add("1s")):seconds()}
out.add_date = {t:add_date(0, 1, 0):format(time.DATE_ONLY), t:add_date(1, 0, 0):format(time.DATE_ONLY),
                t:add_date(0, 0, -31):format(time.DATE_ONLY)}
out.norm = time.date(2023, 14, 0, 25, 61, -1, 0, time.utc):format(time.DATE_TIME)
local t2 = t:add("1ns")
out.cmp = {t:before(t2), t2:after(t), t:equal(t2), t:equal(t:utc()), t < t2, t <= t, t2 > t,
           t == time.unix(t:unix(), 0), t == t2}
local ist = time.fixed_zone("IST", 5 * 3600 + 1800)
out.eq_zone = {t:in_location(ist):equal(t), t:in_location(ist) == t, t:in_location(ist):hour()}
out.zero = {time.date(1, 1, 1, 0, 0, 0, 0, time.utc):is_zero(), t:is_zero()}
return out
""")
    assert got["add"] == [1, 5, "11:30", "2024-01-31T09:59:59.999999999Z", 1]
    assert got["sub"] == ["24h0m0s", 24.0, -1.0]
    assert got["add_date"] == ["2024-03-02", "2025-01-31", "2023-12-31"]
    # month 14 of 2023 = Feb 2024; day 0 = Jan 31; 25:61:-1 = next day 02:00:59
    assert got["norm"] == "2024-02-01 02:00:59"
    assert got["cmp"] == [True, True, False, True, True, True, True, True, False]
    assert got["eq_zone"] == [True, True, 15]
    assert got["zero"] == [True, False]


def test_round_and_truncate_like_go() -> None:
    # the examples of Go's Time.Round and Time.Truncate documentation
    got = lua("""
local t = time.date(0, 0, 0, 12, 15, 30, 918273645, time.utc)
local u = assert(time.parse("2006 Jan 02 15:04:05", "2012 Dec 07 12:15:30.918273645", time.utc))
local r, tr = {}, {}
for _, s in ipairs({"1ns", "1us", "1ms", "1s", "2s", "1m", "10m", "1h"}) do
  local d = assert(time.parse_duration(s))
  r[#r + 1] = t:round(d):format("15:04:05.999999999")
  tr[#tr + 1] = u:truncate(d):format("15:04:05.999999999")
end
local ok1 = pcall(function() return t:round(123) end)
local ok2 = pcall(function() return t:truncate("1h") end)
return {r, tr, ok1, ok2}
""")
    assert got[0] == ["12:15:30.918273645", "12:15:30.918274", "12:15:30.918", "12:15:31", "12:15:30",
                      "12:16:00", "12:20:00", "12:00:00"]
    assert got[1] == ["12:15:30.918273645", "12:15:30.918273", "12:15:30.918", "12:15:30", "12:15:30",
                      "12:15:00", "12:10:00", "12:00:00"]
    assert got[2:] == [False, False]


def test_durations() -> None:
    got = lua("""
local d = assert(time.parse_duration("1h30m45s500ms"))
local out = {}
out.m = {d:hours(), d:minutes(), d:seconds(), d:milliseconds(), d:microseconds(), d:nanoseconds()}
out.s = {tostring(d), d:string(), tostring(assert(time.parse_duration(1500))),
         tostring(assert(time.parse_duration(time.SECOND))), tostring(assert(time.parse_duration(d)))}
local neg = assert(time.parse_duration("-1.5ms"))
out.neg = {neg:microseconds(), neg:milliseconds(), neg:seconds()}
out.cmp = {neg < d, d == assert(time.parse_duration(5445500000000)), d <= neg}
local bad = {}
for i, v in ipairs({"abc", "1d", "", {}, true}) do
  local x, err = time.parse_duration(v)
  bad[i] = {x == nil, err:kind(), err:message()}
end
out.bad = bad
return out
""")
    assert got["m"] == [1.5126388888888888, 90.75833333333334, 5445.5, 5445500, 5445500000, 5445500000000]
    assert got["s"] == ["1h30m45.5s", "1h30m45.5s", "1.5µs", "1s", "1h30m45.5s"]
    assert got["neg"] == [-1500, -1, -0.0015]
    assert got["cmp"] == [True, True, False]
    assert all(b[0] and b[1] == "Invalid" and b[2].startswith("time.parse_duration: ") for b in got["bad"])
    assert "days are not a unit" in got["bad"][1][2]


def test_locations() -> None:
    got = lua("""
local out = {}
local ny, err = time.load_location("America/New_York")
local t = time.date(2024, time.JULY, 4, 12, 0, 0, 0, ny)
out.ny = {ny:string(), t:unix(), t:format("-07:00 MST"), t:utc():hour(), t:location() == ny}
local w = time.date(2024, 1, 15, 12, 0, 0, 0, ny)
out.winter = w:format("-07:00 MST")
local x, e1 = time.load_location("Unknown/Zone")
local y, e2 = time.load_location("")
out.errs = {x == nil, e1:kind(), e1:message(), y == nil, e2:kind()}
out.special = {time.load_location("UTC") == time.utc, time.load_location("Local") == time.localtz}
local ist = time.fixed_zone("IST", 5 * 3600 + 30 * 60)
out.fixed = {time.date(2024, 1, 15, 12, 0, 0, 0, ist):format(time.RFC1123Z), tostring(ist)}
local tk = time.unix(0, 0):in_location(loc("Asia/Tokyo"))
out.tokyo = {tk:hour(), tk:in_local():location():string(), tk:utc():location():string()}
local l = time.unix(1700000000, 0)
out.localfmt = {l:location():string(), l:format("-0700 MST")}
return out
""")
    assert got["ny"] == ["America/New_York", int(datetime(2024, 7, 4, 12, tzinfo=NY).timestamp()),
                         "-04:00 EDT", 16, True]
    assert got["winter"] == "-05:00 EST"
    assert got["errs"] == [True, "NotFound", "time.load_location: unknown time zone Unknown/Zone",
                           True, "Invalid"]
    assert got["special"] == [True, True]
    assert got["fixed"] == ["Mon, 15 Jan 2024 12:00:00 +0530", "IST"]
    assert got["tokyo"] == [9, "Local", "UTC"]
    local_dt = datetime.fromtimestamp(1700000000).astimezone()
    assert got["localfmt"] == ["Local", local_dt.strftime("%z ") + (local_dt.tzname() or "")]


def test_now_is_the_invocations_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    fixed = 1_700_000_000_123_456_789
    monkeypatch.setattr(scheduler.Invocation, "now_ns", lambda self: fixed)
    got = lua("local t = time.now() return {t:unix_nano(), t:location():string(), os.time()}")
    assert got == [fixed, "Local", fixed // 10**9]


def test_now_moves_forward() -> None:
    before = pytime.time_ns()
    got = lua("local a = time.now() time.sleep('5ms') local b = time.now() return {a:unix_nano(), b:sub(a):nanoseconds()}")
    assert got[0] >= before - 10**9 and got[1] >= 4 * 10**6


def test_sleep_wakes_in_order() -> None:
    got = lua("""
local out, done = {}, channel.new(3)
coroutine.spawn(function() time.sleep("30ms") out[#out + 1] = "30ms" done:send(true) end)
coroutine.spawn(function() time.sleep(10 * time.MILLISECOND) out[#out + 1] = "10ms" done:send(true) end)
coroutine.spawn(function()
  time.sleep(assert(time.parse_duration("20ms"))) out[#out + 1] = "20ms" done:send(true)
end)
for _ = 1, 3 do done:receive() end
time.sleep(0)
time.sleep(-5)
local r, err = time.sleep("soon")
return {out, r == nil, err:kind()}
""")
    assert got == [["10ms", "20ms", "30ms"], True, "Invalid"]


def test_after_in_select_with_timeout() -> None:
    got = lua("""
local out = {}
-- the result wins
local res = channel.new()
coroutine.spawn(function() time.sleep("10ms") res:send("done") end)
local timeout = time.after("500ms")
local r = channel.select{res:case_receive(), timeout:case_receive()}
out[1] = r.channel == res and r.value
-- the timeout wins
local never = channel.new()
local t0 = time.now()
local to = time.after("20ms")
r = channel.select{never:case_receive(), to:case_receive()}
out[2] = r.channel == to
out[3] = getmetatable(r.value).__name
out[4] = not r.value:before(t0)
-- fired once, then closed (as in Wippy)
local v, ok = to:receive()
out[5] = v == nil and ok == false
local x, err = time.after(0)
out[6] = err:kind()
return out
""")
    assert got == ["done", True, "time.Time", True, True, "Invalid"]


def test_timer_stop_and_reset() -> None:
    got = lua("""
local out = {}
local t = time.timer("30ms")
out.stop = {t:stop(), t:stop()}
local v, ok = t:channel():receive()
out.stopped_closed = (v == nil and ok == false)
local r = time.timer("2s")
out.reset = r:reset("10ms")
local t0 = time.now()
local fired = r:response():receive()
out.fired = {getmetatable(fired).__name, fired:sub(t0):milliseconds() < 1500}
out.after_fire = {r:reset("10ms"), r:stop()}
out.same = r:channel() == r:response()
local ok1, e1 = pcall(function() return time.timer("10ms"):reset("nope") end)
local ok2 = pcall(function() return time.timer("10ms"):reset(0) end)
out.bad_reset = {ok1, ok2}
local bad, err = time.timer(-1)
out.bad = {bad == nil, err:kind(), err:message()}
-- a stopped timer never delivers: wait past its deadline
local s = time.timer("10ms")
s:stop()
time.sleep("25ms")
local sv, sok = s:channel():receive()
out.no_fire = sv == nil
return out
""")
    assert got["stop"] == [True, False]
    assert got["stopped_closed"] is True
    assert got["reset"] is True
    assert got["fired"] == ["time.Time", True]
    assert got["after_fire"] == [False, False]
    assert got["same"] is True
    assert got["bad_reset"] == [False, False]
    assert got["bad"] == [True, "Invalid", "time.timer: duration must be > 0"]
    assert got["no_fire"] is True


def test_ticker_ticks_then_stops() -> None:
    t0 = pytime.perf_counter()
    got = lua("""
local tk = assert(time.ticker("10ms"))
local ch = tk:channel()
local ticks = {}
for i = 1, 4 do ticks[i] = ch:receive() end
local ordered = true
for i = 2, 4 do ordered = ordered and ticks[i]:after(ticks[i - 1]) end
local stopped = tk:stop()
local v, ok = ch:receive()
-- a slow reader misses ticks (one is buffered)
local slow = time.ticker("5ms")
time.sleep("40ms")
local n = slow:response():len()
slow:stop()
local bad, err = time.ticker("0s")
return {#ticks, ordered, stopped, v == nil and ok == false, n, tk:response() == ch, err:kind()}
""")
    assert got == [4, True, True, True, 1, True, "Invalid"]
    assert pytime.perf_counter() - t0 < 2


def test_bad_arguments_raise() -> None:
    got = lua("""
local t = time.unix(0, 0)
local out = {}
for i, f in ipairs({
  function() return t:add({}) end,
  function() return t:add("xyz") end,
  function() return t:sub(123) end,
  function() return t:after(123) end,
  function() return t:before(nil) end,
  function() return t:equal("x") end,
  function() return t:in_location(123) end,
  function() return t:format(5) end,
  function() return time.unix("x", 0) end,
  function() return time.date(2024, 1) end,
  function() return time.date(2024, 1, 1, 0, 0, 0, 0, "UTC") end,
  function() return time.fixed_zone(1, 2) end,
  function() return t < 5 end,
}) do
  local ok, err = pcall(f)
  out[i] = ok and "no error" or tostring(err)
end
return out
""")
    assert all(isinstance(e, str) and e != "no error" for e in got), got
    assert "bad argument #1 to 'add'" in got[0]
    assert "bad argument #1 to 'sub' (time expected, got number)" in got[2]
    assert "bad argument #1 to 'in_location' (location expected, got number)" in got[6]
    assert "bad argument #3 to 'date' (number expected, got nil)" in got[9]
    assert "attempt to compare" in got[12]


def test_time_values_are_plain_lua_data() -> None:
    got = lua("""
local t = time.date(2024, 5, 6, 7, 8, 9, 10, time.fixed_zone("X", 3600))
local d = assert(time.parse_duration("2s"))
local fields = {}
for k, v in pairs(t) do if type(v) ~= "table" then fields[k] = v end end
return {fields, t.loc.name, t.loc.offset, d.ns, type(d)}
""")
    assert got == [{"sec": int(datetime(2024, 5, 6, 6, 8, 9, tzinfo=UTC).timestamp()), "nsec": 10},
                   "X", 3600, 2 * 10**9, "table"]
