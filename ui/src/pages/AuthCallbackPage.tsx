import { Link, useNavigate } from '@tanstack/react-router';
import { useEffect, useRef, useState } from 'react';
import { useApp } from '../app/context';
import { completeSignIn } from '../auth/cognito';
import { ErrorMessage } from '../components/ErrorMessage';
import { safeReturn } from './SignInPage';

/** Cognito sends the browser here with `code` and `state`; the code is exchanged once. */
export function AuthCallbackPage() {
  const { config, sessions, api, queryClient } = useApp();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>();
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    if (config.auth.mode !== 'cognito') {
      setError(new Error('This console signs in with a password, not Cognito'));
      return;
    }
    completeSignIn(config.auth, new URLSearchParams(window.location.search), (input, init) =>
      fetch(input, init),
    ).then(
      ({ session, returnTo }) => {
        sessions.set(session);
        api.forgetTokens();
        queryClient.clear();
        void navigate({ href: safeReturn(returnTo), replace: true });
      },
      (caught: unknown) => setError(caught),
    );
  }, [config, sessions, api, queryClient, navigate]);
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
