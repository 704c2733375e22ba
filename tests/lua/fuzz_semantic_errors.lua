-- found by fuzz/ parser: the goto/label/break/const checks and the local/upvalue
-- limits happen where lparser.c meets them, before any later syntax error
local cases = {
  "::a:: ::a:: and", "break", "::a:: ; ::b:: ::a::", "goto x", "do goto x end", "goto x; local y; ::x:: print(y)",
  "goto x; local y; ::x::", "do goto x; local y; ::x:: end", "repeat goto c; local z; ::c:: until z",
  "local x <const> = 1; x = 2", "local x <close> = nil; x = 2", "local x <const> = 1; function x() end",
  "local x <const> = 1; local function f() x = 3 end", "local a, b <const> = 1, 2; a, b = 3, 4",
  "local a <const> = {}; a.x = 1", "function f() break end", "for i = 1, 2 do end break",
  "if x then break end", "while 1 do if x then break end end", "local x <const> = 1; x, = 2",
  "x = 1; ::l:: ::l::", "::l:: do ::l:: end", "do ::l:: end ::l::", "goto l; do ::l:: end",
  "local function f() goto out end ::out::", "for i=1,2 do goto cont; local q = 1; ::cont:: end",
  "for i=1,2 do goto cont; local q = 1; ::cont:: ; ; end", "while true do goto cont; local q = 1; ::cont:: print(q) end",
  "::a:: goto a", "local x <const> = 1 x = 2 and", "local x <foo> = 1 break", "break ::a:: ::a::",
  "goto a ::a:: ::a::", "local t <const> = 1; t.x = 1", "local s <const> = 'x'; function s.f() end",
  "local c <close> = nil; function c:m() end", "local y <const> = 2; y = y",
  "return function() local z <const> = 1; return function() z = 2 end end",
  "local x <const> = 1 local x = 2 x = 3", "goto l\nlocal a\n::l::\nprint(a)\n",
  "if a then goto e end local b = 1 ::e:: print(b)", "do local a goto l end ::l::",
}
for i, c in ipairs(cases) do print(i, load(c)) end
local big = {}
for i = 1, 201 do big[i] = "local v" .. i end
print(load(table.concat(big, "\n")))
print(load("local function f()\n" .. table.concat(big, " ") .. "\nend"))
-- upvalue limit (255): a function using 300 locals of two enclosing functions
local a, b, uses = {}, {}, {}
for i = 1, 150 do a[i] = "a" .. i; b[i] = "b" .. i; uses[#uses + 1] = "a" .. i; uses[#uses + 1] = "b" .. i end
local src = "local " .. table.concat(a, ",") .. "\nlocal function f()\nlocal " .. table.concat(b, ",") ..
  "\nreturn function()\nreturn " .. table.concat(uses, "+") .. "\nend\nend"
print(load(src))
print(load("local x <const> = 1\nlocal function f()\nlocal function g() x = 2 end\nend"))
