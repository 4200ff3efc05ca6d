/**
 * Resolves once `predicate` holds, checking every `everyMs`; fails after `timeoutMs`. For state a
 * test reads synchronously (a queue's depth, calls collected so far); for a probe that reads over
 * the network, read-api-client's `eventually`.
 */
export async function until(predicate: () => boolean, timeoutMs = 3_000, everyMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
