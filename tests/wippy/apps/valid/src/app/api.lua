local util = require("util")
local function handle(req)
  return util.shout(req.name)
end
return { handle = handle }
