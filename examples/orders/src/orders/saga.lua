-- A saga: reserve stock, charge, ship. When a step fails, the steps already
-- done are compensated in reverse order, and the order fails with the cause.
local funcs = require("funcs")

local function main(order)
  local compensations = {}
  local function step(name, undo, ...)
    local result, err = funcs.call(name, ...)
    if err then return nil, err end
    if undo then table.insert(compensations, 1, {undo, result}) end
    return result
  end

  local reservation, err = step("app.api:reserve_stock", "app.api:release_stock", order)
  local charge
  if not err then charge, err = step("app.api:charge_card", "app.api:refund", order) end
  local shipment
  if not err then shipment, err = step("app.api:ship", nil, order) end

  if err then
    local undone = {}
    for _, c in ipairs(compensations) do
      local what, result = c[1], c[2]
      local _, uerr = funcs.call(what, result.id, order.amount)
      undone[#undone + 1] = uerr and (what .. " failed: " .. uerr:message()) or what
    end
    return nil, errors.new({kind = err:kind(), message = "order " .. order.id .. " rolled back: " .. err:message(),
                            details = {compensated = undone}})
  end
  return {order = order.id, reservation = reservation.id, charge = charge.id, shipment = shipment.id}
end

return {main = main}
