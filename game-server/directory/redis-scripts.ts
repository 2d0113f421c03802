/**
 * The directory's Lua scripts: each one runs atomically inside Redis, so a seat claim,
 * a ticket redemption or a lease refresh is never interleaved with another node's.
 * Key layout (P is the key prefix, `dustup:` by default; times are Redis TIME in ms):
 *
 *   P epoch              string  INCR counter: every registration takes the next (fencing number)
 *   P nodes              zset    node id -> lease expiry; read with ZRANGEBYSCORE now +inf, pruned by score
 *   P node:{id}          hash    the lease: epoch url players capacity roomCapacity rooms maxRooms p99 budget; PEXPIRE ttl
 *   P rooms:{id}         hash    code -> "epoch|public|players|capacity|state|createdMs" (state L hosted, R reserved); same TTL
 *   P open:{id}          zset    public rooms with a free seat -> free seats (fullest first = lowest score); same TTL
 *   P code:{CODE}        string  "node|epoch": who hosts the code; SET NX makes codes unique; same TTL
 *   P pending:{CODE}     zset    ticket -> expiry: seats promised and not yet taken; pruned by score
 *   P ticket:{T}         string  "node|epoch|CODE|public", PX ticket TTL; GET+DEL on redemption
 *   P req:{requestId}    string  "CODE|T": a retried request gets the same seat (idempotent create)
 *
 * Everything a node lists carries its lease's TTL and is refreshed with it, so a dead
 * node's listings vanish by themselves: no cleanup job, and no request scans more than
 * the live nodes' own keys. Keys are computed inside the scripts, which a single Redis
 * (or primary + replicas) allows; Redis Cluster would need hash tags.
 */

const PRELUDE = `
local P = ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function split(s)
  local out, start = {}, 1
  while true do
    local i = string.find(s, '|', start, true)
    if not i then out[#out + 1] = string.sub(s, start); return out end
    out[#out + 1] = string.sub(s, start, i - 1)
    start = i + 1
  end
end
`;

/**
 * Register a node: a new epoch (at least minEpoch + 1, so a counter lost with a Redis
 * restart never hands out an epoch a live node already used), an empty listing.
 * ARGV: P id ttl url minEpoch players capacity roomCapacity rooms maxRooms p99 budget
 */
export const REGISTER = `${PRELUDE}
local id, ttl = ARGV[2], tonumber(ARGV[3])
local e = redis.call('INCR', P .. 'epoch')
local minE = tonumber(ARGV[5])
if e <= minE then e = minE + 1; redis.call('SET', P .. 'epoch', e) end
local nk = P .. 'node:' .. id
local previous = redis.call('HGET', nk, 'epoch')
redis.call('DEL', nk, P .. 'rooms:' .. id, P .. 'open:' .. id)
redis.call('HSET', nk, 'epoch', e, 'url', ARGV[4], 'players', ARGV[6], 'capacity', ARGV[7], 'roomCapacity', ARGV[8],
  'rooms', ARGV[9], 'maxRooms', ARGV[10], 'p99', ARGV[11], 'budget', ARGV[12])
redis.call('PEXPIRE', nk, ttl)
redis.call('ZADD', P .. 'nodes', now + ttl, id)
return {e, previous or ''}
`;

/**
 * Refresh the lease and this node's listings. Answers {'lost'} when the lease is gone or
 * has another epoch (this node was evicted: its codes may be someone else's now),
 * {'reset'} when the whole directory is gone (Redis restarted empty: rebuild), else
 * {'ok', conflicting codes...}: local rooms whose code another node holds (not listed).
 * ARGV: P id epoch ttl url players capacity roomCapacity rooms maxRooms p99 budget reserveTtl,
 *       then per room: code public players capacity open
 */
