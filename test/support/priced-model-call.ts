/** The check that a model call was read with its token counts and priced, for ingest and read-path tests. */
import { expect } from 'vitest';

/**
 * Expects `event` to be the call of `model` with these prompt and completion tokens, their sum as
 * total_tokens, and a cost above 0 (priced from the table).
 */
export function expectPricedModelCall(
  event: object | undefined,
  expected: { model: string; prompt_tokens: number; completion_tokens: number },
): void {
  expect(event).toMatchObject({
    ...expected,
    total_tokens: expected.prompt_tokens + expected.completion_tokens,
  });
  expect((event as { cost?: unknown } | undefined)?.cost).toBeGreaterThan(0);
}
