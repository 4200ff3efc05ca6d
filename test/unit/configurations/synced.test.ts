import { describe, expect, it } from 'vitest';
import { readConfigurationInput } from '../../../lambdas/domain/configurations/configuration-input';
import {
  createConfiguration,
  updateConfiguration,
} from '../../../lambdas/domain/configurations/configurations';
import { createConfigurationLookup } from '../../../lambdas/domain/configurations/lookup';
import type { ToolPayload } from '../../../lambdas/domain/configurations/synced';
import { entityChangeOf } from '../../../lambdas/domain/sync/control-plane-changes';
import { digest } from '../../../lambdas/domain/sync/digest';
import { buildHeartbeat, parseHeartbeat } from '../../../lambdas/domain/sync/heartbeat';
import { checkSyncMessage, SyncMessageError } from '../../../lambdas/domain/sync/messages';
import { planReconciliation } from '../../../lambdas/domain/sync/publisher';
import { body, change, dataPlane } from '../sync/fixtures';
import { PROJECT, wireBody, world } from './fixtures';

const tool = (name: string, overrides: Record<string, unknown> = {}) => ({
  id: 't1',
  org_id: 'org-1',
  workspace_id: 'ws-1',
  project_id: 'proj-1',
  name,
  parameters: { type: 'object' },
  tool_type: 'function',
  created_at: '2026-12-01T00:00:00.000Z',
  updated_at: '2026-12-01T00:00:00.000Z',
  ...overrides,
});

const message = (kind: string, entityId: string, payload: unknown) => ({
  v: 1,
  dataPlaneId: 'dp',
  seq: 1,
  issuedAt: 1,
  kind,
  entityId,
  entityVersion: 1,
  payload,
});

describe('tool.* and prompt.* sync messages', () => {
  it('a tool payload is checked strictly', () => {
    expect(() => checkSyncMessage(message('tool.upserted', 't1', tool('a')))).not.toThrow();
    for (const [payload, problem] of [
      [tool('a', { extra: 1 }), /unknown field "extra"/],
      [tool('a', { id: 't2' }), /id differs/],
      [tool('a', { tool_type: 'gadget' }), /tool_type/],
      [tool('a', { parameters: [] }), /parameters is not an object/],
      [tool('a', { parameters: { client_secret: 'x' } }), /named like a secret/],
    ] as const) {
      expect(() => checkSyncMessage(message('tool.upserted', 't1', payload))).toThrow(SyncMessageError);
      expect(() => checkSyncMessage(message('tool.upserted', 't1', payload))).toThrow(problem);
    }
  });

  it('a prompt payload must serve only versions it carries, in known environments', async () => {
    const { context, changes } = await world();
    const record = await createConfiguration(context, PROJECT, readConfigurationInput(wireBody()));
    const payload = JSON.parse(JSON.stringify(changes.published[0]?.payload));
    expect(() => checkSyncMessage(message('prompt.upserted', record.id, payload))).not.toThrow();
    for (const [broken, problem] of [
      [{ ...payload, deployments: { qa: 1 } }, /unknown environment "qa"/],
      [{ ...payload, deployments: { dev: 7 } }, /not in versions/],
      [{ ...payload, latest: 2 }, /latest version is not in versions/],
      [{ ...payload, surprise: true }, /unknown field "surprise"/],
      [
        {
          ...payload,
          versions: [
            { ...payload.versions[0], content: { ...payload.versions[0].content, provider: 'acme' } },
          ],
        },
        /provider/,
      ],
    ] as const) {
      expect(() => checkSyncMessage(message('prompt.upserted', record.id, broken))).toThrow(problem);
    }
  });
});

describe('the data plane applies tools and prompts in entity-version order', () => {
  it('a late older tool upsert is stale; a tombstone is never revived', async () => {
    const dp = dataPlane();
    const apply = async (kind: 'tool.upserted' | 'tool.deleted', version: number, payload: ToolPayload) =>
      (
        await dp.controller.handle(
          await body(change(kind, 't1', version, JSON.parse(JSON.stringify(payload)))),
        )
      ).status;
    expect(await apply('tool.upserted', 2, tool('second') as ToolPayload)).toBe('applied');
    expect(await apply('tool.upserted', 1, tool('first') as ToolPayload)).toBe('stale');
    const lookup = createConfigurationLookup({ configStore: dp.configStore });
    expect((await lookup.tools(PROJECT_TENANT)).map((t) => t.name)).toEqual(['second']);
    expect(await apply('tool.deleted', 3, tool('second') as ToolPayload)).toBe('applied');
    expect(await apply('tool.upserted', 2, tool('second') as ToolPayload)).toBe('stale');
    expect(await lookup.tools(PROJECT_TENANT)).toEqual([]);
    expect((await dp.controller.inventory()).map((entry) => entry.kind)).toContain('tool');
  });

  it('the lookup serves a project its own configurations only, by name and environment', async () => {
    const { context, changes } = await world();
    const created = await createConfiguration(
      context,
      PROJECT,
      readConfigurationInput(wireBody({ env: ['prod'] })),
    );
    await updateConfiguration(
      context,
      created,
      readConfigurationInput(wireBody({ env: undefined }, { model: 'newer' })),
    );
    const dp = dataPlane();
    for (const published of changes.published)
      await dp.controller.handle(await body(entityChangeOf(published)));
    const lookup = createConfigurationLookup({ configStore: dp.configStore });
    expect(await lookup.find(PROJECT_TENANT, 'greeter', 'prod')).toMatchObject({
      model: 'gpt-4o-mini',
      version: 1,
    });
    expect(await lookup.find(PROJECT_TENANT, 'greeter')).toMatchObject({
      model: 'newer',
      version: 2,
      env: [],
    });
    expect(await lookup.find(PROJECT_TENANT, 'greeter', 'dev')).toBeUndefined();
    expect(await lookup.find({ ...PROJECT_TENANT, project_id: 'proj-2' }, 'greeter')).toBeUndefined();
    expect(await lookup.find({ ...PROJECT_TENANT, org_id: 'org-2' }, 'greeter')).toBeUndefined();
  });
});

const PROJECT_TENANT = { org_id: 'org-1', workspace_id: 'ws-1', project_id: 'proj-1' };

describe('a data plane from before the tool kind', () => {
  it('still has its heartbeat read; its missing tool digest makes the kind differ, so tools are resent', () => {
    const full = buildHeartbeat({
      dataPlaneId: 'dp',
      queueDepth: 0,
      errors: 0,
      lagMs: 0,
      appliedSeq: 1,
      digest: digest([]),
    });
    const { tool: _tool, ...olderDigest } = full.digest;
    const parsed = parseHeartbeat({ ...full, digest: olderDigest });
    expect(parsed.digest.tool).toBeUndefined();
    const plan = planReconciliation(
      [change('tool.upserted', 't1', 1, JSON.parse(JSON.stringify(tool('a'))))],
      { digest: parsed.digest },
    );
    expect(plan.differingKinds).toEqual(['tool']);
    expect(plan.toRepublish.map((entity) => entity.entityId)).toEqual(['t1']);
  });
});
