-- Linked structures of small objects: a doubly linked list used as a queue
-- and rotated, a binary search tree (insert, lookup, in-order walk), and a
-- graph of node objects with adjacency lists searched breadth-first.

local ListNode = {}
ListNode.__index = ListNode
function ListNode.new(v) return setmetatable({value = v, prev = nil, next = nil}, ListNode) end

local List = {}
List.__index = List
function List.new() return setmetatable({head = nil, tail = nil, size = 0}, List) end
function List:push(v)
  local node = ListNode.new(v)
  local t = self.tail
  if t then t.next = node; node.prev = t else self.head = node end
  self.tail = node
  self.size = self.size + 1
end
function List:shift()
  local h = self.head
  if not h then return nil end
  self.head = h.next
  if self.head then self.head.prev = nil else self.tail = nil end
  self.size = self.size - 1
  return h.value
end
function List:sum()
  local s, node = 0, self.head
  while node do s = s + node.value; node = node.next end
  return s
end

local Tree = {}
Tree.__index = Tree
function Tree.new(key) return setmetatable({key = key, left = nil, right = nil, count = 1}, Tree) end
function Tree:insert(key)
  local node = self
  while true do
    if key == node.key then node.count = node.count + 1; return
    elseif key < node.key then
      if node.left then node = node.left else node.left = Tree.new(key); return end
    else
      if node.right then node = node.right else node.right = Tree.new(key); return end
    end
  end
end
function Tree:find(key)
  local node = self
  while node do
    if key == node.key then return node.count end
    if key < node.key then node = node.left else node = node.right end
  end
  return 0
end
function Tree:walk(acc)
  if self.left then acc = self.left:walk(acc) end
  acc = (acc * 31 + self.key * self.count) % 1000000007
  if self.right then acc = self.right:walk(acc) end
  return acc
end

local Node = {}
Node.__index = Node
function Node.new(id) return setmetatable({id = id, edges = {}, dist = -1}, Node) end
function Node:connect(other) local e = self.edges; e[#e + 1] = other end

local function bfs(nodes, start)
  for i = 1, #nodes do nodes[i].dist = -1 end
  local q = List.new()
  start.dist = 0
  q:push(start)
  local far = 0
  while q.size > 0 do
    local node = q:shift()
    local d = node.dist + 1
    local edges = node.edges
    for i = 1, #edges do
      local o = edges[i]
      if o.dist < 0 then
        o.dist = d
        if d > far then far = d end
        q:push(o)
      end
    end
  end
  return far
end

function bench(n)
  local total = 0
  -- a queue rotated through
  local l = List.new()
  for i = 1, 1000 do l:push(i) end
  for r = 1, n * 20 do l:push((l:shift() * 7 + r) % 1000) end
  total = total + l:sum()
  -- a tree
  local seed = 42
  local t = Tree.new(500)
  for _ = 1, n * 10 do
    seed = (seed * 1103515245 + 12345) % 2147483648
    t:insert(seed % 5000)
  end
  for k = 0, 4999, 3 do total = total + t:find(k) end
  total = total + t:walk(0)
  -- a graph
  local nodes = {}
  local gn = 400
  for i = 1, gn do nodes[i] = Node.new(i) end
  for i = 1, gn do
    nodes[i]:connect(nodes[i % gn + 1])
    nodes[i]:connect(nodes[(i * 7) % gn + 1])
    nodes[i]:connect(nodes[(i * 13 + 5) % gn + 1])
  end
  for s = 1, n // 20 do total = total + bfs(nodes, nodes[(s * 17) % gn + 1]) end
  return total % 1000000007
end
