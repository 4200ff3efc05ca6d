/**
 * Metrics on the control plane and their synced copy: every change is a new immutable version with
 * its history kept; names are unique per project; a composite's children exist in the project, are
 * kept by id and never form a cycle; a refused write changes nothing. What the control plane
 * publishes passes the data plane's strict sync check and is read back by the SyncedEvaluatorCatalog,
 * pinned to its project. Sizes stay within one sync message and DynamoDB's 400 KB item limit.
 */
import { describe, expect, it } from 'vitest';
import { itemFromRecord } from '../../../../lambdas/adapters/aws/control-plane-store';
import type { Project } from '../../../../lambdas/domain/control-plane/model';
import { createSyncedEvaluatorCatalog } from '../../../../lambdas/domain/evaluators/definitions/catalog';
import {
  DYNAMODB_ITEM_LIMIT_BYTES,
  MAX_METRIC_VERSION_BYTES,
} from '../../../../lambdas/domain/evaluators/definitions/limits';
import {
  readCreateMetricInput,
  readMetricPatch,
} from '../../../../lambdas/domain/evaluators/definitions/metric-input';
import {
  createMetric,
  deleteMetric,
  evaluatorChange,
  findMetric,
  metricHistory,
  updateMetric,
} from '../../../../lambdas/domain/evaluators/definitions/metrics';
import { entityChangeOf } from '../../../../lambdas/domain/sync/control-plane-changes';
import { checkSyncMessage, SyncMessageError } from '../../../../lambdas/domain/sync/messages';
import { MAX_MESSAGE_BYTES } from '../../../../lambdas/domain/sync/publisher';
import { PROJECT, world } from '../../configurations/fixtures';
import { DATA_PLANE, dataPlane, body as signed } from '../../sync/fixtures';

const CODE = 'def length(event):\n    return len(event["outputs"].get("content", ""))\n';

function content(overrides: Record<string, unknown> = {}) {
  return readCreateMetricInput({
    name: 'length',
    type: 'custom',
    description: 'Length',
    code_snippet: CODE,
    return_type: 'float',
    enabled_in_prod: true,
    ...overrides,
  }).content;
}

const TENANT = { org_id: PROJECT.org_id, workspace_id: PROJECT.workspace_id, project_id: PROJECT.id };

