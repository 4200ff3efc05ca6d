/**
 * The fetch the LLM proxy calls providers with: node:http(s) underneath, a web Response on top.
 *
 * On AWS it never reaches a private, loopback, link-local or metadata address, even when a
 * public-looking base_url's name resolves to one (DNS rebinding): the host is resolved once, every
 * address is checked, and the connection goes to the checked address (node:http's `lookup` hook), so
 * a second, different answer cannot slip in between. Locally loopback and plain http are allowed (a
 * model server on the laptop), through the same transport.
 *
 * Why not the global fetch: undici's objects outlive the young-generation collections that follow
 * them, so a process that calls fetch often spends 10-30 ms in each of them instead of under 1 ms;
 * those pauses land on whichever calls are in flight (the proxy's p99; docs/BENCHMARKS.md).
 */
import { lookup as dnsLookup } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import type { FetchFunction } from '../../domain/proxy/provider-models';

/** Connections to providers are kept open between calls (a TLS handshake costs more than the proxy). */
const httpAgent = new HttpAgent({ keepAlive: true });
const httpsAgent = new HttpsAgent({ keepAlive: true });

export class BlockedAddressError extends Error {
  override readonly name = 'BlockedAddressError';
}

/** True for addresses a provider call must never connect to. */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) {
    const [a, b] = address.split('.').map(Number) as [number, number];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 198 && (b === 18 || b === 19)) ||
      a >= 224
    );
  }
  if (family === 6) {
    const v6 = address.toLowerCase();
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v6);
    if (mapped) return isBlockedAddress(mapped[1] as string);
    return (
      v6 === '::' ||
      v6 === '::1' ||
      /^f[cd]/.test(v6) ||
      /^fe[89ab]/.test(v6) ||
      v6.startsWith('ff') ||
      // AWS's IPv6 instance metadata endpoint.
      v6.startsWith('fd00:ec2')
    );
  }
  return true;
}

/** A lookup that resolves every address of the name and fails when any of them is blocked. */
export const checkedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    const blocked = addresses.find((entry) => isBlockedAddress(entry.address));
    if (blocked || addresses.length === 0) {
      return callback(
        new BlockedAddressError(`${hostname} resolves to an address the proxy may not call`),
        '',
        0,
      );
    }
    if (options.all) return (callback as unknown as (e: null, a: typeof addresses) => void)(null, addresses);
    const first = addresses[0] as { address: string; family: number };
    callback(null, first.address, first.family);
  });
};

/** Provider calls from AWS: https only, to checked public addresses only. */
export function createGuardedFetch(): FetchFunction {
  return createNodeFetch({ guarded: true });
}

/** Provider calls on the local platform: http or https, to any address (a model server on the laptop). */
export function createLocalProviderFetch(): FetchFunction {
  return createNodeFetch({ guarded: false });
}

interface Outgoing {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  signal: AbortSignal | undefined;
}

/**
 * What to send. The AI SDK's providers call with a string URL and a string body: those are read as
 * they are; anything else goes through a web Request first.
 */
async function outgoing(
  input: Parameters<FetchFunction>[0],
  init: RequestInit | undefined,
): Promise<Outgoing> {
  const body = init?.body;
  if ((typeof input === 'string' || input instanceof URL) && (body == null || typeof body === 'string')) {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => {
      headers[name] = value;
    });
    return {
      url: new URL(input),
      method: init?.method ?? 'GET',
      headers,
      body: typeof body === 'string' ? Buffer.from(body) : undefined,
      signal: init?.signal ?? undefined,
    };
  }
  const request = new Request(input, init);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return {
    url: new URL(request.url),
    method: request.method,
    headers,
    body: request.body ? Buffer.from(await request.arrayBuffer()) : undefined,
    signal: request.signal,
  };
}

function createNodeFetch({ guarded }: { guarded: boolean }): FetchFunction {
  return async (input, init) => {
    const { url, method, headers, body, signal } = await outgoing(input, init);
    if (guarded && url.protocol !== 'https:') throw new BlockedAddressError('provider calls must use https');
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new TypeError(`provider calls use http or https, not ${url.protocol}`);
    // An IP literal never goes through lookup: check it here.
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (guarded && isIP(literal) !== 0 && isBlockedAddress(literal)) {
      throw new BlockedAddressError(`${url.hostname} is an address the proxy may not call`);
    }
    // node:http does not decompress (the global fetch does): ask for the body as it is.
    headers['accept-encoding'] = 'identity';
    return new Promise<Response>((resolve, reject) => {
      const sent = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
        url,
        {
          method,
          headers,
          agent: url.protocol === 'https:' ? httpsAgent : httpAgent,
          ...(guarded && { lookup: checkedLookup }),
          signal,
        },
        (incoming: IncomingMessage) => toResponse(incoming).then(resolve, reject),
      );
      sent.on('error', reject);
      sent.end(body);
    });
  };
}

/** A completion the proxy could pass on is far smaller: Lambda answers at most 6 MB anyway. */
const MAX_UNSTREAMED_ANSWER_BYTES = 16 * 1024 * 1024;

/**
 * The provider's answer as a web Response. An event stream is passed on as it arrives; any other
 * answer (a JSON completion or error) is read whole first, which costs the caller nothing (the
 * provider SDK reads it whole anyway) and spares a web stream per call.
 */
async function toResponse(incoming: IncomingMessage): Promise<Response> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  const status = incoming.statusCode ?? 502;
  const init = { status, statusText: incoming.statusMessage ?? '', headers };
  if (status === 204 || status === 304) {
    incoming.resume();
    return new Response(null, init);
  }
  if (String(incoming.headers['content-type']).includes('text/event-stream'))
    return new Response(Readable.toWeb(incoming) as ReadableStream<Uint8Array>, init);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming) {
    size += (chunk as Buffer).length;
    if (size > MAX_UNSTREAMED_ANSWER_BYTES) {
      incoming.destroy();
      throw new Error(`the provider's answer is larger than ${MAX_UNSTREAMED_ANSWER_BYTES} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return new Response(Buffer.concat(chunks), init);
}
