import { useNavigate, useSearch } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { useApp } from '../app/context';
import { useTitle } from '../app/title';
import { jwtClaims, subjectOf } from '../auth/session';
import { ErrorMessage } from '../components/ErrorMessage';
import { Logo } from '../components/Logo';
import { TextField } from '../components/TextField';

/** Only paths inside the console are followed after sign-in. */
export function safeReturn(target: string | undefined): string {
  return target?.startsWith('/') && !target.startsWith('//') ? target : '/';
}

export function SignInPage() {
  useTitle('Sign in');
  const { config } = useApp();
  const { redirect } = useSearch({ from: '/sign-in' });
  return (
    <main id="main" className="page narrow sign-in">
      <h1>
        <Logo size={28} /> Sign in to Waggle
      </h1>
      {config.auth.mode === 'local' ? (
        <LocalSignIn redirect={redirect} />
      ) : (
        <CognitoSignIn redirect={redirect} />
      )}
    </main>
  );
}

function LocalSignIn({ redirect }: { redirect: string | undefined }) {
  const { api, sessions, queryClient } = useApp();
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const answer = await api.signIn(email, password);
      const claimed = jwtClaims(answer.id_token).email;
      sessions.set({
        idToken: answer.id_token,
        expiresAt: Date.now() + answer.expires_in * 1000,
        email: answer.user?.email ?? (typeof claimed === 'string' ? claimed : email),
        userId: answer.user?.id ?? subjectOf(answer.id_token),
      });
      api.forgetTokens();
      queryClient.clear();
      await navigate({ href: safeReturn(redirect), replace: true });
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <form className="card stack" onSubmit={submit} aria-label="Sign in">
      <TextField
        label="Email"
        type="email"
        name="email"
        autoComplete="username"
        required
        value={email}
        onChange={setEmail}
      />
      <TextField
        label="Password"
        type="password"
        name="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={setPassword}
      />
      <ErrorMessage error={error} />
      <button type="submit" disabled={busy}>
        Sign in
      </button>
      <p className="muted small">
        Running locally? <code>npm start</code> prints the admin's email and password, and keeps them in{' '}
        <code>.data/local.json</code> under <code>controlPlane</code>.
      </p>
    </form>
  );
}

function CognitoSignIn({ redirect }: { redirect: string | undefined }) {
  const { beginCognitoSignIn } = useApp();
  const [error, setError] = useState<unknown>();
  return (
    <div className="card stack">
      <p>You sign in with your organization's Waggle account.</p>
      <ErrorMessage error={error} />
      <button
        type="button"
        onClick={() => {
          setError(undefined);
          beginCognitoSignIn(safeReturn(redirect)).catch((caught: unknown) => setError(caught));
        }}
      >
        Sign in
      </button>
    </div>
  );
}
