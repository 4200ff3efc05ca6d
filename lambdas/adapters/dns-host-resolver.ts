/**
 * The HostResolver on the system resolver (getaddrinfo, as Node's own connections use): every A and
 * AAAA answer, in the resolver's order, so that the SSRF checks see all of them.
 */
import { lookup } from 'node:dns/promises';
import type { HostResolver } from '../domain/alerts/delivery-target';

export const dnsHostResolver: HostResolver = async (hostname) => {
  const answers = await lookup(hostname, { all: true, order: 'verbatim' });
  return answers.map((answer) => ({ address: answer.address, family: answer.family === 6 ? 6 : 4 }));
};
