import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../lambdas/local/logger';

const T = Date.UTC(2026, 11, 2, 14, 0, 0);

function capture(level: 'error' | 'warn' | 'info' | 'debug', format: 'text' | 'json' = 'text') {
  const lines: string[] = [];
  const logger = createLogger({ level, format, write: (line) => lines.push(line), clock: () => T });
  return { logger, lines };
}

describe('local logger', () => {
  it('writes text lines with time, level, message and fields, quoting values with spaces', () => {
    const { logger, lines } = capture('info');
    logger.info('request', {
      method: 'POST',
      path: '/v1/traces',
      status: 200,
      why: 'bad body',
      skipped: undefined,
    });
    expect(lines).toEqual([
      '2026-12-02T14:00:00.000Z INFO  request method=POST path=/v1/traces status=200 why="bad body"',
    ]);
  });

  it('drops entries below the level', () => {
    const { logger, lines } = capture('warn');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(lines.map((line) => line.split(' ')[1])).toEqual(['WARN', 'ERROR']);
    expect(logger.enabled('info')).toBe(false);
  });

  it('writes JSON lines when asked', () => {
    const { logger, lines } = capture('debug', 'json');
    logger.debug('writer: batch written', { files: 2, events: 40 });
    expect(JSON.parse(lines[0] as string)).toEqual({
      time: '2026-12-02T14:00:00.000Z',
      level: 'debug',
      msg: 'writer: batch written',
      files: 2,
      events: 40,
    });
  });
});
