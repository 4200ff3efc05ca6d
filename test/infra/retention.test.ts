/**
 * Retention from the deployment config as S3 lifecycle rules: raw requests expire after the
 * configured days (30 by default), and the listed projects' events, payloads and scores after theirs, on
 * the URL-encoded project id as it appears in keys.
 */

import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { rollupPartitionPrefix } from '../../lambdas/domain/alerts/monitors/rollup-table';
import { partitionPrefix, payloadKey } from '../../lambdas/domain/store/layout';
import { scorePartitionPrefix } from '../../lambdas/domain/store/scores';
import { loadDeploymentConfig } from '../../lib/config/deployment-config';
import { DEFAULT_RAW_RETENTION_DAYS } from '../../lib/data-plane/raw-archive';
import { buildTestApp, TWO_DATA_PLANES_CONFIG } from './support/test-app';

function templatesWith(retention: Record<string, unknown> | undefined) {
  const config = loadDeploymentConfig(TWO_DATA_PLANES_CONFIG);
  const [first, ...rest] = config.dataPlanes;
  const built = buildTestApp({
    ...config,
    dataPlanes: [{ ...(first as NonNullable<typeof first>), ...(retention && { retention }) }, ...rest],
  });
  const stack = built.dataPlanes.get((first as NonNullable<typeof first>).name);
  if (!stack) throw new Error('no data plane');
  return { stack, template: Template.fromStack(stack) };
}

function rulesOf(template: Template, stack: { getLogicalId: (e: never) => string }, bucket: unknown) {
  const id = stack.getLogicalId((bucket as { node: { defaultChild: never } }).node.defaultChild);
  const resource = template.findResources('AWS::S3::Bucket')[id];
  return (resource?.Properties?.LifecycleConfiguration?.Rules ?? []) as Record<string, unknown>[];
}

describe('retention lifecycle rules', () => {
  it(`expires raw requests after ${DEFAULT_RAW_RETENTION_DAYS} days by default and keeps every project's events`, () => {
    const { stack, template } = templatesWith(undefined);
    const raw = rulesOf(template, stack, stack.rawArchive.bucket);
    expect(raw).toContainEqual(
      expect.objectContaining({
        Prefix: 'raw/',
        ExpirationInDays: DEFAULT_RAW_RETENTION_DAYS,
        Status: 'Enabled',
      }),
    );
    // Tiering is pointless when objects are gone before Standard-IA's 30-day minimum is over.
    expect(raw.some((rule) => rule.Transitions !== undefined)).toBe(false);
    const events = rulesOf(template, stack, stack.eventStore.bucket);
    expect(events.some((rule) => rule.ExpirationInDays !== undefined)).toBe(false);
  });

  it('takes the raw retention from the config, and tiers only what stays past each minimum', () => {
    const { stack, template } = templatesWith({ rawRequestDays: 365 });
    const raw = rulesOf(template, stack, stack.rawArchive.bucket);
    expect(raw).toContainEqual(expect.objectContaining({ Prefix: 'raw/', ExpirationInDays: 365 }));
    expect(raw).toContainEqual(
      expect.objectContaining({
        Prefix: 'raw/',
        Transitions: [
          { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
          { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
        ],
      }),
    );
  });

  it("expires each listed project's events, payloads, scores and rollups under its URL-encoded id, and no one else's", () => {
    const projectId = 'acme prod/ü';
    const { stack, template } = templatesWith({
      projectEvents: [
        { projectId, days: 90 },
        { projectId: 'p-2', days: 7 },
      ],
    });
    const encoded = encodeURIComponent(projectId);
    const eventsPrefix = `events/project_id=${encoded}/`;
    const payloadsPrefix = `payloads/project_id=${encoded}/`;
    const scoresPrefix = `scores/project_id=${encoded}/`;
    const rollupsPrefix = `rollups/project_id=${encoded}/`;
    // The prefixes are the ones the writer's keys start with.
    expect(
      scorePartitionPrefix({ project_id: projectId, event_start_time: 0 }).startsWith(scoresPrefix),
    ).toBe(true);
    expect(
      partitionPrefix('events/', { projectId, dt: '2026-01-01', hour: '00' }).startsWith(eventsPrefix),
    ).toBe(true);
    expect(payloadKey(projectId, 'e', 1, 'inputs').startsWith(payloadsPrefix)).toBe(true);
    expect(rollupPartitionPrefix({ project_id: projectId, minute: 0 }).startsWith(rollupsPrefix)).toBe(true);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: eventsPrefix, ExpirationInDays: 90, Status: 'Enabled' }),
          Match.objectLike({ Prefix: payloadsPrefix, ExpirationInDays: 90, Status: 'Enabled' }),
          Match.objectLike({ Prefix: scoresPrefix, ExpirationInDays: 90, Status: 'Enabled' }),
          Match.objectLike({ Prefix: rollupsPrefix, ExpirationInDays: 90, Status: 'Enabled' }),
          Match.objectLike({ Prefix: 'events/project_id=p-2/', ExpirationInDays: 7 }),
          Match.objectLike({ Prefix: 'payloads/project_id=p-2/', ExpirationInDays: 7 }),
        ]),
      },
    });
    const rules = rulesOf(template, stack, stack.eventStore.bucket);
    // Four prefixes (events, payloads, scores, rollups) for each of the two projects.
    expect(rules.filter((rule) => rule.ExpirationInDays !== undefined)).toHaveLength(8);
    expect(rules.some((rule) => String(rule.Prefix ?? '').startsWith('tombstones/'))).toBe(false);
  });
});
