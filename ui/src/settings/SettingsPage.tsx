//! Settings: theme, keyboard shortcuts, and what the engine reports about itself.

import { useEngineStatus } from '../app/status';
import type { ServerStatus } from '../bindings';
import { shortcutList } from '../app/shortcuts';
import { setThemePref, useTheme, type ThemePref } from '../app/theme';
import { Badge } from '../shared/Badge';
import { CopyButton } from '../shared/CopyButton';
import { ErrorBanner } from '../shared/ErrorBanner';
import { Card, Kbd, PageHeader, Spinner } from '../shared/Page';
import { transportKind } from '../transport';
import { StoreCard } from './StoreCard';
import { VerdictsCard } from './VerdictsCard';

const THEMES: Array<{ id: ThemePref; label: string }> = [
  { id: 'system', label: 'System' },
  { id: 'light', label: 'Light' },
  { id: 'dark', label: 'Dark' },
];

export function SettingsPage() {
  const { pref, theme } = useTheme();
  const { data: status, error, loading } = useEngineStatus();

  return (
    <div className="page-scroll" data-testid="settings-page">
      <PageHeader title="Settings" />
      <div className="stack">
        <Card title="Appearance" description={`Currently ${theme}${pref === 'system' ? ', following the operating system' : ''}.`}>
          <div className="segmented" role="radiogroup" aria-label="Theme">
            {THEMES.map((t) => (
              <button
                key={t.id}
                type="button"
                role="radio"
                aria-checked={pref === t.id}
                className={pref === t.id ? 'active' : ''}
                onClick={() => setThemePref(t.id)}
                data-testid={`theme-${t.id}`}
              >
                {t.label}
              </button>
            ))}
          </div>
        </Card>

        <StoreCard />

        <VerdictsCard />

        <Card title="Keyboard shortcuts" description="Shortcuts are ignored while typing in a text field.">
          <table className="table table-compact shortcuts">
            <tbody>
              {shortcutList().map((s) => (
                <tr key={s.action}>
                  <td className="shortcut-keys">
                    {s.keys.map((combo, i) => (
                      <span key={i} className="shortcut-combo">
                        {i > 0 && <span className="muted"> or </span>}
                        {combo.map((k, j) => (
                          <Kbd key={j}>{k}</Kbd>
                        ))}
                      </span>
                    ))}
                  </td>
                  <td>{s.action}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>

        <Card title="Engine">
          {error && <ErrorBanner error={error} title="Engine unreachable" />}
          {loading && !status && <Spinner />}
          {status && (
            <dl className="meta-grid" data-testid="engine-status">
              <dt>Version</dt>
              <dd className="mono">{status.version}</dd>
              <dt>Connected through</dt>
              <dd>{transportKind() === 'tauri' ? 'Desktop app (Tauri IPC)' : 'Browser (lti-inspector serve, HTTP + server-sent events)'}</dd>
              <dt>Data folder</dt>
              <dd className="with-copy">
                <span className="mono">{status.data_dir}</span>
                <CopyButton value={status.data_dir} variant="ghost" title="Copy data folder" />
              </dd>
              <dt>Database</dt>
              <dd className="with-copy">
                <span className="mono">{status.database}</span>
                <CopyButton value={status.database} variant="ghost" title="Copy database path" />
              </dd>
              <dt>Key store</dt>
              <dd>
                <span>{status.keystore.backend}</span>{' '}
                {status.keystore.ok ? <Badge tone="green">ok</Badge> : <Badge tone="red">{status.keystore.error?.code ?? 'unavailable'}</Badge>}
                {status.keystore.warning && <div className="muted small">{status.keystore.warning}</div>}
              </dd>
              {[status.tool, status.emulator].filter(Boolean).map((srv) => (
                <ServerRow key={srv.name} label={srv.name === 'tool' ? 'Tool side' : srv.name === 'emulator' ? 'Emulator' : srv.name} srv={srv} />
              ))}
            </dl>
          )}
        </Card>
      </div>
    </div>
  );
}

function ServerRow({ label, srv }: { label: string; srv: ServerStatus }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>
        <span className="mono">{srv.base_url ?? `port ${srv.port}`}</span>{' '}
        {srv.running ? <Badge tone="green">running</Badge> : <Badge tone={srv.error ? 'red' : 'neutral'}>{srv.error?.code ?? 'not running'}</Badge>}
        {srv.error && <div className="muted small">{srv.error.message}</div>}
      </dd>
    </>
  );
}
