/**
 * The domain knows nothing of HTTP: no file under lambdas/domain imports from outside it (the HTTP
 * edge, the functions, the adapters) or an HTTP package, and none chooses a status or an HTTP
 * header. It throws typed domain errors (lambdas/domain/errors.ts); lambdas/http/errors.ts answers them.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFilesUnder, specifiersOf } from '../support/source-imports';

const ROOT = resolve(import.meta.dirname, '../..');
const DOMAIN = join(ROOT, 'lambdas', 'domain');
/** Packages that are about HTTP or the Lambda event shapes, not about the domain. */
const HTTP_PACKAGES = /^(aws-lambda|node:http2?|node:https|@middy\/|@aws-lambda-powertools\/event-handler)/;
/**
 * A status chosen or told apart in code: `status: 404`, `statusCode = 200`, `new SomeError(400, ...)`,
 * `error.status === 400`. Reading the status of a fetched `response` (the JWKS client) is not one.
 */
const STATUS_CHOICE =
  /\bstatus(Code)?\s*[:=]\s*[1-5]\d\d\b|\bnew \w*Error\(\s*[1-5]\d\d\b|(?<!\bresponse)\.status(Code)?\s*[!=]==?\s*[1-5]\d\d\b/;
/** HTTP-only vocabulary: the edge's error type and the headers it sets. */
const HTTP_WORDS = /\bHttpError\b|\bisHttpError\b|['"`](retry-after|www-authenticate|allow)['"`]/i;

/** The source without comments, so prose about what the edge answers does not count as code. */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

const FILES = sourceFilesUnder(DOMAIN);

describe('the domain boundary', () => {
  it('finds the domain sources', () => {
    expect(FILES.length).toBeGreaterThan(100);
    expect(FILES).toContain(join(DOMAIN, 'errors.ts'));
  });

  it('imports nothing from outside lambdas/domain and no HTTP package', () => {
    const outside: string[] = [];
    for (const file of FILES) {
      for (const specifier of specifiersOf(readFileSync(file, 'utf8'))) {
        const name = `${relative(ROOT, file)} imports ${specifier}`;
        if (specifier.startsWith('.')) {
          const target = resolve(dirname(file), specifier);
          if (target !== DOMAIN && !target.startsWith(DOMAIN + sep)) outside.push(name);
        } else if (HTTP_PACKAGES.test(specifier)) {
          outside.push(name);
        }
      }
    }
    expect(outside).toEqual([]);
  });

  it('chooses no status and sets no HTTP header', () => {
    const offending: string[] = [];
    for (const file of FILES) {
      const lines = withoutComments(readFileSync(file, 'utf8')).split('\n');
      lines.forEach((line, index) => {
        if (STATUS_CHOICE.test(line) || HTTP_WORDS.test(line)) {
          offending.push(`${relative(ROOT, file)}:${index + 1}: ${line.trim()}`);
        }
      });
    }
    expect(offending).toEqual([]);
  });

  it('would notice an HTTP import or a status (the checks themselves)', () => {
    expect(specifiersOf("import { HttpError } from '../../http/errors';")).toEqual(['../../http/errors']);
    expect(specifiersOf("export { x } from './y';\nconst m = await import('../z');")).toEqual([
      './y',
      '../z',
    ]);
    expect(HTTP_PACKAGES.test('aws-lambda')).toBe(true);
    expect(HTTP_PACKAGES.test('node:crypto')).toBe(false);
    for (const line of [
      'throw new HttpError(404, "x");',
      'return { status: 500, body };',
      "headers: { 'Retry-After': '2' }",
      'if (error.status === 400) throw error;',
      'throw new SomeError(415, "no");',
    ]) {
      expect(STATUS_CHOICE.test(line) || HTTP_WORDS.test(line), line).toBe(true);
    }
    for (const line of [
      'statusCode = 0;',
      "status: 'revoked',",
      'throw new ValidationError("bad")',
      'if (response.status !== 200) throw new FetchError(uri);',
    ]) {
      expect(STATUS_CHOICE.test(line) || HTTP_WORDS.test(line), line).toBe(false);
    }
    expect(withoutComments('/** answered 404 */\nconst a = 1; // status: 500')).not.toMatch(/404|500/);
  });
});
