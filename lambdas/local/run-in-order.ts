/**
 * Runs clean-up steps one after another, every one of them even when an earlier one fails, then
 * reports all failures together: a local plane that half-stops would leave locks and ports behind.
 */
export async function runInOrder(steps: readonly (() => Promise<void>)[], what: string): Promise<void> {
  const errors: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, `${what} did not stop cleanly`);
}
