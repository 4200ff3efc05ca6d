/**
 * Redaction applied to span inputs, outputs and attribute values before export. The default masks
 * common secret shapes found in prompts, tool arguments and headers; values under secret-looking
 * keys are replaced whole. The walk is deep, cycle-safe and non-mutating, and its output is always
 * JSON-serializable, so the exporter can encode whatever comes out.
 */

export interface RedactionOptions {
  /** Mask e-mail addresses too (off by default: they are often the useful part of a trace). */
  maskEmails?: boolean;
  /** Extra patterns masked in every string, in addition to the defaults. */
  patterns?: RegExp[];
  /** Extra keys whose values are replaced whole (exact names match case-insensitively). */
  redactKeys?: (string | RegExp)[];
  /** Text that replaces a secret; default [REDACTED]. */
  replacement?: string;
  /**
   * Last word on every node, bottom-up: receives the already-redacted value (objects are fresh
   * copies) and its path, returns the value to keep. If it throws, the node is replaced (fail closed).
   */
  custom?: (value: unknown, path: string[]) => unknown;
  /** Deeper nodes become "[MaxDepth]"; default 32. */
  maxDepth?: number;
}

export type Redactor = (value: unknown) => unknown;

// One alternation compiled once: a string is scanned in a single pass however many shapes we know.
// Named groups `keep` hold text that stays (e.g. "Bearer ", "password=") in front of the secret.
const SECRET_SOURCES = [
  '-----BEGIN[A-Z ]*PRIVATE KEY-----[\\s\\S]*?-----END[A-Z ]*PRIVATE KEY-----',
  // OpenAI (sk-, sk-proj-...) and Anthropic (sk-ant-...) keys.
  '\\bsk-[A-Za-z0-9_-]{20,}',
  '\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b',
  '\\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}\\b',
  '\\bgithub_pat_[A-Za-z0-9_]{22,}',
  '\\bglpat-[A-Za-z0-9_-]{20,}',
  '\\bxox[abprs]-[A-Za-z0-9-]{10,}',
  '\\bAIza[0-9A-Za-z_-]{35}',
  '\\b(?:sk|rk)_live_[A-Za-z0-9]{16,}',
  '\\bwgl_[A-Za-z0-9_-]{16,}',
  '\\beyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*',
  '(?<keep>\\b[Bb]earer\\s+)[A-Za-z0-9._~+/=-]{8,}',
  // key=value / "key": "value" inside serialized text, where the key rule below cannot see.
  '(?<keep2>\\b(?:password|passwd|secret|client_secret|api[_-]?key|access[_-]?token|refresh[_-]?token)["\']?\\s*[:=]\\s*["\']?)[^\\s"\',;&}]{3,}',
];
const EMAIL_SOURCE = '\\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}\\b';

/** @internal The sources of the built-in shapes (tests check the short-string guard against them). */
export const SECRET_SHAPE_SOURCES: readonly string[] = SECRET_SOURCES;
/** @internal */
export const EMAIL_SHAPE_SOURCE = EMAIL_SOURCE;

const DEFAULT_SECRETS = new RegExp(SECRET_SOURCES.join('|'), 'g');
const SECRETS_AND_EMAILS = new RegExp([...SECRET_SOURCES, EMAIL_SOURCE].join('|'), 'g');

// Anchored at the end of a snake/kebab-cased key, so max_tokens or token_count stay readable.
const SECRET_KEY =
  /(?:^|[^a-z0-9])(?:password|passwd|pwd|passphrase|secret|client_secret|secret_key|api_key|apikey|x_api_key|authorization|proxy_authorization|auth|auth_token|access_token|refresh_token|id_token|session_token|bearer_token|token|private_key|access_key|access_key_id|secret_access_key|credentials?|cookie|set_cookie)$/;

function normalizeKey(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/-/g, '_');
}

