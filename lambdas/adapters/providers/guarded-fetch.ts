/**
 * A fetch for calling providers from AWS that never reaches a private, loopback, link-local or
 * metadata address, even when a public-looking base_url's name resolves to one (DNS rebinding):
 * the host is resolved once, every address is checked, and the connection goes to the checked
 * address (node:http's `lookup` hook), so a second, different answer cannot slip in between.
 * Locally loopback is allowed (a model server on the laptop) and the global fetch is used.
 */
import { lookup as dnsLookup } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import type { FetchFunction } from '../../domain/proxy/provider-models';

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

export function createGuardedFetch(): FetchFunction {
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.protocol !== 'https:') throw new BlockedAddressError('provider calls must use https');
    // An IP literal never goes through lookup: check it here.
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(literal) !== 0 && isBlockedAddress(literal)) {
      throw new BlockedAddressError(`${url.hostname} is an address the proxy may not call`);
    }
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    // node:http does not decompress (the global fetch does): ask for the body as it is.
    headers['accept-encoding'] = 'identity';
    return new Promise<Response>((resolve, reject) => {
      const outgoing = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
        url,
        { method: request.method, headers, lookup: checkedLookup, signal: request.signal },
        (incoming: IncomingMessage) => resolve(toResponse(incoming)),
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  };
}

function toResponse(incoming: IncomingMessage): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  const status = incoming.statusCode ?? 502;
  const empty = status === 204 || status === 304;
  return new Response(empty ? null : (Readable.toWeb(incoming) as ReadableStream<Uint8Array>), {
    status,
    statusText: incoming.statusMessage ?? '',
    headers,
  });
}
