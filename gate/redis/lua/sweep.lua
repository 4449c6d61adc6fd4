-- sweep (leader only): ARGV lock token, now (ms), silence cutoff (ms),
-- want, limit. Ends admissions whose time passed, drops waiters not seen
-- since the cutoff, records the opening, and returns
-- {ended, abandoned, draw due (0/1), candidates, room()}, where candidates
-- are up to want students from the head of the queue, no more than the
-- free slots, none while paused, before the opening or before the draw.
if not leader(ARGV[1]) then return {'NOTLEADER'} end
local now, want, limit = tonumber(ARGV[2]), tonumber(ARGV[4]), tonumber(ARGV[5])

local ended = redis.call('ZRANGEBYSCORE', ACT, '-inf', ARGV[2], 'LIMIT', 0, limit)
if #ended > 0 then redis.call('ZREM', ACT, unpack(ended)) end

local silent = redis.call('ZRANGEBYSCORE', SEEN, '-inf', '(' .. ARGV[3], 'LIMIT', 0, limit)
local abandoned = 0
if #silent > 0 then
  redis.call('ZREM', SEEN, unpack(silent))
  abandoned = redis.call('ZREM', Q, unpack(silent))
  if abandoned > 0 then redis.call('HINCRBY', ST, 'departed', abandoned) end
end

local open = markOpen(now)
local st = redis.call('HMGET', ST, 'open_mode', 'drawn')
local cfg = redis.call('HMGET', CFG, 'max_active', 'paused')
local due = 0
local cands = {}
if open then
  if st[1] == 'lottery' and st[2] ~= '1' then
    due = 1
  elseif cfg[2] ~= '1' then
    local k = math.min(want, tonumber(cfg[1] or '0') - redis.call('ZCARD', ACT))
    if k > 0 then cands = redis.call('ZRANGE', Q, 0, k - 1) end
  end
end
return {#ended, abandoned, due, cands, room()}