/**
 * Shortest text each built-in shape can match, derived from SECRET_SOURCES above (literal prefix plus
 * minimum repeat): every shape but two needs at least 15 characters (xox?- + 10 and Bearer + one space
 * + 8 are the shortest); `key=value` needs 10 (e.g. `secret=abc`) and a ':' or '='; an e-mail needs 6
 * (`a@b.co`) and an '@'. Strings that cannot hold any of them skip the combined scan.
 * The redaction tests check this against generated secrets of every shape.
 */
export const MIN_SECRET_LENGTH = 15;
const MIN_KEY_VALUE_LENGTH = 10;
const MIN_EMAIL_LENGTH = 6;

/** @internal False only when `text` cannot contain a match of the combined default pattern. */
export function mayContainSecret(text: string, emails: boolean): boolean {
  const n = text.length;
  if (n >= MIN_SECRET_LENGTH) return true;
  if (n >= MIN_KEY_VALUE_LENGTH && (text.includes('=') || text.includes(':'))) return true;
  return emails && n >= MIN_EMAIL_LENGTH && text.includes('@');
}

function maskString(
  text: string,
  combined: RegExp,
  extra: RegExp[],
  replacement: string,
  emails: boolean,
): string {
  if (!mayContainSecret(text, emails)) {
    if (extra.length === 0) return text;
    let out = text;
    for (const pattern of extra) out = out.replace(pattern, replacement);
    return out;
  }
  let out = text.replace(combined, (_match: string, ...args: unknown[]) => {
    const groups = args[args.length - 1] as Record<string, string | undefined> | undefined;
    const keep = groups?.keep ?? groups?.keep2;
    return keep !== undefined ? keep + replacement : replacement;
  });
  for (const pattern of extra) out = out.replace(pattern, replacement);
  return out;
}

function globalCopy(pattern: RegExp): RegExp {
  return pattern.global
    ? new RegExp(pattern.source, pattern.flags)
    : new RegExp(pattern.source, `${pattern.flags}g`);
}

function describeLeaf(value: unknown): unknown {
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'symbol':
      return value.toString();
    case 'function':
      return `[Function ${value.name || 'anonymous'}]`;
    default:
      return value;
  }
}

