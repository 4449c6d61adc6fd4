-- join: ARGV student, new ticket id, now (ms). Returns view(student), or
-- {'NOTOPEN'} before the pre-queue opens (or when no room is configured).
local student, now = ARGV[1], tonumber(ARGV[3])
local cfg = redis.call('HMGET', CFG, 'opens_at', 'prequeue')
if not cfg[1] then return {'NOTOPEN'} end
local open = markOpen(now)
local tid = redis.call('HGET', TID, student)
if tid then
  if redis.call('ZSCORE', Q, student) then
    redis.call('ZADD', SEEN, ARGV[3], student)
    return view(student)
  end
  local exp = redis.call('ZSCORE', ACT, student)
  if exp and tonumber(exp) > now then return view(student) end
end
if not open and now < tonumber(cfg[1]) - tonumber(cfg[2]) * 1000 then return {'NOTOPEN'} end
local seq = redis.call('HINCRBY', ST, 'seq', 1)
redis.call('ZADD', Q, seq, student)
redis.call('ZADD', SEEN, ARGV[3], student)
redis.call('ZREM', ACT, student)
redis.call('HSET', TID, student, ARGV[2])
redis.call('HSET', TIX, ARGV[2], student)
redis.call('HDEL', ADM, student)
return view(student)
