import { describe, expect, it } from 'vitest';
import { readConfigurationInput } from '../../../lambdas/domain/configurations/configuration-input';
import {
  configurationHistory,
  createConfiguration,
  deleteConfiguration,
  findConfiguration,
  updateConfiguration,
} from '../../../lambdas/domain/configurations/configurations';
import { MAX_VERSION_BYTES } from '../../../lambdas/domain/configurations/limits';
import { configurationFrom, type PromptPayload } from '../../../lambdas/domain/configurations/synced';
import { ConflictError, NotFoundError, TooLargeError, ValidationError } from '../../../lambdas/domain/errors';
import { checkSyncMessage } from '../../../lambdas/domain/sync/messages';
import { syncMessageOf } from '../../support/sync-message';
import { PROJECT, wireBody, world } from './fixtures';

const input = (model: string, env?: string[], name = 'greeter') =>
  readConfigurationInput(wireBody({ env, name }, { model }));

describe('configurations on the control plane', () => {
  it('every change is a new version; the history keeps them all; each is published as prompt.upserted', async () => {
    const { context, changes, tick } = await world();
    const created = await createConfiguration(context, PROJECT, input('m1', ['dev']));
    tick();
    const second = await updateConfiguration(context, created, input('m2'));
    tick();
    const third = await updateConfiguration(context, second, input('m3', ['prod']));
    expect([created.version, second.version, third.version]).toEqual([1, 2, 3]);
    expect((await configurationHistory(context, third)).map((v) => [v.number, v.content.model])).toEqual([
      [1, 'm1'],
      [2, 'm2'],
      [3, 'm3'],
    ]);
    expect(changes.published.map((change) => [change.type, change.version])).toEqual([
      ['prompt.upserted', 1],
      ['prompt.upserted', 2],
      ['prompt.upserted', 3],
    ]);
  });

  it('environments serve the version last written with them; the payload carries only the latest and deployed ones', async () => {
    const { context, changes } = await world();
    const v1 = await createConfiguration(context, PROJECT, input('m1', ['dev', 'staging']));
    const v2 = await updateConfiguration(context, v1, input('m2'));
    const v3 = await updateConfiguration(context, v2, input('m3', ['staging']));
    expect(v3.deployments).toEqual({ dev: 1, staging: 3 });
    const payload = changes.published.at(-1)?.payload as PromptPayload;
    expect(payload.versions.map((version) => version.number)).toEqual([1, 3]);
    expect(configurationFrom(payload, 'dev')).toMatchObject({ model: 'm1', version: 1, env: ['dev'] });
    expect(configurationFrom(payload, 'staging')).toMatchObject({
      model: 'm3',
      version: 3,
      env: ['staging'],
    });
    expect(configurationFrom(payload)).toMatchObject({ model: 'm3', version: 3 });
    expect(configurationFrom(payload, 'prod')).toBeUndefined();
    // What is published passes the data plane's strict check of prompt messages.
    expect(() =>
      checkSyncMessage(syncMessageOf({ type: 'prompt.upserted', version: 3, payload }, v3.id)),
    ).not.toThrow();
  });

  it('names are unique per project; a rename frees the old name', async () => {
    const { context } = await world();
    const first = await createConfiguration(context, PROJECT, input('m1'));
    await expect(createConfiguration(context, PROJECT, input('m1'))).rejects.toThrow(ConflictError);
    await updateConfiguration(context, first, input('m2', undefined, 'renamed'));
    await expect(createConfiguration(context, PROJECT, input('m1'))).resolves.toMatchObject({
      name: 'greeter',
    });
  });

  it('a delete publishes a tombstone above every upsert, and frees the name', async () => {
    const { context, changes } = await world();
    const created = await createConfiguration(context, PROJECT, input('m1'));
    const updated = await updateConfiguration(context, created, input('m2'));
    await deleteConfiguration(context, updated);
    expect(changes.published.at(-1)).toMatchObject({ type: 'prompt.deleted', version: 3 });
    await expect(findConfiguration(context, PROJECT, created.id)).rejects.toThrow(NotFoundError);
    await expect(createConfiguration(context, PROJECT, input('m3'))).resolves.toBeDefined();
  });

  it("another project's configuration is not found", async () => {
    const { context } = await world();
    const created = await createConfiguration(context, PROJECT, input('m1'));
    await expect(findConfiguration(context, { ...PROJECT, id: 'proj-2' }, created.id)).rejects.toThrow(
      NotFoundError,
    );
  });

  it('refuses secrets and oversized deployments, storing and publishing nothing', async () => {
    const { context, store, changes } = await world();
    const before = store.snapshot();
    const secret = readConfigurationInput(wireBody({}, { hyperparameters: { api_key: 'x' } }));
    await expect(createConfiguration(context, PROJECT, secret)).rejects.toThrow(ValidationError);
    expect(store.snapshot()).toBe(before);
    expect(changes.published).toEqual([]);

    // Four versions near the per-version cap cannot all be served at once (one sync message).
    const big = (env: string[]) =>
      readConfigurationInput(
        wireBody({ env }, { template: [{ role: 'user', content: 'x'.repeat(MAX_VERSION_BYTES - 1500) }] }),
      );
    const v1 = await createConfiguration(context, PROJECT, big(['dev']));
    const v2 = await updateConfiguration(context, v1, big(['staging']));
    const snapshot = store.snapshot();
    await expect(updateConfiguration(context, v2, big(['prod']))).rejects.toThrow(TooLargeError);
    expect(store.snapshot()).toBe(snapshot);
  });
});
