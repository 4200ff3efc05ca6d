import { randomUUID } from 'node:crypto';

/**
 * A name for one writer invocation's files: the UTC time first so a partition's files list in
 * write order, then a random part so two invocations (or a redelivery) never share a name.
 */
export function newBatchId(epochMs: number): string {
  const time = new Date(epochMs).toISOString().replace(/[-:]/g, '').replace('.', '');
  return `${time}-${randomUUID()}`;
}
