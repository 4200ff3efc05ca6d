import type { JudgeWiringInput } from '../../lambdas/config/judge';
import type { WaggleFunction } from '../common/waggle-function';
import type { EventsQueue } from './events-queue';
import type { ProviderKeyTable } from './provider-keys';
import type { ProxyLimits } from './proxy-limits';
import type { RawArchive } from './raw-archive';

/** What a function that runs LLM judges reaches, and the deployment's judge settings. */
export interface JudgeAccess {
  readonly providerKeys: ProviderKeyTable;
  readonly proxyLimits: ProxyLimits;
  /** The judge's model event goes on the events queue; a large one through the raw archive. */
  readonly eventsQueue: EventsQueue;
  readonly rawArchive: RawArchive;
  /** Dollars a day an evaluator's judge may spend when its definition names no budget (default 5). */
  readonly judgeDailyBudgetUsd?: number;
  /** What a judge model tries when it fails transiently. */
  readonly judgeFallbacks?: Readonly<Record<string, readonly string[]>>;
}

/** The function's judge variables (JUDGE_WIRING_VARIABLES, lambdas/adapters/aws/judge-wiring.ts). */
export function judgeEnvironment(access: JudgeAccess): JudgeWiringInput {
  return {
    PROVIDER_KEYS_TABLE_NAME: access.providerKeys.table.tableName,
    PROVIDER_SECRETS_KEY_ARN: access.providerKeys.secretsKey.keyArn,
    PROXY_LIMITS_TABLE_NAME: access.proxyLimits.limitsTable.tableName,
    JUDGE_DAILY_BUDGET_USD:
      access.judgeDailyBudgetUsd === undefined ? undefined : String(access.judgeDailyBudgetUsd),
    JUDGE_FALLBACKS: access.judgeFallbacks === undefined ? undefined : JSON.stringify(access.judgeFallbacks),
  };
}

/**
 * Lets the function run judges as the LLM proxy calls providers: open provider secrets, admit calls
 * against the project's budgets and rate limits, put the judge's model event on the events queue.
 */
export function grantJudge(fn: WaggleFunction, access: JudgeAccess): void {
  access.providerKeys.grantDecryptForProxy(fn.role);
  access.proxyLimits.grantAdmit(fn.role);
  access.eventsQueue.grantSendEvents(fn.role);
  access.rawArchive.grantWriteOverflowObjects(fn.role);
}
