//! The Import dialog: drop or pick HAR files, paste an id_token, form body or claims object, and
//! see what each became — the flows created (open them from here), the entries read and left
//! out, where the signature keys came from. Opened by the Timeline's Import button, by dropping
//! files anywhere on the window, and by Ctrl+V of a token outside a text field.

import { useEffect, useRef, useState } from 'react';
import { hrefFor } from '../app/router';
import { verdictLabel, verdictTone } from '../flow/summary';
import { Badge } from '../shared/Badge';
import { CloseIcon } from '../shared/icons';
import { formatBytes, importableKind, progressText } from './importable';
import { importStore, useImport, type ImportItem } from './importStore';

export function ImportDialog() {
  const { open, items, fetchKeys } = useImport();
  const [paste, setPaste] = useState('');
  const fileRef = useRef<HTMLInputElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    closeRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') importStore.close();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);

  if (!open) return null;
  const busy = items.some((i) => i.status === 'importing' || i.status === 'reading' || i.status === 'sending');
  const pasteKind = importableKind(paste);
  return (
    <div className="overlay" onClick={(e) => e.target === e.currentTarget && importStore.close()}>
      <div className="dialog card" role="dialog" aria-modal="true" aria-labelledby="import-title" data-testid="import-dialog">
        <div className="card-head">
          <div>
            <h2 className="card-title" id="import-title">
              Import into the Timeline
            </h2>
            <p className="card-desc">
              A HAR file from browser devtools (Chrome, Edge, Firefox, Safari), an id_token, a form body or a claims object.
              Each launch becomes a flow, validated as of the time it was recorded. Nothing leaves this machine.
            </p>
          </div>
          <button ref={closeRef} type="button" className="btn btn-icon btn-ghost" onClick={importStore.close} aria-label="Close">
            <CloseIcon size={14} />
          </button>
        </div>
        <div className="card-body import-body">
          <div
            className="dropzone"
            onClick={() => fileRef.current?.click()}
            onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && fileRef.current?.click()}
            role="button"
            tabIndex={0}
            data-testid="import-dropzone"
          >
            Drop files here (or anywhere on the window), or <span className="linklike">choose files…</span>
            <input
              ref={fileRef}
              type="file"
              multiple
              accept=".har,.json,.txt,.jwt,application/json,text/plain"
              hidden
              data-testid="import-file"
              onChange={(e) => {
                const files = Array.from(e.target.files ?? []);
                e.target.value = '';
                void importStore.importFiles(files);
              }}
            />
          </div>
          <label className="field">
            <span className="field-label">Or paste</span>
            <textarea
              className="mono"
              rows={4}
              value={paste}
              spellCheck={false}
              placeholder="eyJhbGciOiJSUzI1NiIsImtpZCI6… or id_token=…&state=… or {&quot;iss&quot;: …}"
              onChange={(e) => setPaste(e.target.value)}
              data-testid="import-paste"
            />
          </label>
          <div className="import-actions">
            <label className="check">
              <input type="checkbox" checked={fetchKeys} onChange={(e) => importStore.setFetchKeys(e.target.checked)} data-testid="import-fetch-keys" />
              Fetch the platform&apos;s JWKS now when no key is at hand (keys may have rotated since the launch)
            </label>
            <button
              type="button"
              className="btn btn-primary"
              disabled={!paste.trim() || busy}
              title={paste.trim() && !pasteKind ? 'This does not look like a token, form body, claims object or HAR file; the engine will say why' : undefined}
              onClick={() => {
                const text = paste;
                void importStore.importText('paste', text).then((i) => i.status === 'done' && setPaste(''));
              }}
              data-testid="import-paste-submit"
            >
              Import pasted text
            </button>
          </div>
          {items.length > 0 && (
            <ul className="import-results" data-testid="import-results">
              {items.map((i) => (
                <ImportResult key={i.key} item={i} />
              ))}
            </ul>
          )}
        </div>
      </div>
    </div>
  );
}

function ImportResult({ item }: { item: ImportItem }) {
  const r = item.result;
  return (
    <li className={`import-result ${item.status}`} data-testid="import-result">
      <div className="import-result-head">
        <strong>{item.name}</strong>
        <span className="muted">{formatBytes(item.bytes)}</span>
        {(item.status === 'sending' || item.status === 'importing') && (
          <span className="muted" data-testid="import-progress">
            {progressText(item)}
          </span>
        )}
        {item.status === 'failed' && <Badge tone="red">Not imported</Badge>}
      </div>
      {item.error && (
        <p className="import-error" data-testid="import-error">
          {item.error.message}
        </p>
      )}
      {r && (
        <>
          <p className="muted" data-testid="import-counts">
            {r.flows.length} {r.flows.length === 1 ? 'flow' : 'flows'}
            {r.input_kind === 'har'
              ? ` from ${r.lti_entries} LTI ${r.lti_entries === 1 ? 'entry' : 'entries'} of ${r.entries}; ${r.unrelated_entries} unrelated ${r.unrelated_entries === 1 ? 'entry' : 'entries'} left out`
              : ` (${r.input_kind.replace(/_/g, ' ')})`}
          </p>
          <ul className="import-flows">
            {r.flows.map((f) => (
              <li key={f.id}>
                <Badge tone={verdictTone(f.verdict)}>{verdictLabel(f.verdict)}</Badge>{' '}
                <a href={hrefFor('flows', f.id)} onClick={() => importStore.close()} data-testid="import-flow-link">
                  {f.title}
                </a>{' '}
                <span className="muted">recorded {new Date(f.started_at).toLocaleString()}</span>
              </li>
            ))}
          </ul>
          {r.notes.length > 0 && (
            <ul className="import-notes">
              {r.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
        </>
      )}
    </li>
  );
}
