local t = {10, 20, 30}
print(#t, t[1], t[3], t[4])
t[#t + 1] = 40
print(#t, t[4])
t[1.0] = "one"
print(t[1], t[1.0], rawget(t, 1.0), rawget(t, 1))
t[2^53] = "big"
print(t[2^53], t[9007199254740992], math.type(next({[2^53] = 1})))
local u = {}
u[true] = "T"; u[1] = "one"; u[false] = "F"; u["1"] = "string one"
print(u[true], u[1], u[false], u["1"], u[1.0])
print(pcall(function() local x = {}; x[nil] = 1 end))
print(pcall(function() local x = {}; x[0/0] = 1 end))
print(pcall(rawset, {}, nil, 1))
print(({})[nil], ({})[0/0])
local n = {a = {b = {c = {d = "deep"}}}}
print(n.a.b.c.d, n["a"]["b"].c["d"])
local tc = {1, 2, 3,}
local tc2 = {1; 2; 3;}
local tc3 = {[1] = "a", "b", x = 1; y = 2,}
print(#tc, #tc2, tc3[1], tc3.x, tc3.y)
local function f() return 1, 2, 3 end
local t1 = {f()}
local t2 = {f(), 10}
local t3 = {(f())}
local t4 = {f(), f()}
local t5 = {f(), nil}
print(#t1, #t2, #t3, #t4, t2[1], t2[2], t4[4])
print(select("#", f()), select("#", (f())), select("#", f(), f()))
print(select(2, "a", "b", "c"), select(-1, "a", "b", "c"), select(-2, "a", "b", "c"))
print(pcall(select, 0, 1))
print(table.unpack({1, 2, 3}))
print(table.unpack({1, 2, 3}, 2))
print(table.unpack({1, 2, 3}, 2, 5))
print(table.unpack({}, 1, 0))
local p = table.pack(1, nil, 3, nil)
print(p.n, p[1], p[2], p[3], p[4])
local p0 = table.pack()
print(p0.n, #p0)
local m = {}
for i = 1, 10 do m[i] = i * i end
print(#m, m[10])
m[#m] = nil
print(#m)
local keys = {}
local h = {alpha = 1, beta = 2, gamma = 3, delta = 4, [10] = "ten", [3.5] = "f"}
for k in pairs(h) do keys[#keys + 1] = tostring(k) end
table.sort(keys)
print(table.concat(keys, ","))
local cnt = 0
for k, v in next, h do cnt = cnt + 1 end
print(cnt)
print(next({}), next({5}))
local seq = {}
for i = 1, 100 do seq[i] = i end
for i = 100, 51, -1 do seq[i] = nil end
print(#seq)
local arr = {"a", "b", "c"}
for i, v in ipairs(arr) do io.write(i, "=", v, " ") end print()
local holes = {1, 2, nil, 4}
local c = 0
for i, v in ipairs(holes) do c = c + 1 end
print(c)
local mixed = {[1] = "x", [2] = "y", [-1] = "neg", [0] = "zero"}
print(#mixed, mixed[0], mixed[-1])
local nested = {{1, 2}, {3, 4, {5, 6}}}
print(nested[2][3][2], #nested[2])
local s = {}
s.x, s.y = 1, 2
s["z w"] = 3
print(s.x + s.y + s["z w"])
local big = {}
for i = 1, 1000 do big[i] = i end
print(#big, big[500])
local tk = {}
tk[2^63] = "float key"; tk[-0.0] = "zero"
print(tk[2^63], tk[0], tk[0.0])
print(rawlen({1, 2}), rawlen("abc"), rawequal(t, t), rawequal({}, {}), rawequal("a", "a"))
