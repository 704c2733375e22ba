-- An order above the limit waits for a person: it asks for approval, then waits
-- for an "approve" or "reject" message, or gives up after the deadline.
local funcs = require("funcs")
local time = require("time")

local function main(order, deadline)
  funcs.call("app.api:notify", "approvals", "order " .. order.id .. " needs approval")
  local decisions = process.listen("decision")
  local r = channel.select{
    decisions:case_receive(),
    time.after(deadline or "72h"):case_receive(),
  }
  if r.channel ~= decisions then
    return {order = order.id, status = "expired"}
  end
  local decision = r.value
  if decision.approved then
    local charge, err = funcs.call("app.api:charge_card", order)
    if err then return nil, err end
    return {order = order.id, status = "approved", by = decision.by, charge = charge.id}
  end
  return {order = order.id, status = "rejected", by = decision.by, reason = decision.reason}
end

return {main = main}
