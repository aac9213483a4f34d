import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { startIdleTimer } from '@/shared/idle'

describe('idle timer', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('fires once after the timeout without activity', () => {
    let fired = 0
    const target = new EventTarget() as unknown as Window
    startIdleTimer(60_000, () => fired++, target)
    vi.advanceTimersByTime(59_000)
    expect(fired).toBe(0)
    vi.advanceTimersByTime(16_000)
    expect(fired).toBe(1)
    vi.advanceTimersByTime(600_000)
    expect(fired).toBe(1)
  })

  it('activity postpones it', () => {
    let fired = 0
    const target = new EventTarget() as unknown as Window
    startIdleTimer(60_000, () => fired++, target)
    vi.advanceTimersByTime(45_000)
    target.dispatchEvent(new Event('keydown'))
    vi.advanceTimersByTime(45_000)
    expect(fired).toBe(0)
    vi.advanceTimersByTime(30_000)
    expect(fired).toBe(1)
  })

  it('stop() cancels it', () => {
    let fired = 0
    const timer = startIdleTimer(1000, () => fired++, new EventTarget() as unknown as Window)
    timer.stop()
    vi.advanceTimersByTime(10_000)
    expect(fired).toBe(0)
  })
})
