/** Web Worker: solves a proof-of-work challenge off the main thread (see pow.ts). */
import { solveRange } from './pow'

self.onmessage = (e: MessageEvent<{ salt: string; bits: number }>) => {
  const { salt, bits } = e.data
  for (let start = 0; ; start += 100_000) {
    const found = solveRange(salt, bits, start, 100_000)
    if (found !== null) {
      ;(self as unknown as Worker).postMessage(found)
      return
    }
  }
}
