/** OpenAI's error body, `{error: {message, type, param, code}}`, for the chat and Responses APIs. */
import type { ScriptedError } from './behaviour';

/** OpenAI's defaults per status: what its API answers for the common failures. */
const OPENAI_ERRORS: Record<number, { type: string; code: string | null; message: string }> = {
  400: { type: 'invalid_request_error', code: null, message: 'Invalid request.' },
  401: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided.' },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory', message: 'Forbidden.' },
  404: { type: 'invalid_request_error', code: 'model_not_found', message: 'The model does not exist.' },
  429: { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached for requests.' },
  500: {
    type: 'server_error',
    code: null,
    message: 'The server had an error while processing your request. Sorry about that!',
  },
  503: {
    type: 'server_error',
    code: null,
    message: 'The engine is currently overloaded, please try again later.',
  },
};

export function openAIError(error: ScriptedError): {
  error: { message: string; type: string; param: null; code: string | null };
} {
  const defaults = OPENAI_ERRORS[error.status] ??
    OPENAI_ERRORS[error.status >= 500 ? 500 : 400] ?? { type: 'server_error', code: null, message: '' };
  return {
    error: {
      message: error.message ?? defaults.message,
      type: error.type ?? defaults.type,
      param: null,
      code: error.code === undefined ? defaults.code : error.code,
    },
  };
}
