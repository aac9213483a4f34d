import { describe, expect, it } from 'vitest'
import { clockLevel, pct } from '../../../plugins/petitions/web/src/api'

describe('petitions legal clock colours', () => {
  const open = { state: 'open', overdue: false, basis_date: '2026-01-01', due_date: '2026-03-02' }

  it('is red when overdue, amber when near, green otherwise, grey when closed', () => {
    expect(clockLevel({ ...open, overdue: true }, 0, '2026-03-03')).toBe('danger')
    expect(clockLevel(open, 2, '2026-02-27')).toBe('warning') // two working days left
    expect(clockLevel(open, 10, '2026-02-20')).toBe('warning') // 80 % of the period gone
    expect(clockLevel(open, 30, '2026-01-10')).toBe('success')
    expect(clockLevel({ ...open, state: 'done' }, null, '2026-03-03')).toBe('info')
  })

  it('prints rates as percentages', () => {
    expect(pct(0.8571)).toBe('85.7%')
    expect(pct(null)).toBe('—')
  })
})