export const HEARTBEAT = `${PRELUDE}
local id, epoch, ttl = ARGV[2], ARGV[3], tonumber(ARGV[4])
local nk = P .. 'node:' .. id
local cur = redis.call('HGET', nk, 'epoch')
if not cur then
  local counter = tonumber(redis.call('GET', P .. 'epoch') or '0')
  if counter < tonumber(epoch) then return {'reset'} end
  return {'lost'}
end
if cur ~= epoch then return {'lost'} end
redis.call('HSET', nk, 'url', ARGV[5], 'players', ARGV[6], 'capacity', ARGV[7], 'roomCapacity', ARGV[8],
  'rooms', ARGV[9], 'maxRooms', ARGV[10], 'p99', ARGV[11], 'budget', ARGV[12])
redis.call('PEXPIRE', nk, ttl)
redis.call('ZADD', P .. 'nodes', now + ttl, id)
redis.call('ZREMRANGEBYSCORE', P .. 'nodes', '-inf', now)
local reserveTtl = tonumber(ARGV[13])
local rk, ok = P .. 'rooms:' .. id, P .. 'open:' .. id
local mine = id .. '|' .. epoch
local listed, conflicts = {}, {}
local i = 14
while i + 4 <= #ARGV do
  local code, pub, players, cap, open = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3]), ARGV[i + 4]
  i = i + 5
  local ck = P .. 'code:' .. code
  local owner = redis.call('GET', ck)
  if owner and string.sub(owner, 1, #id + 1) ~= id .. '|' then
    conflicts[#conflicts + 1] = code
  else
    listed[code] = true
    redis.call('SET', ck, mine, 'PX', ttl)
    local pk = P .. 'pending:' .. code
    redis.call('ZREMRANGEBYSCORE', pk, '-inf', now)
    local pc = redis.call('ZCARD', pk)
    redis.call('HSET', rk, code, epoch .. '|' .. pub .. '|' .. players .. '|' .. cap .. '|L|' .. now)
    local free = cap - players - pc
    if pub == '1' and open == '1' and free > 0 then redis.call('ZADD', ok, free, code) else redis.call('ZREM', ok, code) end
  end
end
local all = redis.call('HGETALL', rk)
for j = 1, #all, 2 do
  local code = all[j]
  if not listed[code] then
    local f = split(all[j + 1])
    if f[5] == 'R' and now - tonumber(f[6]) < reserveTtl and f[1] == epoch then
      redis.call('PEXPIRE', P .. 'code:' .. code, ttl)
    else
      redis.call('HDEL', rk, code)
      redis.call('ZREM', ok, code)
      if redis.call('GET', P .. 'code:' .. code) == mine then redis.call('DEL', P .. 'code:' .. code) end
    end
  end
end
redis.call('PEXPIRE', rk, ttl)
redis.call('PEXPIRE', ok, ttl)
return {'ok', unpack(conflicts)}
`;

/**
 * A seat: in the room with this code, in the fullest open public room of any live node
 * (quick play), or in a new room on the live node with the most room to spare (quick
 * play with no open room, or a private room). Checks that the room exists, is open, is
 * hosted under its node's current epoch and that players + pending seats < capacity,
 * then writes the ticket. One script, so concurrent claims from every node serialize.
 * Answers {'ok', url, ticket, code, node, epoch, public} or {error}: notfound, full,
 * nonode (no live node with capacity), codes (every candidate code taken).
 * KEYS: none. ARGV: P mode(quick|code|create) code ticket ticketTtl reserveTtl reqKey reqTtl leaseTtl candidates...
 */
