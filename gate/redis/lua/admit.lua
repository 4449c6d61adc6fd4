-- admit (leader only): ARGV lock token, then for each candidate in order
-- student, jti, admitted at (ms), expires at (ms), token. Admits each
-- candidate still queued while a slot is free and the room is not paused,
-- checking max_active before every admission, so the active set never
-- exceeds it. Returns the number admitted.
if not leader(ARGV[1]) then return {'NOTLEADER'} end
local cfg = redis.call('HMGET', CFG, 'max_active', 'paused')
if cfg[2] == '1' then return 0 end
local limit = tonumber(cfg[1] or '0')
local n = 0
for i = 2, #ARGV, 5 do
  local s = ARGV[i]
  if redis.call('ZSCORE', Q, s) then
    if redis.call('ZCARD', ACT) >= limit then break end
    redis.call('ZREM', Q, s)
    redis.call('ZREM', SEEN, s)
    local num = redis.call('HINCRBY', ST, 'admitted', 1)
    redis.call('ZADD', ACT, ARGV[i + 3], s)
    redis.call('HSET', ADM, s, ARGV[i + 1] .. '|' .. ARGV[i + 2] .. '|' .. ARGV[i + 3] .. '|' .. num .. '|' .. ARGV[i + 4])
    n = n + 1
  end
end
return n
