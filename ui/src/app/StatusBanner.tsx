//! The global banner: what is wrong with the engine right now (the data folder's disk is full,
//! keychain unavailable, tool port busy, file key store in use), shown above every page.

import { useState } from 'react';
import { ErrorBanner } from '../shared/ErrorBanner';
import { useEngineStatus } from './status';

/**
 * `errorsShownByPage`: the current page already shows the engine's errors in context (Setup
 * lists them as its problems), so only warnings are repeated here.
 */
const DISMISSED_KEY = 'lti-inspector.dismissed-keystore-warning';

export function StatusBanner({ errorsShownByPage = false }: { errorsShownByPage?: boolean }) {
  const { data: status, error } = useEngineStatus();
  // The file-key-store warning is a standing choice, not news: once read it can be put away
  // (until the warning's text changes).
  const [dismissed, setDismissed] = useState<string | null>(() => {
    try {
      return localStorage.getItem(DISMISSED_KEY);
    } catch {
      return null;
    }
  });
  if (error) {
    return (
      <div className="status-banners" data-testid="status-banner">
        <ErrorBanner error={error} title="Engine unreachable" />
      </div>
    );
  }
  if (!status) return null;
  const { keystore, tool, emulator, storage } = status;
  const items = [];
  // Always shown, Setup included: while it lasts, nothing that arrives is recorded.
  if (storage) {
    items.push(
      <ErrorBanner key="storage" testId="storage-banner" error={{ code: 'storage_full', message: storage.message }} title="Disk full: launches are not being recorded">
        Since {new Date(storage.since_ms).toLocaleTimeString()}
        {storage.free_bytes != null ? ` · ${formatBytes(storage.free_bytes)} free` : ''}. Launches get an error page (HTTP 507).
        Free some space on that disk; this banner goes away by itself.
      </ErrorBanner>,
    );
  }
  if (!keystore.ok && !errorsShownByPage) {
    items.push(
      <ErrorBanner
        key="keystore"
        error={keystore.error ?? { code: 'keychain_unavailable', message: `Key store ${keystore.backend} is not usable.` }}
      >
        Signing keys cannot be created or used until this is fixed: no launches can be signed and the JWKS is
        unavailable. Captures are still recorded.
      </ErrorBanner>,
    );
  }
  if (tool.error && !errorsShownByPage) {
    items.push(
      <ErrorBanner key="tool" error={tool.error} title={`Tool side not running (port ${tool.port})`}>
        LMS launches cannot reach the inspector until the port is free or another one is configured.
      </ErrorBanner>,
    );
  }
  if (emulator?.error && !errorsShownByPage) {
    items.push(
      <ErrorBanner key="emulator" error={emulator.error} title={`Emulator not running (port ${emulator.port})`}>
        The platform emulator (demo launches, replays) is unavailable; capturing real LMS launches still works.
      </ErrorBanner>,
    );
  }
  if (keystore.warning && dismissed !== keystore.warning) {
    const warning = keystore.warning;
    items.push(
      <ErrorBanner key="warning" tone="warning" title="Private keys are not in the OS keychain" testId="keystore-warning">
        {warning}{' '}
        <button
          type="button"
          className="btn btn-sm"
          data-testid="keystore-warning-dismiss"
          onClick={() => {
            try {
              localStorage.setItem(DISMISSED_KEY, warning);
            } catch {
              /* private mode: dismissed for this page only */
            }
            setDismissed(warning);
          }}
        >
          Dismiss
        </button>
      </ErrorBanner>,
    );
  }
  if (items.length === 0) return null;
  return (
    <div className="status-banners" data-testid="status-banner">
      {items}
    </div>
  );
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
