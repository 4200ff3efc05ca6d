import { type ErrorComponentProps, Link } from '@tanstack/react-router';
import { ErrorMessage } from './ErrorMessage';

export function RouteError({ error, reset }: ErrorComponentProps) {
  return (
    <main className="page narrow">
      <h1>Something went wrong</h1>
      <ErrorMessage error={error} />
      <p>
        <button type="button" onClick={reset}>
          Try again
        </button>{' '}
        <Link to="/">Home</Link>
      </p>
    </main>
  );
}

export function NotFound() {
  return (
    <main className="page narrow">
      <h1>Page not found</h1>
      <p>
        <Link to="/">Go to the console's home</Link>
      </p>
    </main>
  );
}
