/**
 * Server-side request forgery checks of a webhook or Slack URL, at save time and again before every
 * delivery: the URL is HTTPS (plain http only to localhost in local mode), carries no credentials,
 * its host is resolved through the injected resolver and every address it answers is checked
 * (address-policy.ts). The result names the one checked address the connection must go to: the
 * transport connects there and never resolves again, so a second, different DNS answer (rebinding)
 * is never used.
 */
import { ValidationError } from '../errors';
import { type AddressFamily, canonicalAddress, isLoopback, refusedAddress } from './address-policy';

/** Resolves a host name to every address it has (A and AAAA); rejects when it has none. */
export type HostResolver = (hostname: string) => Promise<{ address: string; family: AddressFamily }[]>;

export interface UrlPolicy {
  /**
   * Local mode (a setting of the local platform, never on AWS): http and https to localhost,
   * 127.0.0.1 and [::1] are allowed, so a test receiver on the laptop can get notifications.
   */
  allowLoopback: boolean;
}

export const AWS_URL_POLICY: UrlPolicy = { allowLoopback: false };

/** The longest URL a channel may hold (Slack's are ~80 characters; 2 KB leaves room for any receiver). */
export const MAX_URL_LENGTH = 2048;

/** Where one delivery goes: the URL (for the Host header, the path and SNI) and the checked address. */
export interface DeliveryTarget {
  url: URL;
  address: string;
  family: AddressFamily;
}

/** The URL refused, with the reason in a message safe to show its owner. */
export class RefusedUrlError extends ValidationError {
  override readonly name: string = 'RefusedUrlError';
}

/**
 * The host did not resolve (or had no address): refused when a URL is saved, but a delivery retries
 * it, since DNS failures are often passing.
 */
export class UnresolvedHostError extends RefusedUrlError {
  override readonly name = 'UnresolvedHostError';
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Checks the URL's form (no network): what a channel's URL must be before anything is resolved. */
export function parseDeliveryUrl(text: string, policy: UrlPolicy): URL {
  if (text.length > MAX_URL_LENGTH)
    throw new RefusedUrlError(`url must be at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RefusedUrlError('url is not a valid URL');
  }
  const local = policy.allowLoopback && LOOPBACK_NAMES.has(url.hostname);
  if (url.protocol !== 'https:' && !(local && url.protocol === 'http:')) {
    throw new RefusedUrlError(
      policy.allowLoopback ? 'url must be https (or http to localhost in local mode)' : 'url must be https',
    );
  }
  if (url.username !== '' || url.password !== '') throw new RefusedUrlError('url must not carry credentials');
  if (url.hostname === '') throw new RefusedUrlError('url has no host');
  return url;
}

/**
 * The URL checked and its host resolved: every address must be allowed (one refused address refuses
 * the URL, so a name with a public and a private answer is refused), and the first is the target.
 */
export async function resolveDeliveryTarget(
  text: string,
  resolver: HostResolver,
  policy: UrlPolicy,
): Promise<DeliveryTarget> {
  const url = parseDeliveryUrl(text, policy);
  const local = policy.allowLoopback && LOOPBACK_NAMES.has(url.hostname);
  const literal = canonicalAddress(url.hostname);
  const answers = literal ? [literal] : await resolveOrRefuse(resolver, url.hostname);
  const checked = answers.map((answer) => {
    const canonical = canonicalAddress(answer.address);
    if (!canonical)
      throw new RefusedUrlError(`url refused: ${url.hostname} resolved to something that is not an address`);
    const reason = local && isLoopback(canonical.address) ? undefined : refusedAddress(canonical.address);
    if (reason !== undefined)
      throw new RefusedUrlError(
        `url refused: ${url.hostname} is or resolves to a forbidden address (${reason})`,
      );
    return canonical;
  });
  const [first] = checked;
  if (!first) throw new UnresolvedHostError(`url refused: ${url.hostname} has no address`);
  return { url, ...first };
}

async function resolveOrRefuse(resolver: HostResolver, hostname: string) {
  try {
    return await resolver(hostname);
  } catch {
    throw new UnresolvedHostError(`url refused: ${hostname} does not resolve`);
  }
}
