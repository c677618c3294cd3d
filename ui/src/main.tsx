//! Entry point: theme first (no flash), transport chosen (token read and hidden), then React.

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { initTheme } from './app/theme';
import './app/styles.css';
import { initTransport } from './transport';

initTheme();
initTransport();

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
