// Differential oracle for io.herald.yjs (YjsNodeCompatibilityTest). Uses yjs only through its public API.
//   node yjs-oracle.mjs cases <seed> <scenarios>   -> JSON array of {op, inputs|update, sv, out, many}
//   node yjs-oracle.mjs noncanonical               -> JSON array of {op: 'merge', inputs, out | error}
//   node yjs-oracle.mjs equivalent                 <- stdin JSON [{a, b}] -> JSON [{same, a, b}]
// Deterministic: seeded PRNG, fixed client ids and sub-document guids.
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'

const hex = (u) => Buffer.from(u).toString('hex')
const unhex = (s) => new Uint8Array(Buffer.from(s, 'hex'))

const mulberry32 = (seed) => () => {
  seed |= 0; seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const CLIENT_POOL = [1, 2, 7, 300, 65536, 2147483647, 2147483653, 3735928559, 4294967295]
const KEYS = ['a', 'b', 'title', '1', '10', '0', 'é😀']
const STRINGS = ['x', 'Hello', ' world', 'é', '😀', 'a😀b', '\u2028', '"q"\\', '日本語', 'line\nbreak']

const run = (seed, scenarios) => {
  const rng = mulberry32(seed)
  const int = (n) => Math.floor(rng() * n)
  const pick = (a) => a[int(a.length)]
  const value = (depth) => {
    switch (int(depth > 2 ? 9 : 12)) {
      case 0: return int(1000) - 500
      case 1: return pick([1.5, 0.1, -2.25, 1e21, 2 ** 31, -(2 ** 31), 2 ** 53 - 1, 1e-7, -0])
      case 2: return pick(STRINGS)
      case 3: return rng() < 0.5
      case 4: return null
      case 5: return pick([NaN, Infinity, -Infinity, 3.4028234663852886e38])
      case 6: return BigInt(int(1 << 30)) * BigInt(int(1 << 30)) - 5n
      case 7: return new Uint8Array([int(256), int(256), 0])
      case 8: return undefined
      case 9: case 10: { const o = {}; for (let i = int(4); i > 0; i--) o[pick(KEYS)] = value(depth + 1); return o }
      default: { const a = []; for (let i = int(4); i > 0; i--) a.push(value(depth + 1)); return a }
    }
  }
  const cases = []
  for (let s = 0; s < scenarios; s++) {
    const ids = [...CLIENT_POOL].sort(() => rng() - 0.5).slice(0, 2 + int(4))
    const docs = ids.map((id) => { const d = new Y.Doc({ gc: rng() < 0.8 }); d.clientID = id; return d })
    const pool = []
    docs.forEach((d) => d.on('update', (u) => pool.push(u)))
    const steps = 8 + int(40)
    for (let i = 0; i < steps; i++) {
      const d = pick(docs)
      const text = d.getText('text'); const map = d.getMap('map'); const arr = d.getArray('arr'); const xml = d.getXmlFragment('xml')
      const op = int(14)
      try {
        d.transact(() => {
          if (op === 0 || op === 1) text.insert(int(text.length + 1), pick(STRINGS), rng() < 0.3 ? { bold: rng() < 0.5 ? true : null } : undefined)
          else if (op === 2 && text.length > 0) { const at = int(text.length); text.delete(at, 1 + int(Math.min(4, text.length - at))) }
          else if (op === 3 && text.length > 0) text.format(int(text.length), 1 + int(3), { italic: pick([true, null, { deep: [1, 'x'] }]) })
          else if (op === 4) text.insertEmbed(int(text.length + 1), { image: pick(STRINGS), w: int(9) })
          else if (op === 5) map.set(pick(KEYS), value(0))
          else if (op === 6) { const k = pick(KEYS); if (map.has(k)) map.delete(k) }
          else if (op === 7) { const m = new Y.Map(); map.set(pick(KEYS), m); m.set('n', value(1)); m.set('t', new Y.Text('in')) }
          else if (op === 8) { const vals = []; for (let k = 1 + int(5); k > 0; k--) vals.push(value(1)); arr.insert(int(arr.length + 1), vals) }
          else if (op === 9 && arr.length > 0) { const at = int(arr.length); arr.delete(at, 1 + int(Math.min(3, arr.length - at))) }
          else if (op === 10) { const e = new Y.XmlElement(pick(['p', 'h1'])); e.setAttribute('k', pick(STRINGS)); e.insert(0, [new Y.XmlText(pick(STRINGS))]); xml.insert(int(xml.length + 1), [e, new Y.XmlHook('hook')]) }
          else if (op === 11) map.set(pick(KEYS), new Y.Doc({ guid: 'sub-' + int(50), autoLoad: rng() < 0.5, meta: rng() < 0.5 ? null : { m: 1 } }))
          else if (op === 12) { const m = map.get(pick(KEYS)); if (m instanceof Y.Map) { m.set('n2', value(1)); if (rng() < 0.5) m.delete('n') } }
          else { const other = pick(docs); if (other !== d) Y.applyUpdate(d, Y.encodeStateAsUpdate(other, Y.encodeStateVector(d))) }
        })
      } catch (e) { /* an op that does not apply to the current state */ }
      if (rng() < 0.15) pool.push(Y.encodeStateAsUpdate(pick(docs)))
    }
    for (const d of docs) pool.push(Y.encodeStateAsUpdate(d))
    const randomSv = () => {
      if (rng() < 0.4) return Y.encodeStateVector(pick(docs))
      const m = new Map()
      for (const d of docs) if (rng() < 0.7) m.set(d.clientID, int(Y.getState(d.store, d.clientID) + 3))
      return Y.encodeStateVector(m)
    }
    const derived = []
    for (let k = 0; k < 3; k++) {
      const src = pick(pool)
      derived.push(Y.diffUpdate(src, randomSv()))
    }
    const all = () => pool.concat(derived)
    for (let k = 0; k < 12; k++) {
      const n = 2 + int(Math.min(10, all().length))
      const inputs = []
      for (let j = 0; j < n; j++) inputs.push(pick(all()))
      const out = Y.mergeUpdates(inputs)
      cases.push({ op: 'merge', inputs: inputs.map(hex), out: hex(out) })
      if (rng() < 0.4) derived.push(out)
    }
    // GC-focused: incremental updates still hold the Items of nested types that later snapshots
    // hold as GC, so merges meet GC and Item at the same clock (yjs's inconsistent comparator).
    const g = new Y.Doc({ gc: true }); g.clientID = pick(CLIENT_POOL)
    const gUpdates = []; const gSnaps = []
    g.on('update', (u) => gUpdates.push(u))
    for (let r = 3 + int(6); r > 0; r--) {
      const gm = g.getMap('map')
      if (rng() < 0.6) { const m = new Y.Map(); gm.set(pick(KEYS), m); for (let j = 1 + int(4); j > 0; j--) m.set(pick(KEYS), value(2)) }
      else if (rng() < 0.5) gm.set(pick(KEYS), value(1))
      else g.getText('text').insert(0, pick(STRINGS))
      if (rng() < 0.5) gSnaps.push(Y.encodeStateAsUpdate(g))
    }
    gSnaps.push(Y.encodeStateAsUpdate(g))
    for (let k = 0; k < 6; k++) {
      const inputs = []
      for (let j = 2 + int(20); j > 0; j--) {
        const r = rng()
        if (r < 0.4) inputs.push(pick(gUpdates))
        else if (r < 0.6) inputs.push(pick(gSnaps))
        else inputs.push(Y.diffUpdate(pick(gSnaps), Y.encodeStateVector(new Map([[g.clientID, int(Y.getState(g.store, g.clientID) + 1)]]))))
      }
      cases.push({ op: 'merge', inputs: inputs.map(hex), out: hex(Y.mergeUpdates(inputs)) })
    }
    for (let k = 0; k < 8; k++) {
      const update = pick(all()); const sv = randomSv()
      cases.push({ op: 'diff', update: hex(update), sv: hex(sv), out: hex(Y.diffUpdate(update, sv)) })
    }
    for (let k = 0; k < 4; k++) {
      const update = pick(all())
      cases.push({ op: 'sv', update: hex(update), out: hex(Y.encodeStateVectorFromUpdate(update)) })
    }
    if (s % 5 === 0) {
      const inputs = []
      for (let j = 64 + int(20); j > 0; j--) inputs.push(pick(all()))
      cases.push({ op: 'merge', inputs: inputs.map(hex), out: hex(Y.mergeUpdates(inputs)), many: true })
    }
  }
  return cases
}

// Hand-built updates that no yjs writer produces: yjs must re-encode them canonically (or refuse
// them), and so must the codec. One Item each, client 42, root "r".
const JSON_TEXTS = [
  ' { "b" : 1 , "a" : [ 1.0, 2e3, -0, 1E-7, 1e-6, 1e21, 1e20, 123456789012345678901234567890, 0.1, 5e-324, 1.7976931348623157e308, 1e400 ] } ',
  '"\\u00e9\\ud83d\\ude00\\u2028\\/\\b\\f\\u001f\\ud800 \\uDEAD\u007f"',
  '{"__proto__": 1, "2": 0, "1": 0, "a": 0, "a": 5, "01": 1, "4294967295": 2, "4294967294": 3}',
  '  true ', 'null', '[[], {}, ""]', '-1.5E+2', '0.000001234', '1.5e-7', '[1,]', '{"a":1', '01', 'undefined', '\ufeff1', 'NaN'
]
const ANY_VALUES = [
  '7b4000000000000000', '7c3f000000', '7b3ff0000000000001', '7d8080808080808001', '7d40',
  '760201617d0101617d02', '76020931305f5f70726f746f5f5f7601017a7d05', '7b7ff8000000000001', '7c7fc00000',
  '7b8000000000000000', '760209' + Buffer.from('__proto__').toString('hex') + '7e01617d01', '7a0000000000000000'
]
const DOC_OPTS = ['7600', '7601026763' + '7d00', '7603086175746f4c6f6164770178026763' + '7e' + '046d657461' + '7f', '7e', '7f', '7d05', '7501' + '7d01', '7601046d657461760101617d01']
const item = (ref, writeContent) => {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 1); encoding.writeVarUint(e, 1); encoding.writeVarUint(e, 42); encoding.writeVarUint(e, 0)
  encoding.writeUint8(e, ref); encoding.writeVarUint(e, 1); encoding.writeVarString(e, 'r')
  writeContent(e)
  encoding.writeVarUint(e, 0)
  return encoding.toUint8Array(e)
}
const nonCanonical = () => {
  const inputs = []
  for (const t of JSON_TEXTS) {
    inputs.push(item(5, (e) => encoding.writeVarString(e, t)))
    inputs.push(item(6, (e) => { encoding.writeVarString(e, 'k'); encoding.writeVarString(e, t) }))
    inputs.push(item(2, (e) => { encoding.writeVarUint(e, 2); encoding.writeVarString(e, t); encoding.writeVarString(e, 'undefined') }))
  }
  for (const a of ANY_VALUES) inputs.push(item(8, (e) => { encoding.writeVarUint(e, 1); encoding.writeUint8Array(e, unhex(a)) }))
  for (const o of DOC_OPTS) inputs.push(item(9, (e) => { encoding.writeVarString(e, 'g'); encoding.writeUint8Array(e, unhex(o)) }))
  return inputs.map((u) => {
    const c = { op: 'merge', inputs: [hex(u), '0000'] }
    try { c.out = hex(Y.mergeUpdates([u, new Uint8Array([0, 0])])) } catch (err) { c.error = String(err.message) }
    return c
  })
}

