-- Helpers of the simulated services: stable IDs from the activity's idempotency
-- key, and failures on demand.
local ctx = require("ctx")
local sim = {}

-- an ID derived from the idempotency key when called as an activity: a retried
-- or re-run attempt gets the same ID, as a real payment API would dedupe it
function sim.id(prefix, order)
  local key = ctx.get("idempotency_key")
  if key then
    local h = 0
    for i = 1, #key do h = (h * 31 + key:byte(i)) % 1000000007 end
    return string.format("%s_%s_%09d", prefix, order.id, h)
  end
  return prefix .. "_" .. order.id
end

-- order.fail lists "name" (always fails, not retryable) or "name:N" (fails the
-- first N attempts, retryable)
function sim.maybe_fail(name, order)
  for _, f in ipairs(order.fail or {}) do
    if f == name then
      return errors.new({kind = errors.UNAVAILABLE, message = name .. " is down", retryable = false})
    end
    local n = f:match("^" .. name .. ":(%d+)$")
    if n then
      local attempt = tonumber(ctx.get("attempt") or 1)
      if attempt <= tonumber(n) then
        return errors.new({kind = errors.UNAVAILABLE, message = name .. " timed out (attempt " .. attempt .. ")",
                           retryable = true})
      end
    end
  end
  return nil
end

return sim
