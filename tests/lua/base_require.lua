local loads = 0
package.preload["util"] = function(name, arg2)
  loads = loads + 1
  local M = {}
  function M.double(x) return x * 2 end
  M.loadname = name
  M.arg2 = arg2
  return M
end
local u1 = require("util")
local u2 = require("util")
print(u1 == u2, loads, u1.double(21), u1.loadname, u1.arg2)
print(package.loaded.util == u1)
-- second return value of require
print(select("#", require("util")), select(2, require("util")))
-- module returning non-table
package.preload["num"] = function() return 42 end
print(require("num"), package.loaded.num)
package.preload["falsy"] = function() return false end
print(require("falsy"), package.loaded.falsy)
-- module that sets package.loaded itself
package.preload["selfreg"] = function(name) package.loaded[name] = {self = true} end
print(require("selfreg").self)
-- module erroring
package.preload["broken"] = function() error("module init failed") end
local ok, e = pcall(require, "broken")
print(ok, e)
print(package.loaded.broken)
-- reload by clearing package.loaded
package.loaded.util = nil
local u3 = require("util")
print(u3 ~= u1, loads)
-- dependent modules
package.preload["a"] = function() local b = require("b"); return {name = "a", dep = b.name} end
package.preload["b"] = function() return {name = "b"} end
local a = require("a")
print(a.name, a.dep, package.loaded.b.name)
-- require of builtin libraries
print(require("string") == string, require("table") == table, require("math") == math, require("coroutine") == coroutine)
print(pcall(require))
local ok2, err2 = pcall(require, "no.such.module")
print(ok2, err2:match("^module 'no.such.module' not found:") ~= nil)
-- searchers count and types
print(#package.searchers, type(package.searchers[1]), type(package.searchpath))
print(package.config:sub(1, 1))
