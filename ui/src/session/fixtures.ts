/**
 * Synthetic sessions for tests and the browser benchmark. `makeLargeSession(n)` builds a realistic,
 * deterministic agent session of exactly `n` events (the session included): turns of an agent, each
 * planning with a model, retrieving with tools (nested reranking), running a tool loop (model with
 * tool calls, tools, model answer) and now and then a sub-agent with its own chains, so the tree is
 * several levels deep. Model events carry HoneyHive chat histories (a sliding window, as agents
 * trim context), some outputs are markdown, a few values are truncated and a few tools fail.
 */
import { emptySections } from '../../../lambdas/domain/events/event';
import type { EventType, SessionNode } from '../api/types';

/** A small seeded PRNG (mulberry32) so fixtures are the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface EventOverrides extends Partial<Omit<SessionNode, 'children'>> {
  children?: SessionNode[];
}

const BASE_TIME = Date.UTC(2026, 0, 15, 9, 30, 0);

/** One event node with sensible defaults (tests use it to build small trees by hand). */
export function makeEvent(overrides: EventOverrides = {}): SessionNode {
  const start = overrides.start_time ?? BASE_TIME;
  const duration =
    overrides.duration ?? (overrides.end_time !== undefined ? overrides.end_time - start : 100);
  return {
    project: 'demo',
    event_id: overrides.event_id ?? 'event',
    session_id: overrides.session_id ?? 'session-1',
    event_type: overrides.event_type ?? 'chain',
    event_name: overrides.event_name ?? overrides.event_id ?? 'event',
    source: 'test',
    start_time: start,
    end_time: start + duration,
    duration,
    ...emptySections(),
    ...overrides,
    children: overrides.children ?? [],
  };
}

const QUESTIONS = [
  'What is the refund policy for annual plans?',
  'Can you check the weather in Lisbon tomorrow?',
  'Summarize the last three support tickets for ACME.',
  'How many orders shipped late last week?',
  'Draft a polite reply declining the meeting.',
];
const TOOLS = ['get_weather', 'sql_query', 'search_tickets', 'send_email'];
const MODELS: [string, string][] = [
  ['gpt-4o-mini', 'openai'],
  ['claude-sonnet-4', 'anthropic'],
];

