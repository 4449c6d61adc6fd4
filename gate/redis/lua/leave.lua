-- leave: ARGV student. Frees the waiting place and the admission slot at
-- once; returns the stored admission record (for revocation) or false.
local student = ARGV[1]
if redis.call('ZREM', Q, student) == 1 then
  redis.call('HINCRBY', ST, 'departed', 1)
end
redis.call('ZREM', SEEN, student)
redis.call('ZREM', ACT, student)
return redis.call('HGET', ADM, student)
