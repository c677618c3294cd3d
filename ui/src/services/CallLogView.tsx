//! What one service operation did: each HTTP exchange it made (token request, pages, writes) as a
//! row — method, status, URL — that opens the recorded exchange (`ExchangeDetail`, loaded with
//! `get_exchange`), and the findings on the responses (`FindingsView`: rule id, message, spec).
//! A failed call answers only an error: `FailedCall` reads its records back from the flow.

import { useState } from 'react';
import type { ApiError, CallLog, FlowDetail } from '../bindings';
import { FindingsView } from '../flow/FindingsView';
import { statusClass } from '../shared/format';
import { ErrorBanner } from '../shared/ErrorBanner';
import { ChevronIcon } from '../shared/icons';
import { readableUrl } from '../shared/url';
import { ExchangeDetail } from '../timeline/ExchangeDetail';
import { recoveredLog, type FlowMark } from './model';

export function CallLogView({ log, title, rawLabel = 'raw exchanges', testId }: { log: CallLog; title: string; rawLabel?: string; testId?: string }) {
  const [open, setOpen] = useState(false);
  const [shown, setShown] = useState<number | null>(null);
  return (
    <div className="svc-log" data-testid={testId ?? 'call-log'}>
      <div className="svc-log-head">
        <span className="strong">{title}</span>
        <button type="button" className="fgroup-toggle" onClick={() => setOpen(!open)} aria-expanded={open} data-testid="call-log-toggle">
          <ChevronIcon size={13} className={`chev ${open ? 'open' : ''}`} />
          {rawLabel} <span className="tab-count">{log.calls.length}</span>
        </button>
      </div>
      {open && (
        <table className="table table-compact svc-calls" data-testid="call-log-calls">
          <tbody>
            {log.calls.map((c, i) => {
              const sc = c.error ? 'server' : statusClass(c.status);
              const canOpen = c.exchange_id > 0;
              return (
                <tr key={`${c.exchange_id}-${i}`} data-testid="call-row" data-exchange={c.exchange_id}>
                  <td className="nowrap">
                    <span className={`method-pill mono method-${c.method.toLowerCase()}`}>{c.method}</span>{' '}
                    <span className={`status-pill mono status-${sc}`}>{c.error ? 'ERR' : (c.status ?? '—')}</span>
                  </td>
                  <td className="muted small nowrap">{c.step}</td>
                  <td className="mono small wrap-any" title={c.url}>
                    {readableUrl(c.url)}
                    {c.error && <div className="field-error">{c.error}</div>}
                  </td>
                  <td className="nowrap">
                    {canOpen ? (
                      <button type="button" className="btn btn-sm btn-ghost" onClick={() => setShown(shown === c.exchange_id ? null : c.exchange_id)} aria-expanded={shown === c.exchange_id} data-testid="call-open">
                        {shown === c.exchange_id ? 'Hide HTTP' : 'HTTP'}
                      </button>
                    ) : (
                      <span className="muted small">not stored</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {shown !== null && (
        <div className="flow-exchange">
          <ExchangeDetail key={shown} id={shown} embedded onClose={() => setShown(null)} />
        </div>
      )}
      {log.findings.length > 0 && <FindingsView findings={log.findings} />}
    </div>
  );
}

/**
 * A failed call: the error, then what the engine recorded for it on the flow (its exchanges and
 * findings — a 403's `service.insufficient_scope` names the scope), read back from the flow as
 * it refreshes.
 */
export function FailedCall({ title, error, detail, since, testId }: { title: string; error: ApiError; detail: Pick<FlowDetail, 'exchanges' | 'messages'>; since: FlowMark; testId?: string }) {
  const log = recoveredLog(detail, since);
  return (
    <div className="stack" data-testid={testId}>
      <ErrorBanner error={error} title={title} />
      {log.calls.length > 0 || log.findings.length > 0 ? (
        <CallLogView log={log} title="What the failed call recorded" testId="failed-call-log" />
      ) : (
        <p className="muted small">Its exchanges and findings, if any were made, appear in this flow’s sequence and messages.</p>
      )}
    </div>
  );
}
