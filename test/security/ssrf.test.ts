/**
 * Server-side request forgery: every way a channel URL could reach an internal address is refused,
 * with a stub resolver injected into the domain (no network). IP literals in every IPv4 spelling
 * and every IPv6 form that embeds IPv4; names that resolve to forbidden addresses, to a mix, or not
 * at all; DNS rebinding (the first answer public, the next private): the connection goes to the
 * address that was checked, and the delivery-time check refuses what changed since it was saved.
 */
import { describe, expect, it } from 'vitest';
import { pinnedLookup } from '../../lambdas/adapters/pinned-webhook-transport';
import { refusedAddress } from '../../lambdas/domain/alerts/address-policy';
import {
  type DeliveryPorts,
  deliverNotification,
  type WebhookRequest,
} from '../../lambdas/domain/alerts/deliver';
import {
  AWS_URL_POLICY,
  RefusedUrlError,
  resolveDeliveryTarget,
  type UrlPolicy,
} from '../../lambdas/domain/alerts/delivery-target';
import { aChannel, aNotification, NOW, plainSealer, stubResolver } from '../unit/alerts/alerts-fixtures';

const LOCAL: UrlPolicy = { allowLoopback: true };
const PUBLIC_V4 = '93.184.216.34';
const { resolver } = stubResolver({
  'hooks.example.com': [PUBLIC_V4],
  'v6.example.com': ['2606:4700::1111'],
  'internal.example.com': ['10.1.2.3'],
  'metadata.example.com': ['169.254.169.254'],
  'mixed.example.com': [PUBLIC_V4, '192.168.0.10'],
  'mapped.example.com': ['::ffff:169.254.169.254'],
  'imds6.example.com': ['fd00:ec2::254'],
  'loopback.example.com': ['127.0.0.1'],
  'nat64.example.com': ['64:ff9b::a9fe:a9fe'],
  'empty.example.com': [],
  localhost: ['127.0.0.1', '::1'],
});

async function refusal(url: string, policy: UrlPolicy = AWS_URL_POLICY): Promise<string> {
  try {
    await resolveDeliveryTarget(url, resolver, policy);
  } catch (error) {
    expect(error).toBeInstanceOf(RefusedUrlError);
    return (error as Error).message;
  }
  throw new Error(`${url} was not refused`);
}

describe('SSRF: IP literals in the URL', () => {
  it.each([
    ['loopback', 'https://127.0.0.1/hook'],
    ['loopback, decimal', 'https://2130706433/hook'],
    ['loopback, octal', 'https://0177.0.0.1/hook'],
    ['loopback, hex and short', 'https://0x7f.1/hook'],
    ['loopback, short', 'https://127.1/hook'],
    ['loopback, one hex number', 'https://0x7f000001/hook'],
    ['private 10/8', 'https://10.0.0.1/hook'],
    ['private 10/8 in hex', 'https://0x0a.0x00.0x00.0x01/hook'],
    ['private 172.16/12', 'https://172.16.5.4/hook'],
    ['private 192.168/16', 'https://192.168.1.1/hook'],
    ['cloud metadata', 'https://169.254.169.254/latest/meta-data/'],
    ['cloud metadata, decimal', 'https://2852039166/latest/meta-data/'],
    ['cloud metadata over IPv6 (EC2)', 'https://[fd00:ec2::254]/latest/meta-data/'],
    ['CGNAT', 'https://100.64.0.1/hook'],
    ['multicast', 'https://224.0.0.1/hook'],
    ['broadcast', 'https://255.255.255.255/hook'],
    ['unspecified', 'https://0.0.0.0/hook'],
    ['reserved 240/4', 'https://240.0.0.1/hook'],
    ['benchmarking 198.18/15', 'https://198.18.0.1/hook'],
    ['documentation 192.0.2/24', 'https://192.0.2.1/hook'],
    ['IPv6 loopback', 'https://[::1]/hook'],
    ['IPv6 unspecified', 'https://[::]/hook'],
    ['IPv6 link-local', 'https://[fe80::1]/hook'],
    ['IPv6 unique local', 'https://[fc00::1]/hook'],
    ['IPv6 multicast', 'https://[ff02::1]/hook'],
    ['IPv4-mapped loopback', 'https://[::ffff:127.0.0.1]/hook'],
    ['IPv4-mapped loopback in hex', 'https://[::ffff:7f00:1]/hook'],
    ['IPv4-mapped metadata', 'https://[::ffff:a9fe:a9fe]/hook'],
    ['IPv4-compatible loopback', 'https://[::127.0.0.1]/hook'],
    ['NAT64 of a private address', 'https://[64:ff9b::a00:1]/hook'],
    ['local-use NAT64', 'https://[64:ff9b:1::a00:1]/hook'],
    ['6to4 of loopback', 'https://[2002:7f00:1::]/hook'],
    ['Teredo', 'https://[2001::1]/hook'],
    ['IPv6 documentation', 'https://[2001:db8::1]/hook'],
  ])('refuses %s (%s)', async (_name, url) => {
    expect(await refusal(url)).toMatch(/forbidden address/);
  });
});

describe('SSRF: names that resolve to forbidden addresses', () => {
  it.each([
    ['a private address', 'https://internal.example.com/hook'],
    ['the metadata address', 'https://metadata.example.com/'],
    ['a public and a private address', 'https://mixed.example.com/hook'],
    ['an IPv4-mapped metadata address', 'https://mapped.example.com/hook'],
    ['the EC2 IPv6 metadata address', 'https://imds6.example.com/hook'],
    ['loopback', 'https://loopback.example.com/hook'],
    ['NAT64 of the metadata address', 'https://nat64.example.com/hook'],
    ['localhost, outside local mode', 'https://localhost/hook'],
  ])('refuses a name resolving to %s', async (_name, url) => {
    const message = await refusal(url);
    expect(message).toMatch(/forbidden address/);
    // The refusal names the kind of address, never the address a name resolved to.
    expect(message).not.toMatch(/10\.1\.2\.3|192\.168\.0\.10|169\.254/);
  });

  it('refuses a name that does not resolve, or resolves to nothing', async () => {
    expect(await refusal('https://nowhere.example.com/hook')).toMatch(/does not resolve/);
    expect(await refusal('https://empty.example.com/hook')).toMatch(/no address/);
  });
});

