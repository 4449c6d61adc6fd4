-- rate (leader only): ARGV lock token, effective rate. Stores the rate the
-- AIMD controller settled on.
if not leader(ARGV[1]) then return 'NOTLEADER' end
redis.call('HSET', ST, 'eff', ARGV[2])
return 'OK'
