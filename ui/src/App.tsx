import { QueryClientProvider } from '@tanstack/react-query';
import { type RouterHistory, RouterProvider } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { AppProvider } from './app/context';
import type { Services } from './app/services';
import { createAppRouter } from './router';

/** The console: services from config.json, the query cache and the router. */
export function App({ services, history }: { services: Services; history?: RouterHistory }) {
  const [router] = useState(() =>
    createAppRouter({ sessions: services.sessions, prefs: services.prefs, config: services.config }, history),
  );
  useEffect(() => {
    // A refused or missing ID token: back to sign-in, then to where the user was.
    services.onSignedOut.current = (options) => {
      const { href, pathname } = router.state.location;
      if (pathname === '/sign-in') return;
      const back = options?.keepPlace && href !== '/' && pathname !== '/auth/callback';
      void router.navigate({ to: '/sign-in', search: { redirect: back ? href : undefined } });
    };
    return () => {
      services.onSignedOut.current = () => {};
    };
  }, [router, services]);
  return (
    <QueryClientProvider client={services.queryClient}>
      <AppProvider services={services}>
        <RouterProvider router={router} />
      </AppProvider>
    </QueryClientProvider>
  );
}