interface Message {
  role: string;
  content: string | null;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

export function makeLargeSession(n: number, seed = 42): SessionNode {
  const rand = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const sessionId = `session-${seed}`;
  let count = 0;
  let clock = BASE_TIME;
  const total = Math.max(1, Math.floor(n));
  const room = () => count < total;

  const node = (
    type: EventType,
    name: string,
    parent: SessionNode | undefined,
    extra: EventOverrides = {},
  ) => {
    count++;
    const event = makeEvent({
      event_id: `evt-${String(count).padStart(6, '0')}`,
      session_id: sessionId,
      event_type: type,
      event_name: name,
      start_time: clock,
      duration: 0,
      trace_id: `trace-${seed}`,
      span_id: `span-${count}`,
      ...extra,
    });
    if (parent) {
      event.parent_id = parent.event_id;
      parent.children.push(event);
      if (!parent.children_ids) parent.children_ids = [];
      parent.children_ids.push(event.event_id);
    }
    return event;
  };
  const finish = (event: SessionNode, selfMs: number) => {
    clock += selfMs;
    event.end_time = clock;
    event.duration = event.end_time - event.start_time;
    clock += 1 + Math.floor(rand() * 5);
  };

  const system: Message = {
    role: 'system',
    content: 'You are a helpful support agent for ACME. Be concise.',
  };
  const history: Message[] = [];
  const window = () => [system, ...history.slice(-10)];

  const model = (parent: SessionNode, name: string, output: Message) => {
    if (!room()) return;
    const [modelName, provider] = pick(MODELS);
    const promptTokens = 200 + Math.floor(rand() * 1800);
    const completionTokens = 20 + Math.floor(rand() * 400);
    const truncated = count % 97 === 0;
    const event = node('model', name, parent, {
      model: modelName,
      provider,
      config: { model: modelName, provider, temperature: 0.2, max_tokens: 1024 },
      inputs: { chat_history: window() },
      outputs: truncated
        ? { _truncated: true, _preview: `${output.content ?? ''}`.slice(0, 200), _bytes: 180_000 }
        : { ...output },
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      cost: (promptTokens * 0.15 + completionTokens * 0.6) / 1_000_000,
      metadata: { finish_reason: output.tool_calls ? 'tool_calls' : 'stop' },
    });
    finish(event, 300 + Math.floor(rand() * 2500));
    history.push(output);
  };

  const tool = (
    parent: SessionNode,
    name: string,
    args: Record<string, unknown>,
    body?: (self: SessionNode) => void,
  ) => {
    if (!room()) return;
    const failed = rand() < 0.03;
    const event = node('tool', name, parent, {
      inputs: { arguments: args },
      outputs: failed ? {} : { result: { ok: true, rows: Math.floor(rand() * 40) } },
      error: failed ? `${name} failed: upstream timed out after 30 s` : undefined,
    });
    body?.(event);
    finish(event, 20 + Math.floor(rand() * 600));
  };

  const chain = (parent: SessionNode, name: string, body: (self: SessionNode) => void) => {
    if (!room()) return;
    const event = node('chain', name, parent);
    body(event);
    finish(event, 1);
  };

  const session = node('session', 'support-agent', undefined, {
    user_properties: { user_id: 'user-17', plan: 'enterprise' },
    metadata: { customer: 'ACME' },
  });
  let turn = 0;
  while (room()) {
    turn++;
    const question = pick(QUESTIONS);
    history.push({ role: 'user', content: `${question} (turn ${turn})` });
    chain(session, 'agent_turn', (turnEvent) => {
      chain(turnEvent, 'plan', (plan) => {
        model(plan, 'plan_step', {
          role: 'assistant',
          content: `Plan for turn ${turn}: look up context, then answer.`,
        });
      });
      chain(turnEvent, 'retrieve_context', (retrieve) => {
        tool(retrieve, 'vector_search', { query: question, k: 8 }, (search) => {
          tool(search, 'rerank', { candidates: 8 }, (rerank) => {
            if (rand() < 0.5) tool(rerank, 'fetch_document', { id: `doc-${turn}` });
          });
        });
      });
      chain(turnEvent, 'tool_loop', (loop) => {
        const name = pick(TOOLS);
        const callId = `call_${turn}`;
        model(loop, 'choose_tool', {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: callId, type: 'function', function: { name, arguments: JSON.stringify({ turn }) } },
          ],
        });
        tool(loop, name, { turn });
        if (room())
          history.push({ role: 'tool', tool_call_id: callId, content: `{"ok":true,"turn":${turn}}` });
        if (rand() < 0.3) {
          chain(loop, 'sub_agent', (sub) => {
            chain(sub, 'research', (research) => {
              tool(research, 'web_search', { q: question });
              tool(research, 'summarize_page', { url: `https://example.com/${turn}` });
            });
          });
        }
        model(loop, 'answer', {
          role: 'assistant',
          content:
            turn % 3 === 0
              ? `## Answer ${turn}\n\n- point one\n- point **two**\n\n\`\`\`json\n{"turn": ${turn}}\n\`\`\``
              : `Here is what I found for turn ${turn}.`,
        });
      });
    });
  }
  finish(session, 0);
  session.start_time = BASE_TIME;
  session.duration = session.end_time - session.start_time;
  return session;
}

/** Counts the nodes of a tree (iteratively). */
export function countEvents(root: SessionNode): number {
  let count = 0;
  const stack = [root];
  while (stack.length > 0) {
    const item = stack.pop() as SessionNode;
    count++;
    for (const child of item.children) stack.push(child);
  }
  return count;
}
