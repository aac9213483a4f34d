/** Proof-of-work for public submissions: find `solution` with sha256(salt + ':' + solution) having
 * `bits` leading zero bits. Pure TypeScript SHA-256 (crypto.subtle is missing on plain-HTTP hosts and
 * is async per hash, which is slow for ~65 000 tries). */

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
])
const W = new Uint32Array(64)

/** SHA-256 of an ASCII string (salt and solution are hex/decimal), as 8 big-endian words. */
export function sha256Words(text: string): Uint32Array {
  const n = text.length
  const blocks = ((n + 8) >> 6) + 1
  const m = new Uint32Array(blocks * 16)
  for (let i = 0; i < n; i++) m[i >> 2] = m[i >> 2]! | ((text.charCodeAt(i) & 0xff) << (24 - (i & 3) * 8))
  m[n >> 2] = m[n >> 2]! | (0x80 << (24 - (n & 3) * 8))
  m[blocks * 16 - 1] = n * 8
  const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19])
  for (let b = 0; b < blocks; b++) {
    for (let i = 0; i < 16; i++) W[i] = m[b * 16 + i]!
    for (let i = 16; i < 64; i++) {
      const x = W[i - 15]!, y = W[i - 2]!
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)
      W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0
    }
    let a = h[0]!, bb = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
      const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
      const t2 = (S0 + ((a & bb) ^ (a & c) ^ (bb & c))) | 0
      hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = bb; bb = a; a = (t1 + t2) | 0
    }
    const out = [a, bb, c, d, e, f, g, hh]
    for (let i = 0; i < 8; i++) h[i] = (h[i]! + out[i]!) | 0
  }
  return h
}

export function sha256Hex(text: string): string {
  return Array.from(sha256Words(text), (w) => w.toString(16).padStart(8, '0')).join('')
}

export function leadingZeroBits(words: Uint32Array): number {
  let n = 0
  for (const w of words) {
    if (w === 0) { n += 32; continue }
    return n + Math.clz32(w)
  }
  return n
}

/** Try solutions start..start+count-1; the first that works, or null. */
export function solveRange(salt: string, bits: number, start: number, count: number): string | null {
  for (let i = start; i < start + count; i++) {
    const s = String(i)
    if (leadingZeroBits(sha256Words(`${salt}:${s}`)) >= bits) return s
  }
  return null
}

/** Solve without freezing the page: in a Web Worker when there is one, else in small chunks that
 * give the browser a turn between them. */
export async function solveChallenge(salt: string, bits: number): Promise<string> {
  if (typeof Worker !== 'undefined') {
    try {
      return await new Promise<string>((resolve, reject) => {
        const w = new Worker(new URL('./pow.worker.ts', import.meta.url), { type: 'module' })
        w.onmessage = (e: MessageEvent<string>) => { w.terminate(); resolve(e.data) }
        w.onerror = (e) => { w.terminate(); reject(e) }
        w.postMessage({ salt, bits })
      })
    } catch {
      // fall through to chunks on the main thread
    }
  }
  for (let start = 0; ; start += 4000) {
    const found = solveRange(salt, bits, start, 4000)
    if (found !== null) return found
    await new Promise((r) => setTimeout(r, 0))
  }
}
