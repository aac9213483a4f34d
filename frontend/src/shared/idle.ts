/** Idle timeout: after `timeoutMs` without user activity, `onIdle` runs once (sign-out in the console). */
export interface IdleTimer {
  touch(): void
  stop(): void
}

const EVENTS = ['mousedown', 'keydown', 'touchstart', 'wheel', 'scroll'] as const

export function startIdleTimer(
  timeoutMs: number,
  onIdle: () => void,
  target: Pick<Window, 'addEventListener' | 'removeEventListener'> = window,
  now: () => number = Date.now,
): IdleTimer {
  let last = now()
  let fired = false
  const touch = () => {
    last = now()
  }
  // Checked by wall clock, so a sleeping laptop or a throttled background tab still times out.
  const check = () => {
    if (!fired && now() - last >= timeoutMs) {
      fired = true
      stop()
      onIdle()
    }
  }
  const interval = setInterval(check, Math.min(15_000, Math.max(1000, timeoutMs / 4)))
  for (const e of EVENTS) target.addEventListener(e, touch, { passive: true })
  function stop() {
    clearInterval(interval)
    for (const e of EVENTS) target.removeEventListener(e, touch)
  }
  return { touch, stop }
}
