/**
 * Evaluators (HoneyHive "metrics"): what each one is, what it sees of an event, and what running it
 * yields. The parts that run them are ports: Python code runs in a sandbox (CodeMetricRunner), LLM
 * judges through the provider layer (JudgeRunner); human scores come from reviewers and composites
 * combine the scores of their children. Every change of a definition makes a new immutable version,
 * and every score names the version that produced it.
 */
import type { EventType, JsonObject, Tenant } from '../events/event';
import type { EventFilter } from '../query/types';

/** HoneyHive's metric types, as the `honeyhive` 1.0.42 client sends them. */
export const EVALUATOR_TYPES = ['custom', 'model', 'human', 'composite'] as const;
export type EvaluatorType = (typeof EVALUATOR_TYPES)[number];

export const RETURN_TYPES = ['boolean', 'float', 'string'] as const;
export type ReturnType = (typeof RETURN_TYPES)[number];

/** A float score passes when it lies within [min, max] (either bound may be absent). */
export interface Threshold {
  min?: number;
  max?: number;
}

export interface ChildMetric {
  /** The child evaluator's id, when the caller named it by id. */
  id?: string;
  name: string;
  weight: number;
}

/** One immutable version of an evaluator. */
export interface EvaluatorDefinition {
  id: string;
  projectId: string;
  /** Unique within the project. */
  name: string;
  /** 1 for the first version; each update adds one. */
  version: number;
  type: EvaluatorType;
  description: string;
  /** What a human reviewer or a judge should look for. */
  criteria?: string;
  /** custom: Python source; its first function is called with the event (EvaluationInput). */
  codeSnippet?: string;
  /** model: the judge's prompt, with {{variables}} (see docs/evaluators.md). */
  prompt?: string;
  /** HoneyHive's free-text task label. */
  task?: string;
  returnType: ReturnType;
  threshold?: Threshold;
  /** boolean: the value that passes. */
  passWhen?: boolean;
  needsGroundTruth: boolean;
  /** Runs online on new events matching the selectors. */
  enabledInProd: boolean;
  eventType?: EventType;
  eventName?: string;
  /** model: the judge's provider and model (a provider key of the project pays for it). */
  modelProvider?: string;
  modelName?: string;
  /** model: dollars a UTC day the judge's calls may cost; absent: the data plane's default. */
  judgeBudgetUsdPerDay?: number;
  /** composite: the weighted children. */
  childMetrics?: ChildMetric[];
  /** Online: the share of matching events scored, 0..100, chosen deterministically per event. */
  samplingPercentage: number;
  /** Online: HoneyHive filters an event must also match. */
  filters: EventFilter[];
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
  /** Who made this version (user id or API key id), for the history. */
  updatedBy?: string;
}

/**
 * What an evaluator sees of an event: HoneyHive's contract for code metrics. The first function of a
 * Python snippet is called with this object (a dict); a judge's prompt variables come from it.
 */
export interface EvaluationInput {
  event_id: string;
  session_id: string;
  event_type: EventType;
  event_name: string;
  model: string | null;
  provider: string | null;
  inputs: JsonObject;
  outputs: JsonObject;
  metadata: JsonObject;
  config: JsonObject;
  feedback: JsonObject;
  metrics: JsonObject;
  user_properties: JsonObject;
  /** The datapoint's ground truth, when the event came from a dataset run. */
  ground_truth?: unknown;
}

/** The event's JSON sections in an EvaluationInput, in its (HoneyHive's) order. */
export const EVALUATION_INPUT_SECTIONS = [
  'inputs',
  'outputs',
  'metadata',
  'config',
  'feedback',
  'metrics',
  'user_properties',
] as const satisfies readonly (keyof EvaluationInput)[];

export type ScoreValue = number | boolean | string;

/** Why a run of a Python metric produced no score: the kinds its sandbox's harness may report. */
export const CODE_RUN_ERROR_KINDS = [
  /** The code raised, did not parse, or defined no function. */
  'code-error',
  /** The returned value could not be converted to the return type. */
  'invalid-return',
  'timeout',
  'memory-limit',
  'output-limit',
  'code-too-large',
  /** The sandbox itself failed (not the user's code): retryable. */
  'sandbox-error',
] as const;

/** Why an evaluation produced no score. */
export const EVALUATION_ERROR_KINDS = [
  ...CODE_RUN_ERROR_KINDS,
  /** The judge's provider failed or refused, or its answer held no rating. */
  'judge-error',
  'budget-exceeded',
  'missing-ground-truth',
] as const;
export type EvaluationErrorKind = (typeof EVALUATION_ERROR_KINDS)[number];

export type EvaluationOutcome =
  | {
      status: 'ok';
      value: ScoreValue;
      /** Threshold or passWhen applied; absent when the evaluator defines neither. */
      passed?: boolean;
      /** A judge's reasoning, or what the code printed about its score. */
      explanation?: string;
      durationMs: number;
      costUsd?: number;
      /** The judge's own model event, in the same project. */
      judgeEventId?: string;
    }
  | {
      status: 'error';
      error: { kind: EvaluationErrorKind; message: string };
      durationMs: number;
      costUsd?: number;
      judgeEventId?: string;
    };

/** One score as stored (the scores table): an evaluation of one event by one evaluator version. */
export interface ScoreRecord extends Tenant {
  score_id: string;
  event_id: string;
  session_id: string;
  /** Epoch ms: the scored event's start_time (the scores table's partition). */
  event_start_time: number;
  evaluator_id: string;
  evaluator_name: string;
  evaluator_version: number;
  /** JSON of the value (number, boolean or string); null when the evaluation failed. */
  value: ScoreValue | null;
  passed: boolean | null;
  explanation: string | null;
  cost: number | null;
  judge_event_id: string | null;
  status: 'ok' | 'error';
  error: string | null;
  /** Who scored: 'online', 'backfill:<run id>', 'run_metric', or a reviewer's user id for human scores. */
  source: string;
  /** Epoch milliseconds. */
  scored_at: number;
}

/** Runs one Python code metric on one input in a sandbox. Never throws for the code's own faults. */
/** One run of a Python metric's code on one input. */
export interface CodeRunRequest {
  /** Tenancy of the run: two projects never share an execution environment. */
  projectId: string;
  code: string;
  returnType: ReturnType;
  input: EvaluationInput;
}

export interface CodeMetricRunner {
  run(request: CodeRunRequest): Promise<EvaluationOutcome>;
}

/** Runs one LLM judge on one input through the provider layer; its call is traced as a model event. */
export interface JudgeRunner {
  run(request: {
    tenant: Tenant;
    evaluator: EvaluatorDefinition;
    input: EvaluationInput;
    requestId: string;
  }): Promise<EvaluationOutcome>;
}

/**
 * The evaluator definitions a data plane knows (synced from the control plane). Online evaluation
 * asks it which evaluators to run on a project's new events; a score names the version it used.
 */
export interface EvaluatorCatalog {
  /** The latest version of every evaluator of the project with enabledInProd set. */
  enabledInProd(tenant: Tenant): Promise<EvaluatorDefinition[]>;
  /** One evaluator by id: its latest version, or the given one; undefined when unknown or deleted. */
  get(tenant: Tenant, id: string, version?: number): Promise<EvaluatorDefinition | undefined>;
}
