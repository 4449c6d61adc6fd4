-- Shared by every script of the room (gate/redis/scripts.go prepends it).
-- Every key shares the room's hash tag, so each script runs on one Redis
-- Cluster slot. KEYS, always in this order:
local CFG, ST, Q, SEEN, ACT, TID, TIX, ADM, LOCK, DRAW =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]

-- room returns the configuration, the counters and the sizes, flat, in the
-- order gate/redis parseRoom reads them.
local function room()
  local r = redis.call('HMGET', CFG, 'opens_at', 'prequeue', 'max_active', 'rate', 'mode', 'paused', 'session', 'seed')
  local s = redis.call('HMGET', ST, 'seq', 'admitted', 'departed', 'open_seq', 'open_mode', 'drawn', 'eff')
  for i = 1, #s do r[#r + 1] = s[i] end
  r[#r + 1] = redis.call('ZCARD', Q)
  r[#r + 1] = redis.call('ZCARD', ACT)
  return r
end

-- view returns what gate/redis parseView reads: the student's ticket, queue
-- rank (-1 when not queued), end of the active admission in ms (-1 when
-- none), the stored admission record, and room().
local function view(student)
  local tid = redis.call('HGET', TID, student)
  local rank, exp, adm = -1, -1, false
  if tid then
    local r = redis.call('ZRANK', Q, student)
    if r then rank = r end
    local e = redis.call('ZSCORE', ACT, student)
    if e then exp = tonumber(e) end
    adm = redis.call('HGET', ADM, student)
  end
  return {tid, rank, exp, adm, room()}
end

-- markOpen records the opening once now reached opens_at: the join
-- sequence number up to which tickets form the pre-queue, and the mode the
-- room opened in. It returns the opening's sequence number or false.
local function markOpen(now)
  local open = redis.call('HGET', ST, 'open_seq')
  if open then return open end
  local c = redis.call('HMGET', CFG, 'opens_at', 'mode')
  if not c[1] or now < tonumber(c[1]) then return false end
  open = redis.call('HGET', ST, 'seq') or '0'
  redis.call('HSET', ST, 'open_seq', open, 'open_mode', c[2])
  return open
end

-- leader reports whether the lock holds the fencing token.
local function leader(token)
  return redis.call('GET', LOCK) == token
end
