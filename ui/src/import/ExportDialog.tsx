//! The Export dialog: one flow (from its view) or a search result (from the Timeline), as HAR
//! 1.2 (browser devtools and HAR viewers open it) or a bundle that Import reads back whole.
//! Redaction is on by default and previewed before anything is written: what will be replaced
//! by pseudonyms or removed, by kind. The browser downloads the file; the desktop app writes it
//! to the Downloads folder and says where.

import { useEffect, useState } from 'react';
import type { ApiError, ExportFormat, ExportResult } from '../bindings';
import { ErrorBanner } from '../shared/ErrorBanner';
import { CloseIcon } from '../shared/icons';
import { rpc, transportKind } from '../transport';
import { toApiError } from '../transport/errors';
import { formatBytes } from './importable';

export interface ExportTarget {
  flowIds?: string[];
  query?: string;
  /** What the user sees: "this flow", "12 flows matching user:jane". */
  label: string;
}

function download(name: string, content: string) {
  const url = URL.createObjectURL(new Blob([content], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function ExportDialog({ target, onClose }: { target: ExportTarget; onClose: () => void }) {
  const [format, setFormat] = useState<ExportFormat>('har');
  const [redact, setRedact] = useState(true);
  const [preview, setPreview] = useState<ExportResult | null>(null);
  const [done, setDone] = useState<ExportResult | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const base = { flow_ids: target.flowIds, query: target.query, format, redact };

  useEffect(() => {
    let live = true;
    setPreview(null);
    rpc('export_flows', { ...base, preview: true }).then(
      (p) => live && setPreview(p),
      (e: unknown) => live && setError(toApiError(e)),
    );
    return () => {
      live = false;
    };
  }, [format, redact, target.flowIds?.join(','), target.query]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      const desktop = transportKind() === 'tauri';
      const r = await rpc('export_flows', { ...base, to_downloads: desktop });
      if (r.content) download(r.file_name, r.content);
      setDone({ ...r, content: null });
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="overlay" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div className="dialog card" role="dialog" aria-modal="true" aria-labelledby="export-title" data-testid="export-dialog">
        <div className="card-head">
          <div>
            <h2 className="card-title" id="export-title">
              Export {target.label}
            </h2>
            <p className="card-desc">For a colleague or a ticket. Private keys are never in an export; they never leave the OS keychain.</p>
          </div>
          <button type="button" className="btn btn-icon btn-ghost" onClick={onClose} aria-label="Close">
            <CloseIcon size={14} />
          </button>
        </div>
        <div className="card-body import-body">
          <div className="segmented" role="radiogroup" aria-label="Format">
            {(
              [
                ['har', 'HAR 1.2 — opens in browser devtools'],
                ['bundle', 'Bundle — Import reads it back whole'],
              ] as const
            ).map(([f, label]) => (
              <label key={f} className="check">
                <input type="radio" name="export-format" checked={format === f} onChange={() => setFormat(f)} data-testid={`export-format-${f}`} /> {label}
              </label>
            ))}
          </div>
          <label className="check">
            <input type="checkbox" checked={redact} onChange={(e) => setRedact(e.target.checked)} data-testid="export-redact" />
            Redact: people become pseudonyms (the same person, the same pseudonym), secrets are removed
          </label>
          <div className="export-preview" data-testid="export-preview">
            {!preview ? (
              <span className="muted">Preparing…</span>
            ) : (
              <>
                <p>
                  {preview.flows} {preview.flows === 1 ? 'flow' : 'flows'}, {preview.exchanges} exchanges, {formatBytes(Number(preview.bytes))}.
                </p>
                {preview.redacted ? (
                  preview.removed.length === 0 ? (
                    <p className="muted">Nothing to redact was found.</p>
                  ) : (
                    <ul className="import-notes">
                      {preview.removed.map((r) => (
                        <li key={r.what} data-testid="export-removed">
                          {r.count} {r.what}
                        </li>
                      ))}
                    </ul>
                  )
                ) : (
                  <p className="sev-warning">Not redacted: names, emails, cookies, tokens and signatures are exported as recorded.</p>
                )}
              </>
            )}
          </div>
          {error && <ErrorBanner error={error} title="Could not export" />}
          {done && (
            <p data-testid="export-done">
              Exported {done.file_name}
              {done.path ? ` to ${done.path}` : ''}.
            </p>
          )}
          <div className="import-actions">
            <span />
            <button type="button" className="btn btn-primary" disabled={busy || !preview} onClick={() => void run()} data-testid="export-run">
              {busy ? 'Exporting…' : 'Export'}
            </button>
          </div>
        </div>
      </div>
    </div>
  );
}
