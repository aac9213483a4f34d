import { describe, expect, it } from 'vitest'
import { toCsv } from '@/shared/csv'

describe('toCsv', () => {
  const cols = [
    { label: '名称', value: (r: { a: unknown }) => r.a },
    { label: 'n', value: () => 1 },
  ]

  it('starts with a BOM and a header, one CRLF line per row', () => {
    expect(toCsv([{ a: '办公室' }], cols)).toBe('\ufeff名称,n\r\n办公室,1\r\n')
  })

  it('quotes commas, quotes and new lines', () => {
    expect(toCsv([{ a: 'x,"y"\nz' }], cols)).toContain('"x,""y""\nz",1')
  })

  it('neutralises spreadsheet formulas', () => {
    expect(toCsv([{ a: '=HYPERLINK("x")' }], cols)).toContain(`"'=HYPERLINK(""x"")"`)
  })

  it('writes empty cells for null and undefined', () => {
    expect(toCsv([{ a: null }], cols)).toBe('\ufeff名称,n\r\n,1\r\n')
  })
})
