/**
 * The SDK README's quick start, against a running local platform:
 *
 *   npm start                               # terminal 1 (writes .data/local.json)
 *   npx tsx sdk/examples/quickstart.ts      # terminal 2
 *
 * The API key and URL come from WAGGLE_API_KEY / WAGGLE_SERVER_URL, else from .data/local.json
 * (WAGGLE_DATA_DIR). It traces a small agent, flushes, and reads the session back.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { enrichSpan, WaggleTracer } from '../src/index';

export interface QuickstartResult {
  sessionId: string;
  eventTypes: string[];
}

async function localSettings(): Promise<{ serverUrl: string; apiKey: string }> {
  if (process.env.WAGGLE_API_KEY && process.env.WAGGLE_SERVER_URL) {
    return { serverUrl: process.env.WAGGLE_SERVER_URL, apiKey: process.env.WAGGLE_API_KEY };
  }
  const infoPath = join(process.env.WAGGLE_DATA_DIR ?? '.data', 'local.json');
  try {
    const info = JSON.parse(await readFile(infoPath, 'utf8')) as { url: string; apiKey: string };
    return {
      serverUrl: process.env.WAGGLE_SERVER_URL ?? info.url,
      apiKey: process.env.WAGGLE_API_KEY ?? info.apiKey,
    };
  } catch {
    throw new Error(
      `No ${infoPath}: start the local platform first (npm start), or set WAGGLE_SERVER_URL and WAGGLE_API_KEY`,
    );
  }
}

export async function main(settings?: { serverUrl: string; apiKey: string }): Promise<QuickstartResult> {
  const { serverUrl, apiKey } = settings ?? (await localSettings());
  const tracer = new WaggleTracer({ apiKey, serverUrl, project: 'default', source: 'quickstart' });

  const retrieve = tracer.trace(async function retrieveDocs(question: string) {
    return [`The refund window is 30 days (asked: ${question})`];
  });
  const generate = tracer.trace(
    async function generateAnswer(question: string, context: string[]) {
      enrichSpan({
        config: { model: 'gpt-4o-mini', provider: 'openai' },
        metadata: { prompt_tokens: 85, completion_tokens: 20 },
      });
      return `${question} Yes: ${context[0]}`;
    },
    { eventType: 'model' },
  );
  const answer = tracer.trace(async function answerQuestion(question: string) {
    return generate(question, await retrieve(question));
  });

  console.log(await answer('Can I get a refund?'));
  await tracer.flush(5_000);
  const sessionId = tracer.getSessionId() as string;
  await tracer.shutdown(5_000);

  // Reads the session back through the read API (the writer makes it readable within about a second).
  const deadline = Date.now() + 15_000;
  for (;;) {
    const response = await fetch(`${serverUrl}/v1/sessions/${encodeURIComponent(sessionId)}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    }).catch((error: unknown) => {
      // The SDK never throws for an unreachable endpoint (it drops the spans); this read does.
      throw new Error(
        `cannot reach ${serverUrl} (${(error as Error).message}): is the local platform running (npm start)?`,
      );
    });
    if (response.status === 200) {
      const session = (await response.json()) as {
        metadata: { num_events: number };
        children: { event_type: string }[];
      };
      if (session.metadata.num_events >= 3) {
        const eventTypes = collectTypes(session.children);
        console.log(`session ${sessionId}: ${session.metadata.num_events} events (${eventTypes.join(', ')})`);
        return { sessionId, eventTypes };
      }
    }
    if (Date.now() > deadline) throw new Error(`session ${sessionId} not readable within 15 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function collectTypes(nodes: { event_type: string; children?: unknown[] }[]): string[] {
  const types: string[] = [];
  const stack = [...nodes];
  while (stack.length > 0) {
    const node = stack.pop() as { event_type: string; children?: { event_type: string }[] };
    types.push(node.event_type);
    stack.push(...(node.children ?? []));
  }
  return types.sort();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  });
}
