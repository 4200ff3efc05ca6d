import { isApiError } from '../api/client';

/** An API error in the API's own words, with its status. */
export function ErrorMessage({ error, title }: { error: unknown; title?: string }) {
  if (error === null || error === undefined) return null;
  const message = error instanceof Error ? error.message : String(error);
  const status = isApiError(error) && error.status > 0 ? ` (HTTP ${error.status})` : '';
  return (
    <div className="error" role="alert">
      {title ? <strong>{title}: </strong> : null}
      {message}
      {status}
    </div>
  );
}