describe('metric versions on the control plane', () => {
  it('creates version 1, keeps it in the history and publishes it', async () => {
    const cp = await world();
    const record = await createMetric(cp.context, PROJECT, content());
    expect(record).toMatchObject({
      kind: 'evaluator',
      id: 'id-1',
      name: 'length',
      version: 1,
      project_id: PROJECT.id,
    });
    expect(await metricHistory(cp.context, record)).toEqual([
      { number: 1, content: record.content, created_at: record.created_at },
    ]);
    expect(cp.changes.published).toEqual([evaluatorChange(record)]);
  });

  it('an update is a new version; every version stays in the history, unchanged', async () => {
    const cp = await world();
    const first = await createMetric(cp.context, PROJECT, content());
    cp.tick();
    const second = await updateMetric(
      cp.context,
      PROJECT,
      first,
      readMetricPatch({ code_snippet: CODE.replace('len(', 'len(str(').replace('""))', '"")))') }),
    );
    cp.tick();
    const third = await updateMetric(cp.context, PROJECT, second, readMetricPatch({ description: 'Three' }));
    expect([first.version, second.version, third.version]).toEqual([1, 2, 3]);
    const history = await metricHistory(cp.context, third);
    expect(history.map((version) => version.number)).toEqual([1, 2, 3]);
    expect(history[0]?.content.codeSnippet).toBe(CODE);
    expect(history[1]?.content.codeSnippet).toContain('len(str(');
    expect(history[2]?.content.description).toBe('Three');
    expect(new Set(history.map((version) => version.created_at)).size).toBe(3);
    expect(cp.changes.published.map((change) => [change.type, change.version])).toEqual([
      ['evaluator.upserted', 1],
      ['evaluator.upserted', 2],
      ['evaluator.upserted', 3],
    ]);
  });

  it('an update that changes nothing makes no version and publishes nothing', async () => {
    const cp = await world();
    const first = await createMetric(cp.context, PROJECT, content());
    const same = await updateMetric(cp.context, PROJECT, first, readMetricPatch({ description: 'Length' }));
    expect(same).toBe(first);
    expect(cp.changes.published).toHaveLength(1);
  });

  it('a concurrent update of the same version loses cleanly', async () => {
    const cp = await world();
    const first = await createMetric(cp.context, PROJECT, content());
    await updateMetric(cp.context, PROJECT, first, readMetricPatch({ description: 'A' }));
    await expect(
      updateMetric(cp.context, PROJECT, first, readMetricPatch({ description: 'B' })),
    ).rejects.toThrow(/changed by another request/);
    expect((await findMetric(cp.context, PROJECT, first.id)).content.description).toBe('A');
  });

  it('names are unique per project; a rename frees the old name', async () => {
    const cp = await world();
    const first = await createMetric(cp.context, PROJECT, content());
    await expect(createMetric(cp.context, PROJECT, content())).rejects.toThrow(/named "length" exists/);
    await updateMetric(cp.context, PROJECT, first, readMetricPatch({ name: 'size' }));
    await expect(createMetric(cp.context, PROJECT, content())).resolves.toMatchObject({ name: 'length' });
    const other: Project = { ...PROJECT, id: 'proj-2', name: 'other' };
    await cp.store.put(other);
    await expect(createMetric(cp.context, other, content())).resolves.toMatchObject({ project_id: 'proj-2' });
  });

  it('another project cannot see or change a metric', async () => {
    const cp = await world();
    const record = await createMetric(cp.context, PROJECT, content());
    await expect(findMetric(cp.context, { ...PROJECT, id: 'proj-2' }, record.id)).rejects.toThrow(
      /No metric/,
    );
  });

  it('refuses a secret in a metric before storing anything', async () => {
    const cp = await world();
    const secret = `wgl_${'a'.repeat(43)}_abcdef`;
    await expect(
      createMetric(cp.context, PROJECT, content({ code_snippet: `def f(e):\n    return "${secret}"\n` })),
    ).rejects.toThrow(/keep secrets out of metrics/);
    expect(await cp.store.listByOrg('evaluator', PROJECT.org_id)).toEqual([]);
    expect(cp.changes.published).toEqual([]);
  });
});

describe('composites', () => {
  async function withChildren() {
    const cp = await world();
    const length = await createMetric(cp.context, PROJECT, content());
    const polite = await createMetric(
      cp.context,
      PROJECT,
      content({ name: 'polite', code_snippet: 'def polite(event):\n    return 1\n', return_type: 'boolean' }),
    );
    return { cp, length, polite };
  }

  const composite = (children: unknown[]) =>
    content({ name: 'quality', type: 'composite', code_snippet: undefined, child_metrics: children });

  it('keeps each child by id with its name and weight', async () => {
    const { cp, length, polite } = await withChildren();
    const record = await createMetric(
      cp.context,
      PROJECT,
      composite([
        { name: 'length', weight: 1 },
        { id: polite.id, name: 'whatever', weight: 3 },
      ]),
    );
    expect(record.content.childMetrics).toEqual([
      { id: length.id, name: 'length', weight: 1 },
      { id: polite.id, name: 'polite', weight: 3 },
    ]);
  });

  it('refuses a child that does not exist in the project, changing nothing', async () => {
    const { cp } = await withChildren();
    const before = cp.changes.published.length;
    await expect(
      createMetric(cp.context, PROJECT, composite([{ name: 'ghost', weight: 1 }])),
    ).rejects.toThrow(/no metric named "ghost" in this project/);
    await expect(
      createMetric(cp.context, PROJECT, composite([{ id: 'nope', name: 'length', weight: 1 }])),
    ).rejects.toThrow(/no metric with id nope/);
    expect(cp.changes.published).toHaveLength(before);
    expect(
      (await cp.store.listByOrg('evaluator', PROJECT.org_id)).map((record) => record.name),
    ).not.toContain('quality');
  });

  it('refuses a cycle and a human child', async () => {
    const { cp, length } = await withChildren();
    const quality = await createMetric(cp.context, PROJECT, composite([{ name: 'length', weight: 1 }]));
    const outer = await createMetric(
      cp.context,
      PROJECT,
      content({
        name: 'outer',
        type: 'composite',
        code_snippet: undefined,
        child_metrics: [{ name: 'quality', weight: 1 }],
      }),
    );
    await expect(
      updateMetric(
        cp.context,
        PROJECT,
        quality,
        readMetricPatch({ child_metrics: [{ name: 'outer', weight: 1 }] }),
      ),
    ).rejects.toThrow(/uses this metric \(a cycle\)/);
    await createMetric(
      cp.context,
      PROJECT,
      content({ name: 'review', type: 'human', code_snippet: undefined }),
    );
    await expect(
      updateMetric(
        cp.context,
        PROJECT,
        outer,
        readMetricPatch({ child_metrics: [{ name: 'review', weight: 1 }] }),
      ),
    ).rejects.toThrow(/human metric/);
    expect(length.version).toBe(1);
  });

  it('a child cannot be deleted while a composite uses it', async () => {
    const { cp, length } = await withChildren();
    await createMetric(cp.context, PROJECT, composite([{ name: 'length', weight: 1 }]));
    await expect(deleteMetric(cp.context, length)).rejects.toThrow(/child of the composite "quality"/);
    expect(await findMetric(cp.context, PROJECT, length.id)).toMatchObject({ version: 1 });
  });
});