// What "the same document" means: the content of every root this oracle writes, the state
// vector, and the delete set as a set of clocks.
const content = (u) => {
  const d = new Y.Doc({ gc: false })
  d.clientID = 1
  Y.applyUpdate(d, u)
  const ds = Y.createDeleteSetFromStructStore(d.store)
  const deleted = [...ds.clients.entries()].sort((a, b) => a[0] - b[0]).map(([c, rs]) => [c, rs.map((r) => [r.clock, r.len])])
  const plain = (v) => JSON.stringify(v, (k, x) => (typeof x === 'bigint' ? x.toString() + 'n' : x instanceof Uint8Array ? hex(x) : x))
  return plain({
    text: d.getText('text').toDelta(),
    map: d.getMap('map').toJSON(),
    arr: d.getArray('arr').toJSON(),
    xml: d.getXmlFragment('xml').toString(),
    sv: hex(Y.encodeStateVector(d)),
    deleted,
    pending: d.store.pendingStructs === null ? null : hex(d.store.pendingStructs.update),
    pendingDs: d.store.pendingDs === null ? null : hex(d.store.pendingDs)
  })
}

const [cmd, ...args] = process.argv.slice(2)
if (cmd === 'cases') {
  process.stdout.write(JSON.stringify(run(Number(args[0]), Number(args[1]))))
} else if (cmd === 'noncanonical') {
  process.stdout.write(JSON.stringify(nonCanonical()))
} else if (cmd === 'equivalent') {
  const chunks = []
  for await (const c of process.stdin) chunks.push(c)
  const pairs = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  process.stdout.write(JSON.stringify(pairs.map(({ a, b }) => {
    const ca = content(unhex(a)); const cb = content(unhex(b))
    return { same: ca === cb, a: ca, b: cb }
  })))
} else {
  console.error('usage: node yjs-oracle.mjs cases <seed> <scenarios> | equivalent')
  process.exit(2)
}
