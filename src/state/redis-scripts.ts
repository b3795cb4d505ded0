/**
 * The Lua scripts of RedisStore: each runs atomically in Redis, so a call is one transaction (all or none). Keys are
 * built inside from ARGV[1], the prefix: one Redis serves a cluster (no Redis Cluster sharding). Layout, for prefix P
 * (K is `<pipeline>\0<relPath>`):
 * - `P:rec:<pipeline>`    hash relPath → the record as JSON, without `disposed` and `finish` (written by the client
 *                         and never re-encoded here: Lua's cjson would round the fingerprint's mtime);
 * - `P:pending`           set of K whose disposal is pending (`disposed` false);
 * - `P:finishes`          hash K → the finish a commit owes, as JSON;
 * - `P:failed:<pipeline>` set of failed relPaths, and `P:pipelines` the pipelines with records (for counts);
 * - `P:out:<output>`      set of K whose record lists that output (producersOf);
 * - `P:appends`           hash path → size (append intents).
 */
const helpers = `
local P = ARGV[1]
local function unindex(p, r, k)
  local old = redis.call('HGET', P .. ':rec:' .. p, r)
  if not old then return end
  for _, o in ipairs(cjson.decode(old).outputs) do redis.call('SREM', P .. ':out:' .. o, k) end
  redis.call('SREM', P .. ':failed:' .. p, r)
end
`;

/** ARGV: prefix, appendDone ('' for none), then per record: its JSON, '1' when disposed, its finish JSON or ''. */
export const putScript = `${helpers}
if ARGV[2] ~= '' then redis.call('HDEL', P .. ':appends', ARGV[2]) end
for i = 3, #ARGV, 3 do
  local rec = cjson.decode(ARGV[i])
  local p, r = rec.pipeline, rec.relPath
  local k = p .. '\\0' .. r
  unindex(p, r, k)
  redis.call('HSET', P .. ':rec:' .. p, r, ARGV[i])
  redis.call('SADD', P .. ':pipelines', p)
  for _, o in ipairs(rec.outputs) do redis.call('SADD', P .. ':out:' .. o, k) end
  if rec.status == 'failed' then redis.call('SADD', P .. ':failed:' .. p, r) end
  if ARGV[i + 1] == '1' then redis.call('SREM', P .. ':pending', k) else redis.call('SADD', P .. ':pending', k) end
  if ARGV[i + 2] ~= '' then redis.call('HSET', P .. ':finishes', k, ARGV[i + 2]) else redis.call('HDEL', P .. ':finishes', k) end
end
return (#ARGV - 2) / 3
`;

/** ARGV: prefix, pipeline, relPath. */
export const deleteScript = `${helpers}
local p, r = ARGV[2], ARGV[3]
local k = p .. '\\0' .. r
unindex(p, r, k)
redis.call('HDEL', P .. ':rec:' .. p, r)
redis.call('SREM', P .. ':pending', k)
redis.call('HDEL', P .. ':finishes', k)
return 1
`;
