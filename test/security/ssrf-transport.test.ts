/**
 * The pinned transport on real sockets: it connects to the checked address and never resolves the
 * name (a `.invalid` name, which no DNS answers, still reaches the receiver on 127.0.0.1 with its
 * Host header kept), follows no redirect (the redirect's target gets nothing), gives up at its
 * deadline, and stops reading a huge answer at its cap. Over TLS (a self-signed receiver made with
 * openssl) the certificate is checked against the name and SNI carries it, while the socket goes to
 * the pinned address.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPinnedWebhookTransport,
  MAX_RESPONSE_BYTES,
  pinnedRequestOptions,
} from '../../lambdas/adapters/pinned-webhook-transport';
import type { WebhookRequest } from '../../lambdas/domain/alerts/deliver';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((server) => server.close()));
});

async function receiver(): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver();
  opened.push(started);
  return started;
}

async function rawServer(
  handler: Parameters<typeof createServer>[1],
): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  opened.push({
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return { server, port: (server.address() as AddressInfo).port };
}

function request(url: string, address = '127.0.0.1'): WebhookRequest {
  return {
    target: { url: new URL(url), address, family: 4 },
    headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1' },
    body: '{"ok":true}',
  };
}

describe('the pinned webhook transport', () => {
  it('connects to the checked address and keeps the name for the Host header (no DNS lookup)', async () => {
    const hook = await receiver();
    const answer = await createPinnedWebhookTransport()(
      request(`http://rebind.invalid:${hook.port}/hook?a=1`),
    );
    expect(answer.status).toBe(200);
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]).toMatchObject({
      method: 'POST',
      url: '/hook?a=1',
      body: '{"ok":true}',
      headers: expect.objectContaining({ host: `rebind.invalid:${hook.port}`, 'webhook-id': 'msg_1' }),
    });
  });

  it('keeps the name for TLS (SNI and certificate) while connecting to the address', () => {
    const options = pinnedRequestOptions(request('https://hooks.example.com/x', '93.184.216.34'), 1000);
    expect(options).toMatchObject({
      hostname: 'hooks.example.com',
      protocol: 'https:',
      agent: false,
      path: '/x',
    });
    expect(options.servername).toBe('hooks.example.com');
    // An IP literal has no name to send (TLS forbids an address as SNI).
    expect(pinnedRequestOptions(request('https://8.8.8.8/x', '8.8.8.8'), 1000).servername).toBeUndefined();
  });

  it('answers a redirect as it is and never follows it', async () => {
    const elsewhere = await receiver();
    const { port } = await rawServer((_request, response) => {
      response.writeHead(307, { location: `http://127.0.0.1:${elsewhere.port}/stolen` });
      response.end();
    });
    const answer = await createPinnedWebhookTransport()(request(`http://localhost:${port}/hook`));
    expect(answer.status).toBe(307);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(elsewhere.received).toHaveLength(0);
  });

  it('gives up on a receiver that does not answer within the deadline', async () => {
    const { port } = await rawServer(() => {
      // Never answers.
    });
    const started = Date.now();
    await expect(
      createPinnedWebhookTransport({ timeoutMs: 300 })(request(`http://localhost:${port}/hook`)),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('reads at most the cap of a huge answer, then closes the connection', async () => {
    let written = 0;
    const { port } = await rawServer((_request, response) => {
      response.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (written < 64 * 1024 * 1024) {
          written += chunk.byteLength;
          if (!response.write(chunk)) {
            response.once('drain', pump);
            return;
          }
        }
        response.end();
      };
      pump();
    });
    const answer = await createPinnedWebhookTransport()(request(`http://localhost:${port}/hook`));
    expect(answer.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Far less than the 64 MiB offered: socket buffers plus the cap.
    expect(written).toBeLessThan(16 * 1024 * 1024);
    expect(MAX_RESPONSE_BYTES).toBeLessThanOrEqual(64 * 1024);
  });

  it('over TLS: connects to the pinned address and checks the certificate against the name, with SNI', async () => {
    const { cert, key } = selfSignedCertificate('hooks.test');
    const sniNames: (string | false)[] = [];
    const server = createTlsServer({ cert, key }, (incoming, response) => {
      sniNames.push((incoming.socket as { servername?: string | false }).servername ?? false);
      response.writeHead(204);
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    opened.push({ close: () => new Promise((resolve) => server.close(() => resolve())) });
    const { port } = server.address() as AddressInfo;
    const transport = createPinnedWebhookTransport({ ca: cert, timeoutMs: 3000 });
    expect((await transport(request(`https://hooks.test:${port}/x`))).status).toBe(204);
    expect(sniNames).toEqual(['hooks.test']);
    // The same address under another name: the certificate does not match it, so nothing is sent.
    await expect(transport(request(`https://other.test:${port}/x`))).rejects.toThrow(/altnames|certificate/i);
    // Without the test CA, a self-signed receiver is refused too (Node's bundled CAs only).
    await expect(
      createPinnedWebhookTransport({ timeoutMs: 3000 })(request(`https://hooks.test:${port}/x`)),
    ).rejects.toThrow();
    expect(sniNames).toHaveLength(1);
  });
});

/** A self-signed certificate for `name` (openssl, 1 day), for a TLS receiver. */
function selfSignedCertificate(name: string): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'waggle-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        `/CN=${name}`,
        '-addext',
        `subjectAltName=DNS:${name}`,
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
