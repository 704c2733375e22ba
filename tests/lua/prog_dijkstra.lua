-- Dijkstra with a binary heap
local Heap = {}
Heap.__index = Heap
function Heap.new() return setmetatable({n = 0}, Heap) end
function Heap:push(pri, val)
  self.n = self.n + 1
  local i = self.n
  self[i] = {pri, val}
  while i > 1 do
    local p = i // 2
    if self[p][1] <= self[i][1] then break end
    self[p], self[i] = self[i], self[p]
    i = p
  end
end
function Heap:pop()
  if self.n == 0 then return nil end
  local top = self[1]
  self[1] = self[self.n]; self[self.n] = nil; self.n = self.n - 1
  local i = 1
  while true do
    local l, r, m = 2 * i, 2 * i + 1, i
    if l <= self.n and self[l][1] < self[m][1] then m = l end
    if r <= self.n and self[r][1] < self[m][1] then m = r end
    if m == i then break end
    self[m], self[i] = self[i], self[m]
    i = m
  end
  return top[1], top[2]
end
local edges = {
  {"A", "B", 7}, {"A", "C", 9}, {"A", "F", 14}, {"B", "C", 10}, {"B", "D", 15},
  {"C", "D", 11}, {"C", "F", 2}, {"D", "E", 6}, {"E", "F", 9}, {"G", "H", 1},
}
local graph = {}
for _, e in ipairs(edges) do
  local a, b, w = e[1], e[2], e[3]
  graph[a] = graph[a] or {}; graph[b] = graph[b] or {}
  table.insert(graph[a], {b, w}); table.insert(graph[b], {a, w})
end
local function dijkstra(src)
  local dist, prev = {[src] = 0}, {}
  local h = Heap.new()
  h:push(0, src)
  while true do
    local d, u = h:pop()
    if not d then break end
    if d <= dist[u] then
      for _, e in ipairs(graph[u]) do
        local v, w = e[1], e[2]
        local nd = d + w
        if dist[v] == nil or nd < dist[v] then dist[v] = nd; prev[v] = u; h:push(nd, v) end
      end
    end
  end
  return dist, prev
end
local dist, prev = dijkstra("A")
local nodes = {}
for k in pairs(graph) do nodes[#nodes + 1] = k end
table.sort(nodes)
for _, n in ipairs(nodes) do
  local path, cur = {}, n
  while cur do table.insert(path, 1, cur); cur = prev[cur] end
  print(n, dist[n] or "unreachable", dist[n] and table.concat(path, "->") or "-")
end
-- heap sort using the heap
local h = Heap.new()
local data = {5, 3, 17, 10, 84, 19, 6, 22, 9, 1, 0, -4}
for _, v in ipairs(data) do h:push(v, v) end
local sorted = {}
while h.n > 0 do sorted[#sorted + 1] = (h:pop()) end
print(table.concat(sorted, " "))
