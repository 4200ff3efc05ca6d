/**
 * The WebhookTransport: a POST over node:https (node:http only for the local platform's loopback
 * URLs) to the address the SSRF checks passed, and nowhere else. The socket's `lookup` answers that
 * address whatever the name, so Node never asks DNS again (a rebinding answer is never used), while
 * the URL's host name is kept for TLS (SNI and certificate check) and the Host header. Redirects are
 * never followed (node:https does not), the whole exchange has a deadline, and at most
 * MAX_RESPONSE_BYTES of the answer are read before the socket is closed.
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { WebhookRequest, WebhookTransport } from '../domain/alerts/deliver';
import type { DeliveryTarget } from '../domain/alerts/delivery-target';

/** A receiver has this long to answer; Standard Webhooks senders commonly allow 15 s or less. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** Only the status matters: a few KB of the body are read (for nothing), then the socket is closed. */
export const MAX_RESPONSE_BYTES = 16 * 1024;

/** A lookup that answers the checked address for any name (Node calls it with `all` on newer versions). */
export function pinnedLookup(target: Pick<DeliveryTarget, 'address' | 'family'>): LookupFunction {
  return (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as unknown as (error: null, addresses: { address: string; family: number }[]) => void)(null, [
        { address: target.address, family: target.family },
      ]);
    } else callback(null, target.address, target.family);
  };
}

/** The request options: the checked address through `lookup`, the name for SNI and Host. */
export function pinnedRequestOptions(
  request: WebhookRequest,
  timeoutMs: number,
  ca?: string,
): https.RequestOptions {
  const { url } = request.target;
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    method: 'POST',
    protocol: url.protocol,
    hostname,
    // SNI and the certificate check use the name (never an address: TLS forbids it as SNI).
    ...(url.protocol === 'https:' && isIP(hostname) === 0 && { servername: hostname }),
    port: url.port === '' ? undefined : Number(url.port),
    path: `${url.pathname}${url.search}`,
    headers: {
      ...request.headers,
      'content-length': String(Buffer.byteLength(request.body)),
      'user-agent': 'Waggle-Notifications/1',
    },
    lookup: pinnedLookup(request.target),
    // A fresh connection per delivery: no pooled socket to another address is ever reused.
    agent: false,
    timeout: timeoutMs,
    signal: AbortSignal.timeout(timeoutMs),
    ...(ca !== undefined && { ca }),
  };
}

export function createPinnedWebhookTransport(
  options: {
    timeoutMs?: number;
    /** Trusted CA certificates instead of Node's bundled ones: tests only (a receiver's self-signed certificate). */
    ca?: string;
  } = {},
): WebhookTransport {
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  return (request) =>
    new Promise((resolve, reject) => {
      const client = request.target.url.protocol === 'http:' ? http : https;
      const outgoing = client.request(pinnedRequestOptions(request, timeoutMs, options.ca), (response) => {
        drainCapped(response, () => resolve({ status: response.statusCode ?? 0 }));
      });
      outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      outgoing.on('error', reject);
      outgoing.end(request.body);
    });
}

/** Reads and drops the body up to the cap; past it the socket is destroyed. Calls done once. */
function drainCapped(response: IncomingMessage, done: () => void): void {
  let read = 0;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    done();
  };
  response.on('data', (chunk: Buffer) => {
    read += chunk.byteLength;
    if (read > MAX_RESPONSE_BYTES) {
      response.destroy();
      finish();
    }
  });
  response.on('end', finish);
  response.on('close', finish);
  response.on('error', finish);
}
