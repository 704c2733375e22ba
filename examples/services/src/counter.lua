-- A named counter: `inc` adds to a key, `get` replies with the totals.
-- It answers `pid.cancel` (the supervisor stopping it) by returning its totals.
local function main()
  assert(process.registry.register("counter"))
  local totals = {}
  local inbox, events = process.inbox(), process.events()
  print("counter: up as " .. process.pid())
  while true do
    local r = channel.select{inbox:case_receive(), events:case_receive()}
    if r.channel == events then
      if r.value.kind == process.event.CANCEL then
        print("counter: stopping (" .. r.value.reason .. ")")
        return totals
      end
    else
      local msg = r.value
      local data = msg:payload():data()
      if msg:topic() == "inc" then
        totals[data.key] = (totals[data.key] or 0) + data.by
      elseif msg:topic() == "get" then
        process.send(msg:from(), "totals", totals)
      end
    end
  end
end

return main
