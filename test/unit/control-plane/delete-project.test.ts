/**
 * Deleting a project deletes what the data planes hold for it first: its metrics (composites before
 * the children they name), prompt configurations and tools, each with its tombstone published, so no
 * data plane keeps evaluating or serving them; another project's records stay.
 */
import { expect, it } from 'vitest';
import { readConfigurationInput } from '../../../lambdas/domain/configurations/configuration-input';
import { createConfiguration } from '../../../lambdas/domain/configurations/configurations';
import { createTool, readCreateToolInput } from '../../../lambdas/domain/configurations/tools';
import type { Project } from '../../../lambdas/domain/control-plane/model';
import { deleteProject } from '../../../lambdas/domain/control-plane/projects';
import { readCreateMetricInput } from '../../../lambdas/domain/evaluators/definitions/metric-input';
import { createMetric } from '../../../lambdas/domain/evaluators/definitions/metrics';
import { PROJECT, wireBody, world } from '../configurations/fixtures';

const metric = (name: string, extra: Record<string, unknown> = {}) =>
  readCreateMetricInput({
    name,
    type: 'custom',
    description: name,
    code_snippet: `def ${name}(event):\n    return 1\n`,
    return_type: 'float',
    ...extra,
  }).content;

const composite = (name: string, children: string[]) =>
  metric(name, {
    type: 'composite',
    code_snippet: undefined,
    child_metrics: children.map((child) => ({ name: child, weight: 1 })),
  });

const tool = (name: string) =>
  readCreateToolInput({ task: 'shop', name, type: 'function', parameters: { type: 'object' } });

it('deletes its metrics, configurations and tools with their tombstones, composites first; others stay', async () => {
  const cp = await world();
  const other: Project = { ...PROJECT, id: 'proj-2', name: 'other' };
  await cp.store.put(other);
  await createMetric(cp.context, PROJECT, metric('length'));
  await createMetric(cp.context, PROJECT, metric('polite'));
  await createMetric(cp.context, PROJECT, composite('quality', ['length', 'polite']));
  await createMetric(cp.context, PROJECT, composite('overall', ['quality']));
  await createConfiguration(cp.context, PROJECT, readConfigurationInput(wireBody()));
  await createTool(cp.context, PROJECT, tool('lookup'));
  const kept = await createMetric(cp.context, other, metric('length'));
  const keptTool = await createTool(cp.context, other, tool('lookup'));
  const before = cp.changes.published.length;

  await deleteProject(cp.context, PROJECT);

  const published = cp.changes.published.slice(before);
  const deletedMetrics = published
    .filter((change) => change.type === 'evaluator.deleted')
    .map((change) => (change.payload as { content: { name: string } }).content.name);
  expect(deletedMetrics).toEqual(['overall', 'quality', 'length', 'polite']);
  expect(published.map((change) => change.type)).toEqual([
    'evaluator.deleted',
    'evaluator.deleted',
    'evaluator.deleted',
    'evaluator.deleted',
    'prompt.deleted',
    'tool.deleted',
    'project.deleted',
  ]);
  for (const kind of ['evaluator', 'configuration', 'tool'] as const) {
    const left = await cp.store.listByOrg(kind, PROJECT.org_id);
    expect(left.filter((record) => record.project_id === PROJECT.id)).toEqual([]);
  }
  expect((await cp.store.listByOrg('evaluator', PROJECT.org_id)).map((record) => record.id)).toEqual([
    kept.id,
  ]);
  expect((await cp.store.listByOrg('tool', PROJECT.org_id)).map((record) => record.id)).toEqual([
    keptTool.id,
  ]);
});

it('a delete cut off part way (a timeout, an outage) leaves the project, and deleting it again finishes', async () => {
  const cp = await world();
  await createMetric(cp.context, PROJECT, metric('length'));
  await createMetric(cp.context, PROJECT, composite('quality', ['length']));
  await createConfiguration(cp.context, PROJECT, readConfigurationInput(wireBody()));
  await createTool(cp.context, PROJECT, tool('lookup'));
  let deletes = 0;
  const cutOff = {
    ...cp.context,
    store: Object.assign(Object.create(cp.store), {
      delete: async (...args: Parameters<typeof cp.store.delete>) => {
        if (++deletes === 3) throw new Error('timed out');
        return cp.store.delete(...args);
      },
    }),
  };
  await expect(deleteProject(cutOff, PROJECT)).rejects.toThrow('timed out');
  expect(await cp.store.get(PROJECT)).toBeDefined();

  await deleteProject(cp.context, PROJECT);
  expect(await cp.store.get(PROJECT)).toBeUndefined();
  for (const kind of ['evaluator', 'configuration', 'tool'] as const)
    expect(await cp.store.listByOrg(kind, PROJECT.org_id)).toEqual([]);
  const types = cp.changes.published.map((change) => change.type);
  expect(types.filter((type) => type === 'evaluator.deleted')).toHaveLength(2);
  expect(types.at(-1)).toBe('project.deleted');
});
