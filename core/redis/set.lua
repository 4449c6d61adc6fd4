-- Make a course's counter equal MySQL. KEYS = counter, members, holds;
-- ARGV = capacity, now (ms), hold TTL (ms), then the ids of the students
-- with a committed enrollment. Holds that committed, or are older than the
-- TTL, are dropped; younger ones stay in flight and keep their seat.
-- Returns 1 when the counter or the members had to change.
local capacity, now, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local committed = {}
local want = {}
for i = 4, #ARGV do
  committed[ARGV[i]] = true
  want[#want + 1] = ARGV[i]
end
local changed = 0
local holds = redis.call('HGETALL', KEYS[3])
for i = 1, #holds, 2 do
  local sid, at = holds[i], tonumber(holds[i + 1])
  if committed[sid] or now - at > ttl then
    redis.call('HDEL', KEYS[3], sid)
    if not committed[sid] then changed = 1 end
  else
    want[#want + 1] = sid
  end
end
local remaining = capacity - #want
local old = redis.call('GET', KEYS[1])
if not old or tonumber(old) ~= remaining then changed = 1 end
if changed == 0 and redis.call('SCARD', KEYS[2]) ~= #want then changed = 1 end
if changed == 0 then
  for _, sid in ipairs(want) do
    if redis.call('SISMEMBER', KEYS[2], sid) == 0 then changed = 1 break end
  end
end
if changed == 1 then
  redis.call('DEL', KEYS[2])
  for i = 1, #want, 500 do
    redis.call('SADD', KEYS[2], unpack(want, i, math.min(i + 499, #want)))
  end
  redis.call('SET', KEYS[1], remaining)
end
return changed
