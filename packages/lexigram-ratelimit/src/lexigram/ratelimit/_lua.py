"""The Lua scripts of the Redis backend: one per algorithm, every window of a rate in one call.

Calling convention: ``KEYS`` = one key per window (all sharing one hash tag);
``ARGV[1]`` = cost, ``ARGV[2]`` = ``"1"`` to peek (no write) else ``"0"``, ``ARGV[3]`` = the
time in microseconds or ``""`` for the server's ``TIME`` (the default: every worker shares
Redis' clock; a time is passed only by a backend given a test clock), then three numbers
per window (``ARGV[3i+1]``, ``ARGV[3i+2]``, ``ARGV[3i+3]``). A hit writes only when every
window allows it. The reply is one string, four integers per window:
``"allowed remaining reset_us retry_us ..."`` (one bulk string parses much faster than an
array in the client; the limits are known to the client). Large integers are written with
``%d``: Lua's default number format would round them.
"""

from __future__ import annotations

import hashlib

from ._algorithm import CanonicalAlgorithm

__all__ = ["SCRIPTS", "Script"]

_PROLOGUE = """
local now
if ARGV[3] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
else
  now = tonumber(ARGV[3])
end
local cost = tonumber(ARGV[1])
local peek = ARGV[2] == '1'
local n = #KEYS
local function arg(i, j) return tonumber(ARGV[3 * i + 1 + j]) end
local function us(x) return string.format('%d', x) end
"""

_EPILOGUE = """
if n == 1 and not peek then
  local a, _, remaining, reset, retry = decide(1, cost)
  if a == 1 then commit(1) end
  return string.format('%d %d %d %d', a, remaining, math.ceil(reset), math.ceil(retry))
end
local ok = 1
local rows = {}
for i = 1, n do
  if peek then
    local a, limit, _, _, retry = decide(i, 1)
    local _, _, remaining, reset = decide(i, 0)
    rows[i] = {a, limit, remaining, reset, retry}
  else
    rows[i] = {decide(i, cost)}
  end
  if rows[i][1] == 0 then ok = 0 end
end
if not peek then
  if ok == 1 then
    for i = 1, n do commit(i) end
  else
    for i = 1, n do
      if rows[i][1] == 1 then
        local a, limit, remaining, reset = decide(i, 0)
        rows[i] = {a, limit, remaining, reset, 0}
      end
    end
  end
end
local out = {}
for i = 1, n do
  local row = rows[i]
  out[i] = string.format('%d %d %d %d', row[1], row[3], math.ceil(row[4]), math.ceil(row[5]))
end
return table.concat(out, ' ')
"""

_FIXED_WINDOW = """
local used, ends = {}, {}
for i = 1, n do
  local v = redis.call('HMGET', KEYS[i], 'c', 'e')
  local c, e = tonumber(v[1]), tonumber(v[2])
  if c == nil or e == nil or e <= now then
    c = 0
    e = now + arg(i, 1)
  end
  used[i], ends[i] = c, e
end
local function decide(i, k)
  local limit, c, reset = arg(i, 0), used[i], ends[i] - now
  if c + k <= limit then return 1, limit, limit - c - k, reset, 0 end
  return 0, limit, limit - c, reset, reset
end
local function commit(i)
  if used[i] == 0 then
    redis.call('HSET', KEYS[i], 'c', cost, 'e', us(ends[i]))
    redis.call('PEXPIRE', KEYS[i], us(math.ceil((ends[i] - now) / 1000)))
  else
    redis.call('HINCRBY', KEYS[i], 'c', cost)
  end
end
"""

