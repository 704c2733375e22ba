-- LRU cache with doubly linked list
local LRU = {}
LRU.__index = LRU
function LRU.new(cap)
  local head, tail = {}, {}
  head.next, tail.prev = tail, head
  return setmetatable({cap = cap, size = 0, map = {}, head = head, tail = tail, hits = 0, misses = 0}, LRU)
end
local function unlink(node) node.prev.next = node.next; node.next.prev = node.prev end
function LRU:_front(node)
  node.next = self.head.next; node.prev = self.head
  self.head.next.prev = node; self.head.next = node
end
function LRU:get(k)
  local node = self.map[k]
  if not node then self.misses = self.misses + 1 return nil end
  self.hits = self.hits + 1
  unlink(node); self:_front(node)
  return node.value
end
function LRU:put(k, v)
  local node = self.map[k]
  if node then node.value = v; unlink(node); self:_front(node) return end
  if self.size >= self.cap then
    local last = self.tail.prev
    unlink(last); self.map[last.key] = nil; self.size = self.size - 1
    self.evictions = (self.evictions or 0) + 1
    if self.verbose then print("  evict", last.key) end
  end
  node = {key = k, value = v}
  self.map[k] = node; self:_front(node); self.size = self.size + 1
end
function LRU:keys()
  local out, n = {}, self.head.next
  while n ~= self.tail do out[#out + 1] = tostring(n.key); n = n.next end
  return table.concat(out, ",")
end
local c = LRU.new(3)
c.verbose = true
c:put("a", 1); c:put("b", 2); c:put("c", 3)
print(c:keys())
print(c:get("a"), c:keys())
c:put("d", 4)
print(c:keys(), c:get("b"))
c:put("c", 30)
print(c:keys(), c:get("c"))
c:put("e", 5)
print(c:keys())
-- workload
local cache = LRU.new(10)
local seed = 1
for i = 1, 300 do
  seed = (seed * 1103515245 + 12345) % 2147483648
  local k = seed % 17
  if not cache:get(k) then cache:put(k, k * k) end
end
print(cache.hits, cache.misses, cache.size, cache.evictions, cache:keys())