describe('the synced copy', () => {
  async function synced() {
    const cp = await world();
    const dp = dataPlane();
    const apply = async () => {
      for (const change of cp.changes.published.splice(0))
        expect((await dp.controller.handle(await signed(entityChangeOf(change)))).status).toBe('applied');
    };
    return { cp, dp, apply, catalog: createSyncedEvaluatorCatalog({ configStore: dp.configStore }) };
  }

  it('serves the latest version to online evaluation and the API, pinned to the project', async () => {
    const { cp, apply, catalog } = await synced();
    const first = await createMetric(
      cp.context,
      PROJECT,
      content({ event_type: 'model', sampling_percentage: 50 }),
    );
    await createMetric(cp.context, PROJECT, content({ name: 'off', enabled_in_prod: false }));
    await apply();
    expect((await catalog.enabledInProd(TENANT)).map((definition) => definition.name)).toEqual(['length']);
    expect(await catalog.get(TENANT, first.id)).toMatchObject({
      id: first.id,
      projectId: PROJECT.id,
      name: 'length',
      version: 1,
      type: 'custom',
      codeSnippet: CODE,
      eventType: 'model',
      samplingPercentage: 50,
      filters: [],
    });
    await updateMetric(cp.context, PROJECT, first, readMetricPatch({ description: 'v2' }));
    await apply();
    expect(await catalog.get(TENANT, first.id, 2)).toMatchObject({ version: 2, description: 'v2' });
    // Only the latest version travels: an older one is gone, as after a deletion.
    expect(await catalog.get(TENANT, first.id, 1)).toBeUndefined();
    expect(await catalog.get({ ...TENANT, project_id: 'proj-2' }, first.id)).toBeUndefined();
    expect(await catalog.list({ ...TENANT, project_id: 'proj-2' })).toEqual([]);
    expect((await catalog.list(TENANT, { type: 'custom' })).map((definition) => definition.name)).toEqual([
      'length',
      'off',
    ]);
    expect(await catalog.list(TENANT, { type: 'model' })).toEqual([]);
    expect((await catalog.list(TENANT, { id: first.id })).map((definition) => definition.version)).toEqual([
      2,
    ]);
  });

  it('a deletion removes the metric from every read; a late upsert cannot bring it back', async () => {
    const { cp, dp, apply, catalog } = await synced();
    const record = await createMetric(cp.context, PROJECT, content());
    const upsert = await signed(entityChangeOf(cp.changes.published[0] as never));
    await apply();
    await deleteMetric(cp.context, record);
    expect(cp.changes.published.map((change) => [change.type, change.version])).toEqual([
      ['evaluator.deleted', 2],
    ]);
    await apply();
    expect(await catalog.get(TENANT, record.id)).toBeUndefined();
    expect(await catalog.enabledInProd(TENANT)).toEqual([]);
    expect((await dp.controller.handle(upsert)).status).toBe('stale');
    expect(await catalog.list(TENANT)).toEqual([]);
  });

  it('the data plane refuses an evaluator payload the API would refuse', () => {
    const message = (payload: Record<string, unknown>) => ({
      v: 1,
      dataPlaneId: DATA_PLANE,
      seq: 1,
      issuedAt: 1,
      kind: 'evaluator.upserted',
      entityId: 'e1',
      entityVersion: 1,
      payload,
    });
    const sound = {
      id: 'e1',
      org_id: 'o',
      workspace_id: 'w',
      project_id: 'p',
      version: 1,
      content: JSON.parse(JSON.stringify(content())),
      created_at: '2026-12-01T00:00:00.000Z',
      updated_at: '2026-12-01T00:00:00.000Z',
    };
    expect(checkSyncMessage(message(sound)).payload).toEqual(sound);
    const broken: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...sound, extra: 1 }, /unknown field "extra"/],
      [{ ...sound, id: 'e2' }, /id differs/],
      [{ ...sound, version: 0 }, /version/],
      [{ ...sound, project_id: '' }, /project_id/],
      [{ ...sound, updated_at: 'yesterday' }, /updated_at is not a date/],
      [{ ...sound, content: { ...sound.content, codeSnippet: 'print(1)' } }, /must define a function/],
      [{ ...sound, content: { ...sound.content, samplingPercentage: 101 } }, /sampling_percentage/],
      [{ ...sound, content: { ...sound.content, colour: 'red' } }, /unknown content field "colour"/],
      [
        { ...sound, content: { ...sound.content, filters: [{ field: 'metadata.x', operator: 'near' }] } },
        /operator/,
      ],
      [{ ...sound, content: 'def f(e): pass' }, /content is not an object/],
    ];
    for (const [payload, problem] of broken) {
      expect(() => checkSyncMessage(message(payload))).toThrow(SyncMessageError);
      expect(() => checkSyncMessage(message(payload))).toThrow(problem);
    }
  });
});