_SLIDING_WINDOW = """
local starts, prevs, currs = {}, {}, {}
for i = 1, n do
  local window = arg(i, 1)
  local start = now - (now % window)
  local v = redis.call('HMGET', KEYS[i], 's', 'p', 'c')
  local s, p, c = tonumber(v[1]), tonumber(v[2]) or 0, tonumber(v[3]) or 0
  if s == start then
  elseif s == start - window then
    p, c = c, 0
  else
    p, c = 0, 0
  end
  starts[i], prevs[i], currs[i] = start, p, c
end
local function decide(i, k)
  local limit, window = arg(i, 0), arg(i, 1)
  local p, c = prevs[i], currs[i]
  local elapsed = now - starts[i]
  local weighted = p * (window - elapsed) / window + c
  if weighted + k <= limit then
    local reset = 0
    if c + k > 0 then reset = window elseif p > 0 then reset = window - elapsed end
    return 1, limit, math.floor(limit - weighted - k), reset, 0
  end
  local reset = window - elapsed
  if c > 0 then reset = window end
  local retry
  if k > limit then
    retry = reset
  elseif c + k > limit then
    retry = window - elapsed + window * (1 - (limit - k) / c)
  else
    retry = window * (1 - (limit - c - k) / p) - elapsed
  end
  return 0, limit, math.max(0, math.floor(limit - weighted)), reset, retry
end
local function commit(i)
  local window = arg(i, 1)
  redis.call('HSET', KEYS[i], 's', us(starts[i]), 'p', prevs[i], 'c', currs[i] + cost)
  redis.call('PEXPIRE', KEYS[i], us(math.ceil((2 * window - (now - starts[i])) / 1000)))
end
"""

_SLIDING_LOG = """
local counts = {}
for i = 1, n do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', us(now - arg(i, 1)))
  counts[i] = redis.call('ZCARD', KEYS[i])
end
local function expiry(i, index)
  local entry = redis.call('ZRANGE', KEYS[i], index, index, 'WITHSCORES')
  if entry[2] == nil then return 0 end
  return tonumber(entry[2]) + arg(i, 1) - now
end
local function decide(i, k)
  local limit, window, count = arg(i, 0), arg(i, 1), counts[i]
  if count + k <= limit then
    local reset = window
    if k == 0 then reset = expiry(i, -1) end
    return 1, limit, limit - count - k, reset, 0
  end
  local reset = expiry(i, -1)
  local retry = reset
  if k <= limit then retry = expiry(i, count + k - limit - 1) end
  return 0, limit, limit - count, reset, retry
end
local function commit(i)
  local base = counts[i]
  local j = 0
  while j < cost do
    local args = {}
    local upto = math.min(cost, j + 100)
    while j < upto do
      j = j + 1
      args[#args + 1] = us(now)
      args[#args + 1] = us(now) .. ':' .. (base + j)
    end
    redis.call('ZADD', KEYS[i], unpack(args))
  end
  redis.call('PEXPIRE', KEYS[i], us(math.ceil(arg(i, 1) / 1000)))
end
"""

_GCRA = """
local diffs = {}
for i = 1, n do
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0') or 0
  local diff = tat - now
  if diff < 0 then diff = 0 end
  diffs[i] = diff
end
local function decide(i, k)
  local burst, interval, spare = arg(i, 0), arg(i, 1), arg(i, 2)
  local tolerance = burst * interval
  local diff = diffs[i]
  local new = diff + k * interval
  if new <= tolerance then
    return 1, burst, math.floor((tolerance - new) / interval), math.max(0, new - spare), 0
  end
  return 0, burst, math.floor((tolerance - diff) / interval), math.max(0, diff - spare),
    new - tolerance
end
local function commit(i)
  local new = diffs[i] + cost * arg(i, 1)
  redis.call('SET', KEYS[i], us(now + new), 'PX', us(math.ceil(new / 1000)))
end
"""


class Script:
    """A script's source and SHA1 (for EVALSHA)."""

    __slots__ = ("sha", "source")

    def __init__(self, body: str) -> None:
        self.source = _PROLOGUE + body + _EPILOGUE
        self.sha = hashlib.sha1(self.source.encode(), usedforsecurity=False).hexdigest()


SCRIPTS: dict[CanonicalAlgorithm, Script] = {
    "fixed_window": Script(_FIXED_WINDOW),
    "sliding_window": Script(_SLIDING_WINDOW),
    "sliding_log": Script(_SLIDING_LOG),
    "gcra": Script(_GCRA),
}
