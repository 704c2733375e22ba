print(_VERSION)
print(_G._G == _G, _G.print == print, _ENV == _G)
print(type(print), type(nil), type(1), type("s"), type({}), type(true), type(coroutine.create(print)), type(io.stdout))
print(pcall(type))
print(type(collectgarbage("count")))
print(collectgarbage("collect"), collectgarbage())
print(collectgarbage("step") ~= nil, collectgarbage("isrunning"))
-- select
print(select("#"), select("#", nil, nil), select(1, "a", "b"), select(3, "a", "b"))
print(pcall(select, -5, 1))
-- rawequal etc
print(rawequal(1, 1.0), rawequal("a", "a"), rawequal({}, {}), rawequal(nil, nil), rawequal(0, -0))
print(pcall(rawequal, 1))
-- next
local t = {5}
print(next(t), next(t, 1))
-- globals
newglobal = "hi"
print(_G.newglobal, _G["newglobal"], rawget(_G, "newglobal"))
_G.another = 5
print(another)
local count = 0
for name in pairs(_G) do if name == "newglobal" or name == "another" then count = count + 1 end end
print(count)
-- _ENV manipulation
do
  local _ENV = {print = print}
  z = 3
  print(z, _ENV.z)
end
print(z)
local function withenv()
  local _ENV = setmetatable({}, {__index = _G})
  gx = "in custom env"
  return gx, _G.gx
end
print(withenv())
-- package / require with preload
package.preload["mymod"] = function(name, extra)
  print("loading", name, extra)
  return {value = 42, name = name}
end
local m = require("mymod")
print(m.value, m.name, package.loaded["mymod"] == m)
local m2 = require("mymod")
print(m2 == m)
package.loaded["fake"] = {"preloaded directly"}
print(require("fake")[1])
print(type(package.path), type(package.cpath), type(package.searchers))
print(package.loaded.string == string, package.loaded._G == _G, package.loaded.math == math)
package.preload["nilmod"] = function() end
print(require("nilmod"), package.loaded["nilmod"])
local ok, err = pcall(require, "does_not_exist_module_xyz")
print(ok, (err:match("module 'does_not_exist_module_xyz' not found")))
-- ipairs stop at nil
local n = 0
for i, v in ipairs({1, 2, nil, 4}) do n = n + 1 end
print(n)
-- tostring(nil) / tostring of integer-like floats
print(tostring(nil), tostring(1e16), tostring(-1e16), tostring(123456.0))
-- print with no args / many args
print()
print(1, nil, 3, nil)
-- assert returns all args
print(assert(1, 2, 3))
-- os and io basics that are deterministic
print(type(os.clock()), type(os.time()), os.getenv("THIS_VAR_DOES_NOT_EXIST_XYZ"))
io.write("io.write ", 1, " ", 2.5, "\n")
print(io.write("chained "):write("writes\n") == io.stdout)
print(string.format("%5s", "x"), #arg, arg[0])
