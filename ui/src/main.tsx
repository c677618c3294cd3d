//! Entry point: theme first (no flash), transport chosen (token read and hidden), then React.

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { initTheme } from './app/theme';
import './app/styles.css';
import { initTransport } from './transport';
import { isTauri } from './transport/tauri';
import { askForToken, browserTokenEnv, shareToken, takeToken, TOKEN_STORAGE_KEY } from './transport/token';

initTheme();
void start();

async function start() {
  if (!isTauri()) {
    // A tab opened without the token (a link from the landing page) asks the UI's open tabs.
    const env = browserTokenEnv();
    if (!takeToken(env)) {
      const handed = await askForToken();
      if (handed) {
        try {
          env.storage?.setItem(TOKEN_STORAGE_KEY, handed);
        } catch {
          /* storage disabled: the no-token page explains */
        }
      }
    }
  }
  initTransport();
  if (!isTauri()) {
    const token = takeToken(browserTokenEnv());
    if (token) shareToken(token);
  }
  const root = document.getElementById('root');
  if (root) {
    createRoot(root).render(
      <StrictMode>
        <App />
      </StrictMode>,
    );
  }
}