describe('sizes', () => {
  it('the largest version accepted fits one sync message and a DynamoDB item (400 KB)', async () => {
    const cp = await world();
    // As large as accepted: code of characters JSON escapes (a backslash and a quote: 4 bytes as JSON).
    const base = Buffer.byteLength(JSON.stringify(content({ code_snippet: `${CODE}#` })), 'utf8');
    const filled = () =>
      content({ code_snippet: `${CODE}#${'\\"'.repeat(Math.floor((MAX_METRIC_VERSION_BYTES - base) / 4))}` });
    const record = await createMetric(cp.context, PROJECT, filled());
    expect(Buffer.byteLength(JSON.stringify(record.content))).toBeGreaterThan(MAX_METRIC_VERSION_BYTES - 16);
    const [change] = cp.changes.published;
    const message = JSON.stringify({
      message: { v: 1, dataPlaneId: DATA_PLANE, seq: 1, issuedAt: 1, ...entityChangeOf(change as never) },
      keyId: 'cp-key-1',
      signature: 'A'.repeat(100),
    });
    expect(Buffer.byteLength(message)).toBeLessThan(MAX_MESSAGE_BYTES);
    expect(Buffer.byteLength(JSON.stringify(itemFromRecord(record)))).toBeLessThan(DYNAMODB_ITEM_LIMIT_BYTES);
    const [history] = await cp.store.listByOrg('evaluator-version', PROJECT.org_id);
    expect(Buffer.byteLength(JSON.stringify(itemFromRecord(history as never)))).toBeLessThan(
      DYNAMODB_ITEM_LIMIT_BYTES,
    );
  });
});
