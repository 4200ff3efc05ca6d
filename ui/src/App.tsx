import { QueryClientProvider } from '@tanstack/react-query';
import { type RouterHistory, RouterProvider } from '@tanstack/react-router';
import { useState } from 'react';
import { AppProvider } from './app/context';
import type { Services } from './app/services';
import { createAppRouter } from './router';

/** The console: services from config.json, the query cache and the router. */
export function App({ services, history }: { services: Services; history?: RouterHistory }) {
  const [router] = useState(() => {
    const created = createAppRouter(
      { sessions: services.sessions, prefs: services.prefs, config: services.config },
      history,
    );
    // A refused or missing ID token: back to sign-in, then to where the user was.
    services.onSignedOut.current = () => {
      const here = created.state.location.href;
      if (created.state.location.pathname === '/sign-in') return;
      void created.navigate({
        to: '/sign-in',
        search: { redirect: here === '/' || here.startsWith('/sign-in') ? undefined : here },
      });
    };
    return created;
  });
  return (
    <QueryClientProvider client={services.queryClient}>
      <AppProvider services={services}>
        <RouterProvider router={router} />
      </AppProvider>
    </QueryClientProvider>
  );
}
