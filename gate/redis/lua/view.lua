-- view: ARGV student, now (ms), touch (1 to refresh a waiter's last-seen
-- time). Returns view(student).
local student = ARGV[1]
if ARGV[3] == '1' and redis.call('ZSCORE', Q, student) then
  redis.call('ZADD', SEEN, 'XX', 'GT', ARGV[2], student)
end
return view(student)
