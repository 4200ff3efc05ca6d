/**
 * The web console's files on the local control plane (CloudFront + S3's stand-in): the built app
 * (ui/dist) and `/config.json`, with the content types, caching and security headers the AWS
 * distribution sets (lib/control-plane/console-hosting.ts), and the SPA fallback: a GET that is no
 * file answers index.html, so a deep link loads the app.
 *
 * A request path is never joined onto the file system: the folder is listed (again whenever
 * index.html changes, a rebuild) and a path is looked up among the files listed. Paths with dot
 * segments, backslashes, NUL or malformed percent-encoding are refused with 400 before any lookup.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { consoleContentSecurityPolicy } from '../config/console-csp';

/** `GET /config.json`: ui/src/api/types.ts's ConsoleConfig for the local platform. */
export interface LocalConsoleConfig {
  controlPlaneUrl: string;
  auth: { mode: 'local' };
  dataPlanes: { id: string; url: string; otlpEndpoint: string; grpcEndpoint?: string }[];
}

export interface ConsoleFilesOptions {
  /** The built console (ui/dist). */
  dir: string;
  config: LocalConsoleConfig;
  /**
   * Why there is no build to serve (a failed build); the root then answers a page saying so and how
   * to build it. Unset: a missing folder is reported the same way.
   */
  unavailable?: string;
  /** The build is under way: the page reloads itself every few seconds (and says Retry-After). */
  building?: boolean;
}

export interface ConsoleFiles {
  /** False when there is no build: the root answers a page saying how to make one. */
  readonly available: boolean;
  /** The answer to a console request, or undefined for a request that is not the console's (the APIs'). */
  answer(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2 | undefined>;
}

/** Paths the console never answers: the control plane's API, JWKS and whatever comes under them. */
const API_PREFIXES = ['/v1/', '/.well-known/'];
const API_PATHS = ['/v1', '/.well-known'];
/** Vite's hashed output: a new build writes new names, so these may be cached for good. */
const HASHED_PREFIX = '/assets/';
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Revalidated on every load: the HTML that names the current hashed files, and config.json. */
const NO_CACHE = 'no-cache';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/** The answer headers of every console response (the AWS distribution's security headers). */
function consoleSecurityHeaders(config: LocalConsoleConfig): Record<string, string> {
  const connect = new Set(["'self'", new URL(config.controlPlaneUrl).origin]);
  for (const plane of config.dataPlanes) connect.add(new URL(plane.url).origin);
  return {
    'content-security-policy': consoleContentSecurityPolicy(connect),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
  };
}

export function isApiPath(path: string): boolean {
  return API_PATHS.includes(path) || API_PREFIXES.some((prefix) => path.startsWith(prefix));
}

/**
 * The request path, decoded, if it can only name a file inside the folder; undefined for one that
 * tries to leave it or hide something (dot segments, backslashes, NUL, control characters, bad escapes).
 */
export function safeRequestPath(rawPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  if (!path.startsWith('/') || path.includes('\\') || hasControlCharacter(path)) return undefined;
  const segments = path.split('/').slice(1);
  if (segments.some((segment) => segment === '.' || segment === '..')) return undefined;
  return path;
}

function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

interface Listing {
  /** index.html's modification time when listed: a rebuild changes it. */
  indexMtimeMs: number;
  /** URL path (`/assets/x.js`) -> file on disk. */
  files: Map<string, string>;
}

async function listFiles(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) files.set(`/${relative(dir, path).split(sep).join('/')}`, path);
    }
  };
  await walk(dir);
  return files;
}

export async function openConsoleFiles(options: ConsoleFilesOptions): Promise<ConsoleFiles> {
  const security = consoleSecurityHeaders(options.config);
  const configBody = JSON.stringify(options.config);
  const indexPath = join(options.dir, 'index.html');
  let listing: Listing | undefined;

  /** The folder's files, listed again when index.html changed (a new build); undefined: no build. */
  const currentListing = async (): Promise<Listing | undefined> => {
    if (options.unavailable !== undefined) return undefined;
    const index = await stat(indexPath).catch(() => undefined);
    if (!index?.isFile()) return undefined;
    if (listing?.indexMtimeMs !== index.mtimeMs)
      listing = { indexMtimeMs: index.mtimeMs, files: await listFiles(options.dir) };
    return listing;
  };

  const answer = (
    status: number,
    body: Buffer | string,
    contentType: string,
    cacheControl: string,
  ): APIGatewayProxyStructuredResultV2 => {
    const binary = typeof body !== 'string';
    return {
      statusCode: status,
      headers: { ...security, 'content-type': contentType, 'cache-control': cacheControl },
      body: binary ? body.toString('base64') : body,
      isBase64Encoded: binary,
    };
  };
  const text = (status: number, message: string) =>
    answer(status, `${message}\n`, 'text/plain; charset=utf-8', NO_CACHE);

  const notBuiltPage = () => {
    const page = answer(
      503,
      `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
        (options.building ? '<meta http-equiv="refresh" content="3">' : '') +
        `<title>Waggle: console not available</title></head>` +
        `<body><h1>${options.building ? 'The Waggle console is being built' : 'The Waggle console is not built'}</h1>` +
        `<p>${escapeHtml(options.unavailable ?? `No build found in ${options.dir}.`)}</p>` +
        `<p>Build it with <code>npm exec -- vite build ui</code>, then restart <code>npm start</code> ` +
        `(which also builds it when ui/ changed). The APIs work meanwhile: ingestion, the read API and this ` +
        `control plane's <code>/v1/</code> routes.</p></body></html>`,
      'text/html; charset=utf-8',
      NO_CACHE,
    );
    if (options.building) page.headers = { ...page.headers, 'retry-after': '3' };
    return page;
  };

  const initial = await currentListing();
  return {
    available: initial !== undefined,
    async answer(event) {
      const method = event.requestContext.http.method;
      if (isApiPath(event.rawPath)) return undefined;
      if (method !== 'GET' && method !== 'HEAD') return undefined;
      const path = safeRequestPath(event.rawPath);
      if (path === undefined) return text(400, 'Bad Request: the path is not a file of the console');
      if (path === '/config.json') return answer(200, configBody, CONTENT_TYPES['.json'] as string, NO_CACHE);

      const files = await currentListing();
      if (!files) return notBuiltPage();
      const file = path === '/' ? undefined : files.files.get(path);
      if (file) {
        const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
        const cache = path.startsWith(HASHED_PREFIX) ? IMMUTABLE : NO_CACHE;
        return answer(200, await readFile(file), type, cache);
      }
      // A hashed file that is not there (an old page after a rebuild) is missing, not a page of the app.
      if (path.startsWith(HASHED_PREFIX)) return text(404, 'Not Found');
      return answer(200, await readFile(indexPath), CONTENT_TYPES['.html'] as string, NO_CACHE);
    },
  };
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string,
  );
}
