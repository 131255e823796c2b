-- Count one coupon claim against a member's or a caller's wrong codes before the code is looked
-- up, so a burst of concurrent guesses cannot all pass a check made before any was counted; the
-- claim gives the count back when its code turns out to exist (or the claim is refused).
-- KEYS[1] the counter   ARGV[1] 1 to count, -1 to give back   ARGV[2] the window in seconds
-- Returns the count after the change.
if ARGV[1] == '-1' then
  if redis.call('EXISTS', KEYS[1]) == 0 then
    return 0  -- expired meanwhile: nothing to give back (and no key left without a lifetime)
  end
  return redis.call('DECR', KEYS[1])
end
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
end
return count
