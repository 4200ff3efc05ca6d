/**
 * What the archive tools (npm run replay, npm run dead-letters) share: the options that say where
 * the stores are (the local platform's data folder, or buckets and a queue in AWS) and --dry-run.
 */
import { localPaths } from '../lambdas/local/paths';

export const STORE_OPTIONS = {
  local: { type: 'boolean' },
  'data-dir': { type: 'string' },
  bucket: { type: 'string' },
  'queue-url': { type: 'string' },
  region: { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const;

export type OptionValues = Record<string, string | boolean | undefined>;

/** The local platform's folders: --data-dir, else WAGGLE_DATA_DIR, else .data. */
export function localDataPaths(values: OptionValues): ReturnType<typeof localPaths> {
  return localPaths((values['data-dir'] as string | undefined) ?? process.env.WAGGLE_DATA_DIR ?? '.data');
}

/** An AWS client's configuration: --region when given, else the SDK's own default. */
export function regionConfig(values: OptionValues): { region?: string } {
  const region = values.region as string | undefined;
  return region ? { region } : {};
}
