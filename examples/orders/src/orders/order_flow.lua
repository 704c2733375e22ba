-- Charge the card, wait for the settlement period, check the payment's status,
-- refund it if the bank reports a dispute.
local funcs = require("funcs")
local time = require("time")
local logger = require("logger")

type Order = {id: string, amount: number, card: string, settle_after: string?, fail: {string}?}

local api = funcs.new():with_options({
  ["activity.start_to_close_timeout"] = "30s",
  ["activity.retry_policy"] = {initial_interval = "1s", backoff_coefficient = 2, maximum_attempts = 5},
})

local function main(order: Order)
  Order(order)
  local fee = api:call("app.api:card_fee", order.amount)            -- a local activity
  local charge, err = api:call("app.api:charge_card", order)
  if err then
    return nil, errors.wrap(err, "charging order " .. order.id)
  end
  logger:info("charged", {order = order.id, charge = charge.id})

  time.sleep(order.settle_after or "24h")

  local status = api:call("app.api:check_status", charge.id, order)
  if status == "disputed" then
    local refund = api:call("app.api:refund", charge.id, order.amount)
    return {order = order.id, charge = charge.id, status = "refunded", refund = refund.id, fee = fee.cents}
  end
  return {order = order.id, charge = charge.id, status = status, fee = fee.cents}
end

return {main = main}
