import { Link, useLocation, useNavigate } from '@tanstack/react-router';
import { useEffect, useRef, useState } from 'react';
import { useApp } from '../app/context';
import { ErrorMessage } from '../components/ErrorMessage';
import { safeReturn } from './SignInPage';

/** Cognito sends the browser here with `code` and `state`; the code is exchanged once. */
export function AuthCallbackPage() {
  const { completeCognitoSignIn } = useApp();
  const navigate = useNavigate();
  const searchStr = useLocation({ select: (location) => location.searchStr });
  const [error, setError] = useState<unknown>();
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    completeCognitoSignIn(new URLSearchParams(searchStr)).then(
      (returnTo) => void navigate({ href: safeReturn(returnTo), replace: true }),
      (caught: unknown) => setError(caught),
    );
  }, [completeCognitoSignIn, navigate, searchStr]);
  return (
    <main id="main" className="page narrow">
      <h1>Signing in…</h1>
      {error ? (
        <>
          <ErrorMessage error={error} title="Sign-in failed" />
          <p>
            <Link to="/sign-in" search={{}}>
              Sign in again
            </Link>
          </p>
        </>
      ) : (
        <p role="status">Finishing sign-in with your identity provider.</p>
      )}
    </main>
  );
}
