local funcs = require("funcs")
local function main(order)
  return funcs.call("app.wf:charge", order)
end
return { main = main }
