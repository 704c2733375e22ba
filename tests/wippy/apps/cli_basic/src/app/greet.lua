-- greet(person) -> a greeting record
local function greet(person)
  local name = person.name or "stranger"
  return {
    text = "hello, " .. name,
    tags = {"greeting", "test"},
    length = #name,
  }
end

return greet
