/**
 * Backfill runs on AWS: executions of the backfill state machine named by their backfill id
 * (sfn-workflow.ts, shared with server-side experiments), the run's tenant checked against the
 * execution's input.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import { ConflictError } from '../../domain/errors';
import type { BackfillRun } from '../../domain/evaluators/backfill/request';
import {
  type BackfillRunner,
  type BackfillState,
  backfillState,
  belongsTo,
} from '../../domain/evaluators/backfill/runs';
import type { Tenant } from '../../domain/events/event';
import { SfnWorkflow } from './sfn-workflow';

export class SfnBackfillRunner implements BackfillRunner {
  private readonly workflow: SfnWorkflow<BackfillRun>;

  constructor(sfn: SFNClient, stateMachineArn: string) {
    this.workflow = new SfnWorkflow(sfn, stateMachineArn);
  }

  async start(run: BackfillRun): Promise<void> {
    await this.workflow.start(run.backfill_id, run);
  }

  async describe(tenant: Tenant, backfillId: string): Promise<BackfillState | undefined> {
    const execution = await this.workflow.describe(backfillId);
    if (!execution || !belongsTo(execution.run, tenant)) return undefined;
    return backfillState(execution);
  }

  async redrive(tenant: Tenant, backfillId: string): Promise<void> {
    if (!(await this.describe(tenant, backfillId))) throw new ConflictError(`no backfill ${backfillId}`);
    try {
      await this.workflow.redrive(backfillId);
    } catch (error) {
      if (error instanceof ConflictError)
        throw new ConflictError(error.message.replace(/^run /, 'backfill '));
      throw error;
    }
  }
}
