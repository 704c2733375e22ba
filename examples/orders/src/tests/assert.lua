-- A small assertion library for test entries: failures raise errors that name
-- what was expected and what came.
local assert = {}

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  return tostring(v)
end

function assert.eq(actual, expected, what)
  if actual ~= expected then
    error(string.format("%sexpected %s, got %s", what and (what .. ": ") or "", show(expected), show(actual)), 2)
  end
end

function assert.ok(v, what)
  if not v then error((what or "expected a true value") .. ", got " .. show(v), 2) end
end

function assert.no_error(err)
  if err ~= nil then error("unexpected error: " .. tostring(err), 2) end
end

function assert.matches(s, pattern)
  if type(s) ~= "string" or not s:find(pattern) then
    error(string.format("expected %s to match %q", show(s), pattern), 2)
  end
end

return assert
