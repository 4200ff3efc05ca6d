/**
 * A prompt configuration (HoneyHive's "configuration"): provider, model, hyperparameters and a
 * template of messages with `{{variables}}`, deployed to environments. The control plane owns them;
 * each data plane answers reads from its synced copy. This is the shape every reader shares (the
 * data plane's read API, the LLM proxy, the console's playground); the wire shapes of the
 * HoneyHive API are built from it.
 */
import type { ProjectTenant } from '../providers/resolve';

export const CONFIGURATION_ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type ConfigurationEnvironment = (typeof CONFIGURATION_ENVIRONMENTS)[number];

export interface TemplateMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  /** Text with `{{variable}}` placeholders. */
  content: string;
}

/** A tool the model may call (HoneyHive's `selectedFunctions` entry). */
export interface SelectedFunction {
  id: string;
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  parameters?: Record<string, unknown>;
}

export interface PromptConfiguration {
  /** The configuration's id (HoneyHive's `_id`). */
  id: string;
  org_id: string;
  workspace_id: string;
  project_id: string;
  name: string;
  /** A provider id of lambdas/domain/providers/provider-ids.ts (`openai`, `anthropic`, ...). */
  provider: string;
  model: string;
  /** temperature, max_tokens, top_p, stop, ... as the OpenAI chat API names them. */
  hyperparameters: Record<string, unknown>;
  /** `chat` templates are messages; `completion` ones a single prompt (held as one user message). */
  callType: 'chat' | 'completion';
  template: TemplateMessage[];
  selectedFunctions: SelectedFunction[];
  /** OpenAI's response_format, e.g. `{ type: 'json_object' }`. */
  responseFormat?: Record<string, unknown>;
  /** Environments this version is deployed to. */
  env: ConfigurationEnvironment[];
  /** Goes up by one with every change; a configuration keeps its history of versions. */
  version: number;
  updatedAt: number;
  /** HoneyHive's functionCallParams: whether the model must, may or must not call a function. */
  functionCallParams?: FunctionCallParams;
  /** HoneyHive's forceFunction: the function the model must call when functionCallParams is `force`. */
  forceFunction?: Record<string, unknown>;
  /** HoneyHive's configuration type (`LLM` unless said otherwise). */
  type?: ConfigurationType;
  tags?: string[];
  /** HoneyHive's user_properties: free-form notes of whoever wrote the version. */
  userProperties?: Record<string, unknown>;
}

export const FUNCTION_CALL_PARAMS = ['none', 'auto', 'force'] as const;
export type FunctionCallParams = (typeof FUNCTION_CALL_PARAMS)[number];
export const CONFIGURATION_TYPES = ['LLM', 'pipeline'] as const;
export type ConfigurationType = (typeof CONFIGURATION_TYPES)[number];
export const TEMPLATE_ROLES = ['system', 'user', 'assistant', 'tool'] as const;

/** How the data plane finds a configuration by name for the proxy and the playground. */
export interface ConfigurationLookup {
  /**
   * The project's configuration with this name, as deployed to `env` (when given), else the latest
   * version; undefined when there is none. Never another project's.
   */
  find(
    tenant: ProjectTenant,
    name: string,
    env?: ConfigurationEnvironment,
  ): Promise<PromptConfiguration | undefined>;
}
