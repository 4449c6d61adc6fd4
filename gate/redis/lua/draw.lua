-- draw (leader only): ARGV lock token, then the pre-queue's students in
-- draw order. The pre-queue is every queued student whose score (join
-- sequence number) is at most open_seq. When ARGV holds exactly those
-- students, they take the same set of scores in the new order, so they
-- stay ahead of everyone who joined after the opening; the order is kept
-- in DRAW for audits. Returns 'OK', 'DONE' (drawn before) or 'CHANGED'.
if not leader(ARGV[1]) then return 'NOTLEADER' end
local st = redis.call('HMGET', ST, 'open_seq', 'drawn')
if st[2] == '1' then return 'DONE' end
if not st[1] then return 'CHANGED' end
local open = tonumber(st[1])
local n = redis.call('ZCOUNT', Q, '-inf', open)
if n ~= #ARGV - 1 then return 'CHANGED' end
local scores, seen = {}, {}
for i = 2, #ARGV do
  local sc = redis.call('ZSCORE', Q, ARGV[i])
  if not sc or tonumber(sc) > open or seen[ARGV[i]] then return 'CHANGED' end
  seen[ARGV[i]] = true
  scores[#scores + 1] = tonumber(sc)
end
table.sort(scores)
redis.call('DEL', DRAW)
local batch = {}
for i = 2, #ARGV do
  redis.call('ZADD', Q, 'XX', scores[i - 1], ARGV[i])
  batch[#batch + 1] = ARGV[i]
  if #batch == 1000 then
    redis.call('RPUSH', DRAW, unpack(batch))
    batch = {}
  end
end
if #batch > 0 then redis.call('RPUSH', DRAW, unpack(batch)) end
redis.call('HSET', ST, 'drawn', '1')
return 'OK'
