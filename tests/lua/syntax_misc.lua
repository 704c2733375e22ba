-- operator precedence
print(2 + 3 * 4, (2 + 3) * 4, 2 ^ 3 ^ 2, -2 ^ 2, (-2) ^ 2, not 1 == 2, not (1 == 2))
print(1 .. 2 .. 3, "a" .. "b" == "ab", 1 + 2 .. "", 2 * 3 .. 4)
print(1 < 2 == true, "x" < "y" == not false)
print(5 - 3 - 1, 2 ^ -1, - - 2, not not nil, -3 % 5, -(3 % 5))
print(1 | 2 ~ 3 & 4, 1 << 2 + 1, 6 & 3 | 8, ~0 >> 60, 3 .. 4 < "35")
print(1 + 2 < 4 and 5 or 6, nil or false, false or nil, 1 and nil)
print(7 // 2 * 2 + 7 % 2, 2 ^ 2 * 3, #"abc" + 1, -#"ab")
-- semicolons and empty statements
;;; local a = 1; ; local b = 2;;
print(a + b);
-- numeric literals
print(0xff, 0XFF, 1e2, 1E-2, 0x.1, 0x1p4, 3., .3, 0xA.8p1, 1//1, 007, 0x0)
print(9007199254740993, 0x7FFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 18446744073709551615)
-- comments
--[[ block
comment ]] print("after block comment")
--[==[ another
]] still comment
]==] print("after level-2 comment")
---[[ this is a line comment, so the next line runs
print("line comment trick")
--]]
-- method definitions and calls
local obj = {n = 0}
function obj.static(x) return x * 2 end
function obj:method(x) self.n = self.n + x; return self end
obj:method(1):method(2):method(3)
print(obj.n, obj.static(21))
local ns = {sub = {}}
function ns.sub.deep(x) return "deep " .. x end
function ns.sub:meth() return self == ns.sub end
print(ns.sub.deep(1), ns.sub:meth())
-- call syntax sugar
local function id(x) return x end
print(id"string arg", id{1, 2}[2], id[[long arg]], ("x"):rep(3), #id{1, 2, 3})
print(type(id{}), string.format"%%" == "%", string.upper"abc")
-- parenthesized expressions and calls
local t = {f = function() return 1, 2 end}
print((t.f()), t.f())
print((("paren")))
-- nested functions and immediate invocation
print((function(...) return select("#", ...) end)(1, 2, 3))
-- long identifiers / unicode-free names
local _private, __dunder, a1b2c3 = 1, 2, 3
print(_private + __dunder + a1b2c3)
-- local function vs local f = function recursion
local function rec(n) return n == 0 and 0 or rec(n - 1) + 1 end
print(rec(5))
-- chained comparisons via and
local x = 5
print(1 < x and x < 10, x == 5 and "five" or "other")
-- string escapes in long strings not processed
print([[\n\t]], #[[\n]])
-- integer division and modulo by negative in constant expressions
print(7 // -2, -7 // 2, 7 % -2, -7 % 2, 7.0 // -2, -7 % 2.0)
-- multiple assignment with function calls and tables
local tt = {}
tt.a, tt.b, tt.c = (function() return 1, 2, 3 end)()
print(tt.a, tt.b, tt.c)
-- do blocks scoping
local v = "outer"
do local v = "inner"; print(v) end
print(v)
-- shadowing in same scope
local s = 1
local s = s + 1
print(s)
