/**
 * The Lua of RedisLeases: a lease is `SET key token NX PX ms`, all of a holder's keys taken in one script (all or
 * none), each grant numbered by `INCR fence:<key>`. Renewal and release compare the token first, so a holder whose
 * lease expired and passed to another cannot renew, release or (through `valid`) commit under it. KEYS: the lease keys
 * then their fence keys, in the same order.
 */

/** ARGV: token, ttl ms. Returns the fences, one per key, or nil when any key is held by another token. */
export const acquireScript = `
local n = #KEYS / 2
for i = 1, n do
  local holder = redis.call('GET', KEYS[i])
  if holder and holder ~= ARGV[1] then return nil end
end
local fences = {}
for i = 1, n do
  redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[2])
  fences[i] = redis.call('INCR', KEYS[n + i])
end
return fences
`;

/** ARGV: token, ttl ms. Extends each key still held by the token; returns how many were. */
export const renewScript = `
local held = 0
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then
    redis.call('PEXPIRE', KEYS[i], ARGV[2])
    held = held + 1
  end
end
return held
`;

/** ARGV: token, minimum ms left. 1 when the token holds every key with at least that long to go, else 0. */
export const validScript = `
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) ~= ARGV[1] then return 0 end
  if redis.call('PTTL', KEYS[i]) < tonumber(ARGV[2]) then return 0 end
end
return 1
`;

/** ARGV: token. Deletes each key the token holds. */
export const releaseScript = `
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
end
return 1
`;
