-- found by fuzz/ runtime: the reference lua5.4 is built with LUA_COMPAT_5_3:
-- math.atan2/pow/cosh/sinh/tanh/frexp/ldexp/log10 exist
local function p(...) local t = table.pack(...) for i = 1, t.n do t[i] = string.format("%.17g", t[i]) end print(table.concat(t, " ")) end
p(math.pow(2, 10), math.pow(-8, 1/3), math.pow(2, 2000), math.pow(-2, 2001), math.pow(0, -1))
p(math.cosh(0), math.cosh(1000), math.cosh(-1000), math.sinh(1), math.sinh(1000), math.sinh(-1000), math.tanh(0.5), math.tanh(1/0))
p(math.frexp(8)) p(math.frexp(0)) p(math.frexp(-3.5)) p(math.frexp(1/0)) p(math.frexp(5e-324))
p(math.ldexp(1, 3), math.ldexp(1.5, -1), math.ldexp(1, 2000), math.ldexp(-1, 2000), math.ldexp(1, -2000), math.ldexp(1, 2^32 + 2))
p(math.log10(1000), math.log10(0), math.log10(-1), math.log10(1/0))
print(math.atan2(1, 1) == math.atan(1, 1), math.type(math.pow(2, 2)), math.type(math.ldexp(1, 2)))
print(pcall(math.ldexp, 1, 1.5))
print(pcall(math.pow, "x", 1))
print(pcall(math.fmod, "", nil))
print(pcall(math.fmod))
print(pcall(math.fmod, 1))
print(pcall(math.fmod, "a", 1))
