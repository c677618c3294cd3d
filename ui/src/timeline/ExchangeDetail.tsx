//! The detail pane of one exchange: request line, query, headers and body; response status,
//! headers and body; "Copy as curl". Loaded with `get_exchange` when a row is selected.

import { useEffect, useState, type ReactNode } from 'react';
import type { ApiError, Exchange, Header } from '../bindings';
import { Badge, sideTone } from '../shared/Badge';
import { CopyButton } from '../shared/CopyButton';
import { ErrorBanner } from '../shared/ErrorBanner';
import { formatBytes, formatDateTime, formatDuration, statusClass } from '../shared/format';
import { CloseIcon } from '../shared/icons';
import { Spinner } from '../shared/Page';
import { readableUrl } from '../shared/url';
import { rpc } from '../transport';
import { toApiError } from '../transport/errors';
import { queryFields } from './body';
import { BodyView, FieldTable } from './BodyView';
import { toCurl } from './curl';
import { ResendDialog } from './ResendDialog';

/** Recently opened exchanges (they never change once recorded). */
const cache = new Map<number, Exchange>();
const CACHE_SIZE = 100;

function remember(ex: Exchange) {
  cache.set(ex.summary.id, ex);
  if (cache.size > CACHE_SIZE) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
}

interface Props {
  id: number;
  onClose: () => void;
  /** Which tab opens first (a flow's response step opens on the response). */
  initialTab?: 'request' | 'response';
  /** Shown inside a page (the flow view) rather than as the Timeline's side pane. */
  embedded?: boolean;
}

export function ExchangeDetail({ id, onClose, initialTab = 'request', embedded = false }: Props) {
  const [ex, setEx] = useState<Exchange | null>(cache.get(id) ?? null);
  const [error, setError] = useState<ApiError | null>(null);
  const [tab, setTab] = useState<'request' | 'response'>(initialTab);

  useEffect(() => {
    let live = true;
    setError(null);
    const hit = cache.get(id);
    setEx(hit ?? null);
    if (!hit) {
      rpc('get_exchange', { id }).then(
        (e) => {
          remember(e);
          if (live) setEx(e);
        },
        (e: unknown) => live && setError(toApiError(e)),
      );
    }
    return () => {
      live = false;
    };
  }, [id]);

  return (
    <aside className={`detail ${embedded ? 'detail-embedded' : ''}`} data-testid="exchange-detail" aria-label="Exchange detail">
      {error && (
        <div className="detail-pad">
          <DetailClose onClose={onClose} />
          <ErrorBanner error={error} title="Could not load this exchange" />
        </div>
      )}
      {!error && !ex && (
        <div className="detail-pad">
          <DetailClose onClose={onClose} />
          <Spinner />
        </div>
      )}
      {!error && ex && <Loaded ex={ex} tab={tab} setTab={setTab} onClose={onClose} onReveal={(revealed) => setEx(revealed)} />}
    </aside>
  );
}

function DetailClose({ onClose }: { onClose: () => void }) {
  return (
    <button type="button" className="btn btn-icon btn-ghost detail-close" onClick={onClose} title="Close (Esc)" aria-label="Close detail">
      <CloseIcon size={15} />
    </button>
  );
}

