/**
 * npm run query:plan -- <METHOD> <path[?query]> [json body]
 *
 * Prints, without AWS, the Athena statements a read request would run, as JSON
 * `{"status", "statements": [{"statement", "sql", "parameters", "partitions"}]}`; `partitions`
 * gives, per events/tombstones reference, the hour partitions it can touch (an unbounded one counts
 * the whole projected range since 2000-01-01). See lambdas/local/query-plan.ts.
 *
 *   npm run query:plan -- GET '/v1/events/chart?groupBy=metadata.tier&dateRange=7d'
 *   npm run query:plan -- POST /v1/events/export '{"filters":[],"limit":10}'
 */
import { planRead } from '../lambdas/local/query-plan';

const USAGE = 'usage: npm run query:plan -- <METHOD> <path[?query]> [json body]';

async function main(args: string[]): Promise<number> {
  const [method, target, body, ...rest] = args;
  if (method === undefined || target === undefined || !target.startsWith('/') || rest.length > 0) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const plan = await planRead(method, target, body);
  process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
  if (plan.status >= 400) process.stderr.write(`the read would answer ${plan.status}: ${plan.error ?? ''}\n`);
  // A refused request ran nothing: there is no plan. A 404 (nothing found) still ran its statements.
  return plan.status >= 400 && plan.statements.length === 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
