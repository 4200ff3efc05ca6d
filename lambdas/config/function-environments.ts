/**
 * Every Lambda function's environment, found by function folder (a folder of lambdas/ with a
 * handler.ts, whose environment.ts exports one spec named after the folder): for the tests that
 * hold each construct to its function's schema and the cold-start benchmark (a valid environment
 * for every handler). A new function needs no line here. Handlers import their own environment.ts,
 * never this module.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FunctionEnvironmentSpec } from './function-environment';
import type { Schema } from './schema';

const LAMBDAS = join(import.meta.dirname, '..');

/** The function folders under lambdas/ (those with a handler.ts), sorted. */
export function functionFolders(): string[] {
  return readdirSync(LAMBDAS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(LAMBDAS, entry.name, 'handler.ts')))
    .map((entry) => entry.name)
    .sort();
}

function isFunctionEnvironmentSpec(value: unknown): value is FunctionEnvironmentSpec<Schema> {
  const spec = value as Partial<FunctionEnvironmentSpec<Schema>> | null;
  return (
    typeof spec === 'object' &&
    spec !== null &&
    typeof spec.functionName === 'string' &&
    typeof spec.environmentFor === 'function' &&
    typeof spec.read === 'function'
  );
}

/** Each function folder's environment spec, in folder order; throws when a folder has none or several, or one named otherwise. */
export async function loadFunctionEnvironments(): Promise<FunctionEnvironmentSpec<Schema>[]> {
  return Promise.all(
    functionFolders().map(async (folder) => {
      const module: Record<string, unknown> = await import(`../${folder}/environment`);
      const specs = Object.values(module).filter(isFunctionEnvironmentSpec);
      const [spec] = specs;
      if (specs.length !== 1 || spec === undefined || spec.functionName !== folder)
        throw new Error(
          `lambdas/${folder}/environment.ts must export exactly one environment spec, for '${folder}'`,
        );
      return spec;
    }),
  );
}

/** One environment in which every handler starts: each function's example values, merged. */
export async function exampleEnvironmentOfEveryFunction(): Promise<Record<string, string>> {
  const specs = await loadFunctionEnvironments();
  return Object.assign({}, ...specs.map((spec) => spec.example()));
}
