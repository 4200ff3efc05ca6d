/** One event as an evaluator sees it, for evaluator tests: every field filled, so a test names only what it is about. */
import type { EvaluationInput } from '../../lambdas/domain/evaluators/evaluator';

export function evaluationInput(overrides: Partial<EvaluationInput> = {}): EvaluationInput {
  return {
    event_id: 'event-1',
    session_id: 'session-1',
    event_type: 'model',
    event_name: 'chat',
    model: 'gpt-4o',
    provider: 'openai',
    inputs: { question: 'What is 2 + 2?' },
    outputs: { content: 'It is 4.' },
    metadata: {},
    config: {},
    feedback: {},
    metrics: {},
    user_properties: {},
    ...overrides,
  };
}
