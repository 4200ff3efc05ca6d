/**
 * putAndPublish: a change reaches the data planes only for a record the control plane stored; a put
 * refused for its version (a concurrent update won) publishes nothing.
 */
import { expect, it } from 'vitest';
import { MemoryChangePublisher, projectChange } from '../../../lambdas/domain/control-plane/changes';
import { controlPlaneContext, putAndPublish } from '../../../lambdas/domain/control-plane/context';
import { MemoryControlPlaneStore } from '../../../lambdas/domain/control-plane/memory-store';
import { PROJECT } from '../configurations/fixtures';

it('stores the record, then publishes its change; a refused put publishes nothing', async () => {
  const store = new MemoryControlPlaneStore();
  const changes = new MemoryChangePublisher();
  const context = controlPlaneContext({ store, changes });

  expect(await putAndPublish(context, PROJECT, projectChange)).toBe(PROJECT);
  expect(await store.get(PROJECT)).toEqual(PROJECT);
  expect(changes.published).toEqual([projectChange(PROJECT)]);

  // Version 1 again: the store holds version 1 already, so this put loses.
  const stale = { ...PROJECT, name: 'stale' };
  await expect(putAndPublish(context, stale, projectChange)).rejects.toThrow();
  expect(changes.published).toHaveLength(1);
  expect(await store.get(PROJECT)).toMatchObject({ name: PROJECT.name });
});
