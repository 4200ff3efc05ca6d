import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createServices } from './app/services';
import { followTheme } from './app/theme';
import { loadConfig } from './config';
import './sr-only.css';
import './styles.css';

followTheme();

const root = document.getElementById('root');
if (root) {
  const reactRoot = createRoot(root);
  loadConfig().then(
    (config) =>
      reactRoot.render(
        <StrictMode>
          <App services={createServices(config)} />
        </StrictMode>,
      ),
    (error: unknown) =>
      reactRoot.render(
        <main className="page narrow">
          <h1>Waggle could not start</h1>
          <p role="alert">{error instanceof Error ? error.message : String(error)}</p>
        </main>,
      ),
  );
}
