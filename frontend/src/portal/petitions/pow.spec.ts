import { describe, expect, it } from 'vitest'
import { fileProblem } from './api'
import { leadingZeroBits, sha256Hex, sha256Words, solveChallenge, solveRange } from './pow'

describe('proof-of-work', () => {
  it('computes SHA-256 like the server', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    expect(sha256Hex('a'.repeat(100))).toBe('2816597888e4a0d3a36b82b83316ab32680eb8f00f8cd3b904d681246d285a0e')
  })

  it('finds a solution with enough leading zero bits', async () => {
    const s = solveRange('deadbeef', 10, 0, 1_000_000)
    expect(s).not.toBeNull()
    expect(leadingZeroBits(sha256Words(`deadbeef:${s}`))).toBeGreaterThanOrEqual(10)
    const chunked = await solveChallenge('cafe', 8) // no Worker in the test DOM: async chunks
    expect(leadingZeroBits(sha256Words(`cafe:${chunked}`))).toBeGreaterThanOrEqual(8)
  })

  it('checks attachments before sending', () => {
    expect(fileProblem({ type: 'image/png', size: 1000 })).toBe('')
    expect(fileProblem({ type: 'application/zip', size: 1000 })).toBe('type')
    expect(fileProblem({ type: 'application/pdf', size: 11 * 1024 * 1024 })).toBe('size')
  })
})
