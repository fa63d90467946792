// Log format: JSON lines for a file or pipe, readable lines on a terminal, AGORA_LOG_FORMAT overrides.
import { describe, expect, it } from 'vitest'
import { logFormat } from '../../validator/infra/log.ts'

describe('log format', () => {
  it('is pretty on a terminal and JSON otherwise, unless AGORA_LOG_FORMAT says', () => {
    expect(logFormat({}, true)).toBe('pretty')
    expect(logFormat({}, false)).toBe('json')
    expect(logFormat({ AGORA_LOG_FORMAT: 'json' }, true)).toBe('json')
    expect(logFormat({ AGORA_LOG_FORMAT: 'pretty' }, false)).toBe('pretty')
    expect(logFormat({ AGORA_LOG_FORMAT: 'bogus' }, false)).toBe('json')
  })
})
