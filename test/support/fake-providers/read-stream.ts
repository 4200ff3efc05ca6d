/**
 * Reads an AI SDK stream (streamText's fullStream) to its end or its failure: the text deltas that
 * arrived, the error parts, and what the iteration threw (a reset, an aborted request).
 */
export interface StreamRead {
  deltas: string[];
  errors: unknown[];
  thrown: unknown;
}

export async function readStream(
  stream: AsyncIterable<{ type: string; text?: string; error?: unknown }>,
): Promise<StreamRead> {
  const deltas: string[] = [];
  const errors: unknown[] = [];
  let thrown: unknown;
  try {
    for await (const part of stream) {
      if (part.type === 'text-delta' && part.text !== undefined) deltas.push(part.text);
      if (part.type === 'error') errors.push(part.error);
    }
  } catch (error) {
    thrown = error;
  }
  return { deltas, errors, thrown };
}

/** The messages of every error a read met, error parts and a throw alike. */
export function errorMessages(read: StreamRead): string[] {
  return [...read.errors, read.thrown]
    .filter((error) => error !== undefined && error !== null)
    .map((error) => (error as Error).message);
}
