import { describe, expect, it } from 'vitest';
import { platformForFile } from '../../../test/support/temp-platform';
import { main } from '../../examples/quickstart';

const local = platformForFile('waggle-quickstart-', { writer: { maximumBatchingWindowMs: 100 } });

describe('the SDK README quick start', () => {
  it('traces an agent into one session that the read API returns', async () => {
    const result = await main({ serverUrl: local.platform.url, apiKey: local.platform.apiKey });
    expect(result.eventTypes).toEqual(['chain', 'model', 'tool']);
  });
});