export const SEAT = `${PRELUDE}
local mode, wanted, ticket = ARGV[2], ARGV[3], ARGV[4]
local ticketTtl, reserveTtl, reqKey, reqTtl, leaseTtl = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7], tonumber(ARGV[8]), tonumber(ARGV[9])
redis.call('ZREMRANGEBYSCORE', P .. 'nodes', '-inf', now)

local function grant(node, epoch, code, pub, t)
  local url = redis.call('HGET', P .. 'node:' .. node, 'url')
  return {'ok', url or '', t, code, node, epoch, pub}
end

if reqKey ~= '' then
  local prev = redis.call('GET', reqKey)
  if prev then
    local r = split(prev)
    local tv = redis.call('GET', P .. 'ticket:' .. r[2])
    if tv then
      local f = split(tv)
      return grant(f[1], f[2], f[3], f[4], r[2])
    end
    -- The first answer's ticket was used or expired: a new seat, but in the same room.
    mode, wanted = 'code', r[1]
  end
end

local function owner(code)
  local o = redis.call('GET', P .. 'code:' .. code)
  if not o then return nil end
  local f = split(o)
  if redis.call('HGET', P .. 'node:' .. f[1], 'epoch') ~= f[2] then return nil end
  local entry = redis.call('HGET', P .. 'rooms:' .. f[1], code)
  if not entry then return nil end
  local e = split(entry)
  if e[1] ~= f[2] then return nil end
  return {node = f[1], epoch = f[2], pub = e[2], players = tonumber(e[3]), cap = tonumber(e[4])}
end

local function claim(code, r)
  local pk = P .. 'pending:' .. code
  redis.call('ZREMRANGEBYSCORE', pk, '-inf', now)
  local pc = redis.call('ZCARD', pk)
  if r.players + pc >= r.cap then
    redis.call('ZREM', P .. 'open:' .. r.node, code)
    return nil
  end
  redis.call('ZADD', pk, now + ticketTtl, ticket)
  redis.call('PEXPIRE', pk, ticketTtl + 1000)
  redis.call('SET', P .. 'ticket:' .. ticket, r.node .. '|' .. r.epoch .. '|' .. code .. '|' .. r.pub, 'PX', ticketTtl)
  local ok = P .. 'open:' .. r.node
  local free = r.cap - r.players - pc - 1
  if r.pub == '1' and free > 0 then redis.call('ZADD', ok, 'XX', free, code) else redis.call('ZREM', ok, code) end
  redis.call('HINCRBY', P .. 'node:' .. r.node, 'players', 1)
  if reqKey ~= '' then redis.call('SET', reqKey, code .. '|' .. ticket, 'PX', reqTtl) end
  return grant(r.node, r.epoch, code, r.pub, ticket)
end

if mode == 'code' then
  local r = owner(wanted)
  if not r then return {'notfound'} end
  return claim(wanted, r) or {'full'}
end

local live = redis.call('ZRANGEBYSCORE', P .. 'nodes', now, '+inf')
if mode == 'quick' then
  for attempt = 1, 8 do
    local bestCode, bestNode, bestFree = nil, nil, nil
    for _, node in ipairs(live) do
      local top = redis.call('ZRANGEBYSCORE', P .. 'open:' .. node, 1, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
      if top[1] and (not bestFree or tonumber(top[2]) < bestFree) then
        bestCode, bestNode, bestFree = top[1], node, tonumber(top[2])
      end
    end
    if not bestCode then break end
    local r = owner(bestCode)
    if r and r.pub == '1' then
      local g = claim(bestCode, r)
      if g then return g end
    else
      redis.call('ZREM', P .. 'open:' .. bestNode, bestCode)
    end
  end
end

-- A new room, on the node with the most room to spare: the smaller of its free seat
-- share and its tick headroom; room count is not the measure. A tick p99 under half the
-- budget is full headroom (below that it is noise: a neighbour's burst on a shared
-- machine, not load), falling to none at the budget; spares within 0.02 are a tie that
-- the fewer players win, so a lightly loaded cluster fills its nodes evenly.
local target, targetSpare, targetPlayers = nil, -1, 0
for _, node in ipairs(live) do
  local h = redis.call('HMGET', P .. 'node:' .. node, 'players', 'capacity', 'rooms', 'maxRooms', 'p99', 'budget')
  local players, cap, rooms, maxRooms = tonumber(h[1] or '0'), tonumber(h[2] or '0'), tonumber(h[3] or '0'), tonumber(h[4] or '0')
  local p99, budget = tonumber(h[5] or '0'), tonumber(h[6] or '1')
  if cap and cap > 0 and players < cap and rooms < maxRooms then
    local tickSpare = 1 - math.min(1, math.max(0, p99 / budget - 0.5) * 2)
    local spare = math.min(1 - players / cap, tickSpare)
    if target == nil or spare > targetSpare + 0.02 or (spare >= targetSpare - 0.02 and players < targetPlayers) then
      target, targetSpare, targetPlayers = node, spare, players
    end
  end
end
if not target then return {'nonode'} end
local nk = P .. 'node:' .. target
local n = redis.call('HMGET', nk, 'epoch', 'roomCapacity')
local epoch, cap = n[1], tonumber(n[2])
local code = nil
for j = 10, #ARGV do
  if redis.call('SET', P .. 'code:' .. ARGV[j], target .. '|' .. epoch, 'NX', 'PX', leaseTtl) then code = ARGV[j]; break end
end
if not code then return {'codes'} end
local pub = mode == 'quick' and '1' or '0'
local rk, ok = P .. 'rooms:' .. target, P .. 'open:' .. target
redis.call('HSET', rk, code, epoch .. '|' .. pub .. '|0|' .. cap .. '|R|' .. now)
if pub == '1' then redis.call('ZADD', ok, cap, code) end
-- Listings live exactly as long as their node's lease.
local left = redis.call('PTTL', nk)
if left > 0 then redis.call('PEXPIRE', rk, left); redis.call('PEXPIRE', ok, left) end
redis.call('HINCRBY', nk, 'rooms', 1)
return claim(code, {node = target, epoch = epoch, pub = pub, players = 0, cap = cap}) or {'full'}
`;

