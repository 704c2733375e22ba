local function sum(n, acc) if n == 0 then return acc end return sum(n - 1, acc + n) end
print(sum(200000, 0))
local even, odd
function even(n) if n == 0 then return true end return odd(n - 1) end
function odd(n) if n == 0 then return false end return even(n - 1) end
print(even(200000), odd(200001), even(199999))
-- tail call through a method
local obj = {}
function obj:count(n) if n == 0 then return self end return self:count(n - 1) end
print(obj:count(100000) == obj)
-- tail call returning multiple values
local function multi(n, ...) if n == 0 then return ... end return multi(n - 1, ...) end
print(multi(50000, "a", "b", "c"))
-- tail call to a C function and a __call table
local function tc(s) return string.upper(s) end
print(tc("tail"))
local callee = setmetatable({}, {__call = function(self, n) return "called " .. n end})
local function tcall(n) return callee(n) end
print(tcall(5))
-- tail call in vararg function
local function va(n, ...) if n == 0 then return select("#", ...) end return va(n - 1, ...) end
print(va(100000, 1, 2, 3))
-- state machine via tail calls
local states = {}
local steps = 0
function states.a(n) steps = steps + 1; if n <= 0 then return "end at a" end return states.b(n - 1) end
function states.b(n) steps = steps + 1; if n <= 0 then return "end at b" end return states.c(n - 1) end
function states.c(n) steps = steps + 1; if n <= 0 then return "end at c" end return states.a(n - 1) end
print(states.a(100001), steps)
-- non-tail but moderately deep recursion works
local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
print(depth(10000))