describe('SSRF: the URL itself', () => {
  it.each([
    ['plain http', 'http://hooks.example.com/hook', /must be https/],
    ['another scheme', 'ftp://hooks.example.com/hook', /must be https/],
    ['a file URL', 'file:///etc/passwd', /must be https/],
    ['credentials', 'https://user:secret@hooks.example.com/hook', /credentials/],
    ['not a URL', 'hooks.example.com/hook', /not a valid URL/],
    ['http to localhost outside local mode', 'http://localhost:8080/hook', /must be https/],
    ['an over-long URL', `https://hooks.example.com/${'a'.repeat(2100)}`, /at most 2048/],
  ])('refuses %s', async (_name, url, message) => {
    expect(await refusal(url)).toMatch(message);
  });
});

describe('what is allowed', () => {
  it('a public name, a public IPv4 and a public IPv6 address, pinned to the checked address', async () => {
    expect(
      await resolveDeliveryTarget('https://hooks.example.com/x', resolver, AWS_URL_POLICY),
    ).toMatchObject({
      address: PUBLIC_V4,
      family: 4,
    });
    expect(await resolveDeliveryTarget('https://8.8.8.8/x', resolver, AWS_URL_POLICY)).toMatchObject({
      address: '8.8.8.8',
    });
    expect(await resolveDeliveryTarget('https://v6.example.com/x', resolver, AWS_URL_POLICY)).toMatchObject({
      address: '2606:4700::1111',
      family: 6,
    });
    expect(refusedAddress('2606:4700::1111')).toBeUndefined();
  });

  it('local mode allows http and https to localhost and 127.0.0.1 only, and nothing private', async () => {
    expect((await resolveDeliveryTarget('http://localhost:4000/x', resolver, LOCAL)).address).toBe(
      '127.0.0.1',
    );
    expect((await resolveDeliveryTarget('http://127.0.0.1:4000/x', resolver, LOCAL)).address).toBe(
      '127.0.0.1',
    );
    expect((await resolveDeliveryTarget('https://[::1]:4000/x', resolver, LOCAL)).address).toBe('::1');
    expect(await refusal('https://10.0.0.1/x', LOCAL)).toMatch(/forbidden/);
    expect(await refusal('https://loopback.example.com/x', LOCAL)).toMatch(/forbidden/);
    expect(await refusal('http://hooks.example.com/x', LOCAL)).toMatch(/https \(or http to localhost/);
    const rebound = stubResolver({ localhost: ['10.0.0.5'] });
    await expect(resolveDeliveryTarget('http://localhost/x', rebound.resolver, LOCAL)).rejects.toThrow(
      /forbidden/,
    );
  });
});

describe('DNS rebinding', () => {
  it('resolves once and pins the checked address: the lookup answers it for any name', async () => {
    const rebinding = stubResolver({ 'rebind.example.com': [[PUBLIC_V4], ['127.0.0.1']] });
    const target = await resolveDeliveryTarget(
      'https://rebind.example.com/x',
      rebinding.resolver,
      AWS_URL_POLICY,
    );
    expect(target.address).toBe(PUBLIC_V4);
    expect(rebinding.calls.get('rebind.example.com')).toBe(1);
    const lookup = pinnedLookup(target);
    const answered = await new Promise<string>((resolve, reject) =>
      lookup('rebind.example.com', {}, (error, address) =>
        error ? reject(error) : resolve(address as string),
      ),
    );
    expect(answered).toBe(PUBLIC_V4);
    const all = await new Promise<unknown>((resolve) =>
      lookup('rebind.example.com', { all: true }, (_error, addresses) => resolve(addresses)),
    );
    expect(all).toEqual([{ address: PUBLIC_V4, family: 4 }]);
    // Asking the resolver now would have given the private address.
    expect(await rebinding.resolver('rebind.example.com')).toEqual([{ address: '127.0.0.1', family: 4 }]);
  });

  it('a delivery sends to the address it checked, and refuses one that turned private since it was saved', async () => {
    const rebinding = stubResolver({ 'hooks.example.com': [[PUBLIC_V4], ['10.0.0.7']] });
    const sent: WebhookRequest[] = [];
    const ports: DeliveryPorts = {
      channels: { get: async () => aChannel() as never },
      sealer: plainSealer,
      resolver: rebinding.resolver,
      policy: AWS_URL_POLICY,
      transport: async (request) => {
        sent.push(request);
        return { status: 200 };
      },
      clock: () => NOW,
    };
    const message = { notification: aNotification(), channel: { org_id: 'org1', id: 'ch1' } };
    const channel = aChannel({ secret_sealed: undefined });
    ports.channels = { get: async () => channel as never };
    expect((await deliverNotification(ports, message)).result).toBe('delivered');
    expect(sent.map((request) => request.target.address)).toEqual([PUBLIC_V4]);
    expect(sent[0]?.target.url.hostname).toBe('hooks.example.com');
    const second = await deliverNotification(ports, message);
    expect(second).toMatchObject({ result: 'dropped', reason: expect.stringMatching(/forbidden address/) });
    expect(sent).toHaveLength(1);
  });
});
