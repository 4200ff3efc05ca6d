/** The AWS fetch refuses private, loopback, link-local and metadata addresses, by name or literal. */
import { describe, expect, it } from 'vitest';
import {
  BlockedAddressError,
  createGuardedFetch,
  isBlockedAddress,
} from '../../../lambdas/adapters/providers/guarded-fetch';

describe('the provider fetch on AWS', () => {
  it('blocks private, loopback, link-local and metadata addresses and lets public ones through', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fd00:ec2::254',
      'fe80::1',
      '::ffff:10.0.0.1',
    ]) {
      expect(isBlockedAddress(address), address).toBe(true);
    }
    for (const address of ['8.8.8.8', '104.18.6.192', '2606:4700::6810:1'])
      expect(isBlockedAddress(address), address).toBe(false);
  });

  it('refuses a name that resolves to loopback before any connection, and http and IP literals', async () => {
    const guarded = createGuardedFetch();
    await expect(
      guarded('https://localhost:1/v1/chat/completions', { method: 'POST', body: '{}' }),
    ).rejects.toBeInstanceOf(BlockedAddressError);
    await expect(guarded('https://169.254.169.254/latest/meta-data')).rejects.toBeInstanceOf(
      BlockedAddressError,
    );
    await expect(guarded('http://api.openai.com/v1/models')).rejects.toThrow(/https/);
  });
});
