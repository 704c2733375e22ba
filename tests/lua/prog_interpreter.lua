-- a small interpreter for a lisp-like language
local function tokenize(s)
  local toks = {}
  for tok in s:gsub("%(", " ( "):gsub("%)", " ) "):gmatch("%S+") do toks[#toks + 1] = tok end
  return toks
end
local function parse(toks)
  local pos = 1
  local function read()
    local t = toks[pos]
    if t == nil then error("unexpected EOF", 0) end
    pos = pos + 1
    if t == "(" then
      local list = {}
      while toks[pos] ~= ")" do
        if toks[pos] == nil then error("missing )", 0) end
        list[#list + 1] = read()
      end
      pos = pos + 1
      return list
    elseif t == ")" then error("unexpected )", 0)
    end
    return math.tointeger(tonumber(t)) or tonumber(t) or t
  end
  local exprs = {}
  while pos <= #toks do exprs[#exprs + 1] = read() end
  return exprs
end

local Env = {}
Env.__index = function(e, k)
  local outer = rawget(e, "__outer")
  if outer then return outer[k] end
  error("unbound symbol: " .. tostring(k), 0)
end
local function newenv(outer) return setmetatable({__outer = outer}, Env) end
local function setvar(env, k, v)
  while env do
    if rawget(env, k) ~= nil then env[k] = v return end
    env = rawget(env, "__outer")
  end
  error("set! of unbound " .. k, 0)
end

local eval
local function tostr(v)
  if type(v) == "table" then
    if v.lambda then return "#<lambda>" end
    local parts = {}
    for i, x in ipairs(v) do parts[i] = tostr(x) end
    return "(" .. table.concat(parts, " ") .. ")"
  end
  if v == true then return "#t" elseif v == false then return "#f" end
  return tostring(v)
end

function eval(x, env)
  if type(x) == "string" then return env[x] end
  if type(x) ~= "table" then return x end
  local op = x[1]
  if op == "quote" then return x[2]
  elseif op == "if" then
    if eval(x[2], env) ~= false then return eval(x[3], env) else return eval(x[4], env) end
  elseif op == "define" then env[x[2]] = eval(x[3], env); return nil
  elseif op == "set!" then setvar(env, x[2], eval(x[3], env)); return nil
  elseif op == "lambda" then return {lambda = true, params = x[2], body = x[3], env = env}
  elseif op == "begin" then
    local r
    for i = 2, #x do r = eval(x[i], env) end
    return r
  else
    local f = eval(op, env)
    local args = {}
    for i = 2, #x do args[#args + 1] = eval(x[i], env) end
    if type(f) == "function" then return f(table.unpack(args)) end
    if type(f) == "table" and f.lambda then
      local e = newenv(f.env)
      for i, p in ipairs(f.params) do e[p] = args[i] end
      return eval(f.body, e)
    end
    error("not a procedure: " .. tostr(f), 0)
  end
end

local global = newenv(nil)
global["+"] = function(...) local s = 0 for _, v in ipairs({...}) do s = s + v end return s end
global["-"] = function(a, b) if b == nil then return -a end return a - b end
global["*"] = function(...) local s = 1 for _, v in ipairs({...}) do s = s * v end return s end
global["/"] = function(a, b) return a / b end
global["<"] = function(a, b) return a < b end
global["="] = function(a, b) return a == b end
global["list"] = function(...) return {...} end
global["car"] = function(l) return l[1] end
global["cdr"] = function(l) return {table.unpack(l, 2)} end
global["null?"] = function(l) return #l == 0 end
global["cons"] = function(a, l) return {a, table.unpack(l)} end

local program = [[
(define fact (lambda (n) (if (< n 2) 1 (* n (fact (- n 1))))))
(fact 10)
(fact 20)
(fact 25)
(define fib (lambda (n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2))))))
(fib 15)
(define make-counter (lambda () (begin (define c 0) (lambda () (begin (set! c (+ c 1)) c)))))
(define c1 (make-counter))
(c1) (c1) (c1)
(define map (lambda (f l) (if (null? l) (quote ()) (cons (f (car l)) (map f (cdr l))))))
(map (lambda (x) (* x x)) (list 1 2 3 4 5))
(map fact (list 1 2 3 4 5 6))
(/ 1 3)
(quote (a b (c d)))
(= 1 1.0)
(< 2 1)
]]
for _, expr in ipairs(parse(tokenize(program))) do
  local ok, v = pcall(eval, expr, global)
  print(tostr(expr), "=>", ok and tostr(v) or ("error: " .. v))
end
for _, bad in ipairs({"(undefined-fn 1)", "(1 2 3)", "(+ 1", ")", "(set! nope 1)", "(car 5)"}) do
  local ok, e = pcall(function() return eval(parse(tokenize(bad))[1], global) end)
  print(bad, ok, (tostring(e):gsub("^.-:%d+: ", "")))
end