/** Builds a redactor; the returned function never throws and never mutates its argument. */
export function createRedactor(options: RedactionOptions = {}): Redactor {
  const replacement = options.replacement ?? '[REDACTED]';
  const maxDepth = options.maxDepth ?? 32;
  const emails = Boolean(options.maskEmails);
  const combined = emails ? SECRETS_AND_EMAILS : DEFAULT_SECRETS;
  const extra = (options.patterns ?? []).map(globalCopy);
  const exactKeys = new Set<string>();
  const keyPatterns: RegExp[] = [];
  for (const key of options.redactKeys ?? []) {
    if (typeof key === 'string') exactKeys.add(key.toLowerCase());
    else keyPatterns.push(new RegExp(key.source, key.flags.replace('g', '')));
  }
  const custom = options.custom;
  // Key decisions repeat across spans (same attribute names); remember a bounded number of them.
  const keyCache = new Map<string, boolean>();

  const isSecretKey = (key: string): boolean => {
    const known = keyCache.get(key);
    if (known !== undefined) return known;
    const secret =
      SECRET_KEY.test(normalizeKey(key)) ||
      exactKeys.has(key.toLowerCase()) ||
      keyPatterns.some((pattern) => pattern.test(key));
    if (keyCache.size < 4096) keyCache.set(key, secret);
    return secret;
  };

  const finish = (value: unknown, path: string[]): unknown => {
    if (!custom) return value;
    try {
      return toSerializable(custom(value, path.slice()));
    } catch {
      return replacement;
    }
  };

  // Whatever custom returns must still be encodable; no further masking is applied to it.
  const toSerializable = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return describeLeaf(value);
    try {
      JSON.stringify(value);
      return value;
    } catch {
      return replacement;
    }
  };

  const walk = (value: unknown, path: string[], ancestors: Set<object>): unknown => {
    if (typeof value === 'string')
      return finish(maskString(value, combined, extra, replacement, emails), path);
    if (value === null || typeof value !== 'object') return finish(describeLeaf(value), path);
    if (ancestors.has(value)) return finish('[Circular]', path);
    if (path.length >= maxDepth) return finish('[MaxDepth]', path);
    ancestors.add(value);
    try {
      return finish(walkObject(value, path, ancestors), path);
    } catch {
      // A throwing getter or a hostile Proxy: drop the node rather than fail the export.
      return finish('[Unserializable]', path);
    } finally {
      ancestors.delete(value);
    }
  };

  // One path array per call, pushed and popped: no allocation per node unless custom needs a copy.
  const walkChild = (value: unknown, key: string, path: string[], ancestors: Set<object>): unknown => {
    path.push(key);
    try {
      return walk(value, path, ancestors);
    } finally {
      path.pop();
    }
  };

  const walkEntries = (entries: Iterable<[string, unknown]>, path: string[], ancestors: Set<object>) => {
    const out: Record<string, unknown> = {};
    for (const [key, child] of entries) {
      out[key] =
        isSecretKey(key) && child !== null && child !== undefined
          ? replacement
          : walkChild(child, key, path, ancestors);
    }
    return out;
  };

  const walkObject = (value: object, path: string[], ancestors: Set<object>): unknown => {
    if (Array.isArray(value)) return value.map((item, i) => walkChild(item, String(i), path, ancestors));
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    if (value instanceof RegExp) return value.toString();
    if (value instanceof Error) {
      return walkEntries(
        [
          ['name', value.name],
          ['message', value.message],
          ['stack', value.stack],
        ],
        path,
        ancestors,
      );
    }
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      return `[${value.constructor.name} ${value.byteLength} bytes]`;
    }
    if (value instanceof Map) {
      return walkEntries(
        Array.from(value.entries(), ([k, v]): [string, unknown] => [
          typeof k === 'string' ? k : String(k),
          v,
        ]),
        path,
        ancestors,
      );
    }
    if (value instanceof Set)
      return Array.from(value, (item, i) => walkChild(item, String(i), path, ancestors));
    if (value instanceof WeakMap || value instanceof WeakSet || value instanceof Promise) {
      return `[${value.constructor.name}]`;
    }
    return walkEntries(Object.entries(value), path, ancestors);
  };

  const redactor = (value: unknown): unknown => {
    try {
      return walk(value, [], new Set());
    } catch {
      return replacement;
    }
  };
  // Without a custom hook, a primitive under a key is redacted on its own; the encoder's fast path for
  // flat objects uses this instead of walking a copy (same result, see encoder.ts).
  if (!custom) {
    const leaf: FlatLeafRedactor = (key, value) => {
      if (value === null) return null;
      if (isSecretKey(key)) return replacement;
      return typeof value === 'string' ? maskString(value, combined, extra, replacement, emails) : value;
    };
    Object.defineProperty(redactor, FLAT_LEAF, { value: leaf });
  }
  return redactor;
}

/** Redacts one primitive found under `key` in a plain object, exactly as the full walk would. */
export type FlatLeafRedactor = (
  key: string,
  value: string | number | boolean | null,
) => string | number | boolean | null;

const FLAT_LEAF = Symbol('waggle.redaction.flatLeaf');

/** The per-key leaf redactor of a redactor made by createRedactor without `custom`; undefined otherwise. */
export function flatLeafRedactor(redactor: Redactor): FlatLeafRedactor | undefined {
  try {
    return (redactor as unknown as { [FLAT_LEAF]?: FlatLeafRedactor })[FLAT_LEAF];
  } catch {
    return undefined;
  }
}

/** The default redactor (secret shapes, secret-named keys; e-mails kept). */
export const redact: Redactor = createRedactor();
