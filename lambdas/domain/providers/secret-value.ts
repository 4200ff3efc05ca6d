/**
 * A decrypted secret that does not print: JSON.stringify, String(), template literals and
 * console.log / util.inspect all show "[redacted]", so a resolved key that reaches a log line or an
 * answer by mistake leaks nothing. Only `reveal()` gives the text, at the one place that sends it.
 */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const REDACTED = '[redacted]';

export class SecretValue {
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  reveal(): string {
    return this.#text;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [INSPECT](): string {
    return REDACTED;
  }
}
