/**
 * The ingest function's size, in a module of its own so that the tests and benchmarks that hold the
 * handler to it can read the deployed values without loading the CDK.
 */

/**
 * Memory of the ingest function. Decoding and normalizing is CPU-bound, and Lambda allots CPU in
 * proportion to memory. The per-request limits (lambdas/domain/otlp/limits.ts,
 * lambdas/domain/honeyhive/limits.ts) keep the largest accepted request under half of it
 * (test/unit/ingest/ingest-peak-memory.test.ts).
 */
export const INGEST_FUNCTION_MEMORY_MB = 1024;

/** HTTP APIs give up on an integration after 30 s (29 s usable); finish (or fail with 503) before that. */
export const INGEST_FUNCTION_TIMEOUT_SECONDS = 29;
