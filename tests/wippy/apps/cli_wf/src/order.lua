local funcs = require("funcs")
local time = require("time")

local function wait_approval(order)
  local inbox = process.inbox()
  local msg = inbox:receive()
  return msg:payload():data()
end

local function main(order)
  local r, err = funcs.call("app:charge", order)
  if err then return nil, err end
  local reminders = 0
  coroutine.spawn(function()
    time.sleep("24h")
    reminders = reminders + 1
  end)
  local approved = wait_approval(order)
  return {charged = r.charged, approved = approved, reminders = reminders}
end

return {main = main}