function Loaded({ ex, tab, setTab, onClose, onReveal }: { ex: Exchange; tab: 'request' | 'response'; setTab: (t: 'request' | 'response') => void; onClose: () => void; onReveal: (revealed: Exchange) => void }) {
  const s = ex.summary;
  const query = queryFields(s.url);
  const curl = toCurl({ method: s.method, url: s.url, headers: ex.request_headers, body: ex.request_body, bodyBase64: ex.request_body_base64 });
  const sc = s.error ? 'server' : statusClass(s.status);
  const [resending, setResending] = useState(false);

  return (
    <>
      <div className="detail-head">
        <div className="detail-line">
          <span className={`method-pill mono method-${s.method.toLowerCase()}`}>{s.method}</span>
          <span className={`status-pill mono status-${sc}`}>{s.error ? 'ERR' : (s.status ?? '—')}</span>
          <span className="detail-url mono" data-testid="detail-url" title={s.url}>
            {readableUrl(s.url)}
          </span>
          <DetailClose onClose={onClose} />
        </div>
        <div className="detail-meta">
          <Badge tone={sideTone(s.side)}>{s.side}</Badge>
          <span>{s.direction}</span>
          <span title={new Date(s.started_at).toISOString()}>{formatDateTime(s.started_at)}</span>
          <span>{formatDuration(s.duration_ms)}</span>
          {s.peer && <span className="mono">from {s.peer}</span>}
          {s.step && <span>step {s.step}</span>}
          {s.flow_id && <span className="mono">flow {s.flow_id}</span>}
          <span className="mono">#{s.id}</span>
        </div>
        <div className="detail-actions">
          <CopyButton value={curl} label="Copy as curl" title="Copy as curl" />
          <CopyButton value={s.url} label="Copy URL" title="Copy URL" variant="ghost" />
          <button type="button" className="btn btn-sm" onClick={() => setResending(true)} title="Send this request again, as recorded or edited" data-testid="exchange-resend">
            Re-send…
          </button>
        </div>
        {resending && <ResendDialog exchangeId={s.id} onClose={() => setResending(false)} />}
        {ex.masked.length > 0 && <MaskedNotice ex={ex} onReveal={onReveal} />}
        {s.error && <ErrorBanner error={{ code: 'internal', message: s.error }} title="The exchange failed" />}
        <div className="tabs" role="tablist">
          <button type="button" role="tab" aria-selected={tab === 'request'} className={tab === 'request' ? 'active' : ''} onClick={() => setTab('request')}>
            Request <span className="tab-count">{formatBytes(s.request_bytes)}</span>
          </button>
          <button type="button" role="tab" aria-selected={tab === 'response'} className={tab === 'response' ? 'active' : ''} onClick={() => setTab('response')}>
            Response <span className="tab-count">{formatBytes(s.response_bytes)}</span>
          </button>
        </div>
      </div>
      <div className="detail-body">
        {tab === 'request' ? (
          <>
            <Section title="Request line">
              <pre className="codeblock-pre wrap request-line">{`${s.method} ${s.url}`}</pre>
            </Section>
            {query.length > 0 && (
              <Section title={`Query parameters (${query.length})`}>
                <FieldTable fields={query} />
              </Section>
            )}
            <Section title={`Headers (${ex.request_headers.length})`}>
              <HeaderTable headers={ex.request_headers} />
            </Section>
            <Section title="Body">
              <BodyView headers={ex.request_headers} body={ex.request_body} base64={ex.request_body_base64} truncated={s.request_truncated} />
            </Section>
          </>
        ) : (
          <>
            {s.status === null || s.status === undefined ? (
              <Section title="Status">
                <span className="muted">No response{s.error ? `: ${s.error}` : ''}</span>
              </Section>
            ) : null}
            <Section title={`Headers (${ex.response_headers.length})`}>
              <HeaderTable headers={ex.response_headers} />
            </Section>
            <Section title="Body">
              <BodyView headers={ex.response_headers} body={ex.response_body} base64={ex.response_body_base64} />
            </Section>
          </>
        )}
      </div>
    </>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="detail-section">
      <h3 className="detail-section-title">{title}</h3>
      {children}
    </section>
  );
}

function HeaderTable({ headers }: { headers: Header[] }) {
  if (headers.length === 0) return <div className="muted small">No headers</div>;
  return (
    <table className="table kv-table headers-table">
      <tbody>
        {headers.map((h, i) => (
          <tr key={i}>
            <td className="mono kv-name">{h.name}</td>
            <td className="mono kv-val">{h.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Secrets come masked (tokens, assertions, cookies); revealing fetches this exchange whole. */
function MaskedNotice({ ex, onReveal }: { ex: Exchange; onReveal: (revealed: Exchange) => void }) {
  const [busy, setBusy] = useState(false);
  const reveal = () => {
    setBusy(true);
    rpc('get_exchange', { id: ex.summary.id, reveal: true }).then(
      (whole) => onReveal(whole),
      () => setBusy(false),
    );
  };
  return (
    <p className="muted detail-masked" data-testid="exchange-masked">
      {ex.masked.length} secret{ex.masked.length === 1 ? '' : 's'} masked ({ex.masked.join(', ')}): shown and copied as curl without their values.{' '}
      <button type="button" className="btn btn-sm" onClick={reveal} disabled={busy} data-testid="exchange-reveal">
        Reveal
      </button>
    </p>
  );
}
