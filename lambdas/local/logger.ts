/**
 * The local platform's log: one line per entry, a level and a message with fields, as text
 * (`<time> <LEVEL> <message> key=value ...`) or as JSON lines. Entries below the level are dropped.
 * No dependency: a few lines of node: code say all the local platform needs to say.
 */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  /** Whether entries of this level are written (to skip work for dropped entries). */
  enabled(level: LogLevel): boolean;
}

interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  /** Where each line goes (without its newline); stdout by default. */
  write?: (line: string) => void;
  clock?: () => number;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level ?? 'info');
  const format = options.format ?? 'text';
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const clock = options.clock ?? Date.now;
  const enabled = (level: LogLevel) => LOG_LEVELS.indexOf(level) <= threshold;
  const entry =
    (level: LogLevel) =>
    (message: string, fields: LogFields = {}) => {
      if (!enabled(level)) return;
      const time = new Date(clock()).toISOString();
      const defined = Object.entries(fields).filter(([, value]) => value !== undefined);
      write(
        format === 'json'
          ? JSON.stringify({ time, level, msg: message, ...Object.fromEntries(defined) })
          : [
              time,
              level.toUpperCase().padEnd(5),
              message,
              ...defined.map(([k, v]) => `${k}=${textValue(v)}`),
            ].join(' '),
      );
    };
  return { error: entry('error'), warn: entry('warn'), info: entry('info'), debug: entry('debug'), enabled };
}

/** A value as one token: quoted when it has spaces, quotes or is empty, so lines split cleanly. */
function textValue(value: string | number | boolean | undefined): string {
  const text = String(value);
  return text === '' || /[\s"=]/.test(text) ? JSON.stringify(text) : text;
}

/** A logger over a plain line sink (the older `log` option): every level, text lines without the time. */
export function loggerFromLines(log: (line: string) => void): Logger {
  return createLogger({
    level: 'debug',
    write: (line) => log(line.slice(line.indexOf(' ') + 1)),
  });
}
