//! Re-send a recorded exchange: as recorded or edited (method, URL, headers, body), to its URL
//! or another. Before sending it says what the receiver is likely to refuse and why (a used
//! nonce, an expired token, a state without its cookie); after, the answer, why it was answered
//! so, and links to the new flow and to what this inspector's own side recorded. Secrets stay
//! masked here: a masked value is sent as recorded.

import { useEffect, useMemo, useRef, useState } from 'react';
import type { ApiError, Resend } from '../bindings';
import { hrefFor } from '../app/router';
import { ErrorBanner } from '../shared/ErrorBanner';
import { statusClass } from '../shared/format';
import { CloseIcon } from '../shared/icons';
import { rpc } from '../transport';
import { toApiError } from '../transport/errors';
import { headersToText, textToHeaders } from './resend';

export function ResendDialog({ exchangeId, onClose }: { exchangeId: number; onClose: () => void }) {
  const [initial, setInitial] = useState<Resend | null>(null);
  const [method, setMethod] = useState('');
  const [url, setUrl] = useState('');
  const [headersText, setHeadersText] = useState('');
  const [body, setBody] = useState('');
  const [expect, setExpect] = useState<Resend['expectations']>([]);
  const [result, setResult] = useState<Resend | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const parsed = useMemo(() => textToHeaders(headersText), [headersText]);
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    let live = true;
    rpc('resend_exchange', { exchange_id: exchangeId, preview: true }).then(
      (r) => {
        if (!live) return;
        setInitial(r);
        setMethod(r.request.method);
        setUrl(r.request.url);
        setHeadersText(headersToText(r.request.headers));
        setBody(r.request.body);
        setExpect(r.expectations);
      },
      (e) => live && setError(toApiError(e)),
    );
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && close.current();
    window.addEventListener('keydown', onKey);
    return () => {
      live = false;
      window.removeEventListener('keydown', onKey);
    };
  }, [exchangeId]);

  const edits = () => ({
    exchange_id: exchangeId,
    method,
    url,
    headers: parsed.headers,
    body: initial?.request.binary_body ? undefined : body,
  });

  // What to expect follows the edits (a fresh token pasted in, a cookie removed).
  useEffect(() => {
    if (!initial || parsed.error) return;
    const t = setTimeout(() => {
      rpc('resend_exchange', { ...edits(), preview: true }).then(
        (r) => setExpect(r.expectations),
        () => undefined,
      );
    }, 400);
    return () => clearTimeout(t);
  }, [method, url, headersText, body, initial]);

  const send = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await rpc('resend_exchange', edits()));
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  const out = result?.outcome;
  return (
    <div className="overlay" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div className="dialog card dialog-wide" role="dialog" aria-modal="true" aria-labelledby="resend-title" data-testid="resend-dialog">
        <div className="card-head">
          <div>
            <h2 className="card-title" id="resend-title">
              Re-send exchange #{exchangeId}
            </h2>
            <p className="card-desc">Sent from this machine, as recorded or as edited here; the answer becomes a flow of its own. Masked secrets are sent as recorded.</p>
          </div>
          <button type="button" className="btn btn-icon btn-ghost" onClick={onClose} aria-label="Close">
            <CloseIcon size={14} />
          </button>
        </div>
        <div className="card-body import-body">
          {!initial && !error && <span className="muted">Reading the exchange…</span>}
          {initial && (
            <>
              <div className="resend-line">
                <input className="mono resend-method" value={method} onChange={(e) => setMethod(e.target.value)} aria-label="Method" data-testid="resend-method" />
                <input className="mono resend-url" value={url} onChange={(e) => setUrl(e.target.value)} aria-label="URL" spellCheck={false} data-testid="resend-url" />
              </div>
              <label className="field">
                <span className="field-label">Headers (one &quot;Name: value&quot; per line)</span>
                <textarea className="mono" rows={5} value={headersText} spellCheck={false} onChange={(e) => setHeadersText(e.target.value)} data-testid="resend-headers" />
              </label>
              {parsed.error && <p className="sev-error">{parsed.error}</p>}
              {initial.request.dropped.length > 0 && <p className="muted">Not sent as recorded: {initial.request.dropped.join('; ')}.</p>}
              <label className="field">
                <span className="field-label">Body</span>
                {initial.request.binary_body ? (
                  <p className="muted">A binary body: sent as recorded.</p>
                ) : (
                  <textarea className="mono" rows={5} value={body} spellCheck={false} onChange={(e) => setBody(e.target.value)} data-testid="resend-body" />
                )}
              </label>
              {expect.length > 0 && (
                <div data-testid="resend-expect">
                  <p className="field-label">What to expect</p>
                  <ul className="import-notes">
                    {expect.map((x) => (
                      <li key={x.text} className={x.refusal ? 'sev-warning' : undefined}>
                        {x.rule && <span className="mono">{x.rule}</span>} {x.text}
                      </li>
                    ))}
                  </ul>
                </div>
              )}
            </>
          )}
          {error && <ErrorBanner error={error} title="Could not re-send" />}
          {out && (
            <div className="resend-result" data-testid="resend-result">
              <p>
                <span className={`status-pill mono status-${out.error ? 'server' : statusClass(out.status ?? null)}`} data-testid="resend-status">
                  {out.error ? 'ERR' : (out.status ?? '—')}
                </span>{' '}
                <a href={hrefFor('flows', out.flow_id)} onClick={onClose} data-testid="resend-flow-link">
                  Open the re-send&apos;s flow
                </a>
                {out.receiver_flow && (
                  <>
                    {' · '}
                    <a href={hrefFor('flows', out.receiver_flow)} onClick={onClose} data-testid="resend-receiver-link">
                      what this inspector&apos;s receiving side recorded
                    </a>
                  </>
                )}
              </p>
              <ul className="import-notes" data-testid="resend-explanations">
                {out.explanations.map((x) => (
                  <li key={x}>{x}</li>
                ))}
              </ul>
            </div>
          )}
          <div className="import-actions">
            <span />
            <button type="button" className="btn btn-primary" disabled={busy || !initial || !!parsed.error} onClick={() => void send()} data-testid="resend-send">
              {busy ? 'Sending…' : result ? 'Send again' : 'Send'}
            </button>
          </div>
        </div>
      </div>
    </div>
  );
}
