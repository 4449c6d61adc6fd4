-- Take a seat: KEYS = counter, members, holds; ARGV = student, now (ms).
-- Answers NOCOUNTER, PENDING (the student's own take is in flight), DUP
-- (the student owns a seat), SOLD, or OK after holding a seat.
local n = redis.call('GET', KEYS[1])
if not n then return 'NOCOUNTER' end
if redis.call('HEXISTS', KEYS[3], ARGV[1]) == 1 then return 'PENDING' end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 'DUP' end
if tonumber(n) <= 0 then return 'SOLD' end
redis.call('DECR', KEYS[1])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
return 'OK'