/**
 * Redeem a ticket on the node it names: GET and DEL in one step (once only), then check
 * node id, epoch and room. The seat moves from pending to the room's player count, so a
 * claim between now and the next heartbeat still sees it.
 * Answers {'ok', public, capacity} or {error}: unknown, othernode, wrongroom, lost, gone.
 * ARGV: P id epoch code ticket
 */
export const REDEEM = `${PRELUDE}
local id, epoch, code, ticket = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local tk = P .. 'ticket:' .. ticket
local v = redis.call('GET', tk)
if not v then return {'unknown'} end
redis.call('DEL', tk)
local f = split(v)
redis.call('ZREM', P .. 'pending:' .. f[3], ticket)
if f[1] ~= id or f[2] ~= epoch then return {'othernode'} end
if f[3] ~= code then return {'wrongroom'} end
if redis.call('HGET', P .. 'node:' .. id, 'epoch') ~= epoch then return {'lost'} end
if redis.call('GET', P .. 'code:' .. code) ~= id .. '|' .. epoch then return {'gone'} end
local rk = P .. 'rooms:' .. id
local entry = redis.call('HGET', rk, code)
if not entry then return {'gone'} end
local e = split(entry)
redis.call('HSET', rk, code, e[1] .. '|' .. e[2] .. '|' .. (tonumber(e[3]) + 1) .. '|' .. e[4] .. '|' .. e[5] .. '|' .. e[6])
return {'ok', f[4], e[4]}
`;

/**
 * Reserve a code for a room this node creates itself (a Hello without a ticket): SET NX,
 * listed at once so no other node's claim can take the code.
 * Answers {'ok', code} or {'codes'} / {'lost'}. ARGV: P id epoch leaseTtl public capacity candidates...
 */
export const RESERVE = `${PRELUDE}
local id, epoch, ttl, pub, cap = ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6]
if redis.call('HGET', P .. 'node:' .. id, 'epoch') ~= epoch then return {'lost'} end
for j = 7, #ARGV do
  if redis.call('SET', P .. 'code:' .. ARGV[j], id .. '|' .. epoch, 'NX', 'PX', ttl) then
    redis.call('HSET', P .. 'rooms:' .. id, ARGV[j], epoch .. '|' .. pub .. '|1|' .. cap .. '|L|' .. now)
    -- Open to quick play from every node at once, not only after the next refresh.
    if pub == '1' and tonumber(cap) > 1 then redis.call('ZADD', P .. 'open:' .. id, tonumber(cap) - 1, ARGV[j]) end
    redis.call('HINCRBY', P .. 'node:' .. id, 'players', 1)
    redis.call('HINCRBY', P .. 'node:' .. id, 'rooms', 1)
    local left = redis.call('PTTL', P .. 'node:' .. id)
    if left > 0 then
      redis.call('PEXPIRE', P .. 'rooms:' .. id, left)
      redis.call('PEXPIRE', P .. 'open:' .. id, left)
    end
    return {'ok', ARGV[j]}
  end
end
return {'codes'}
`;

/**
 * Every live node's listed rooms, for /api/rooms: one HGETALL per live node (the live
 * set is small), never a scan of the keyspace. Answers flat
 * [node, url, code, "epoch|public|players|capacity|state|created", ...].
 * ARGV: P
 */
export const LIST = `${PRELUDE}
local out = {}
for _, node in ipairs(redis.call('ZRANGEBYSCORE', P .. 'nodes', now, '+inf')) do
  local h = redis.call('HMGET', P .. 'node:' .. node, 'epoch', 'url')
  if h[1] then
    local all = redis.call('HGETALL', P .. 'rooms:' .. node)
    for j = 1, #all, 2 do
      out[#out + 1] = node; out[#out + 1] = h[2]; out[#out + 1] = all[j]; out[#out + 1] = all[j + 1]
    end
  end
end
return out
`;
