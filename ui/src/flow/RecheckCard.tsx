//! Re-check a stored launch (issue 11, item 2): as captured, now, or at a chosen time, with the
//! registration and keys as they are today or as they were at the launch (its key snapshot).
//! Shows the new verdict next to the stored one and the findings that changed; "Keep this
//! result" stores it as the flow's.

import { useState } from 'react';
import type { ApiError, FlowDetail, Outcome, Recheck } from '../bindings';
import { Badge } from '../shared/Badge';
import { ErrorBanner } from '../shared/ErrorBanner';
import { formatDateTime } from '../shared/format';
import { Card } from '../shared/Page';
import { rpc } from '../transport';
import { toApiError } from '../transport/errors';
import { verdictLabel, verdictTone } from './summary';

type When = 'captured' | 'now' | 'at';
type Keys = 'now' | 'recorded';

/** Whether the launch kept the keys and registration it was checked with. */
export function hasKeySnapshot(detail: FlowDetail): boolean {
  return detail.messages.some((m) => m.message.kind === 'id_token' && !!m.message.key_snapshot);
}

export function canRecheck(detail: FlowDetail): boolean {
  return detail.messages.some((m) => (m.message.kind === 'id_token' && m.message.raw) || m.message.kind === 'lti11_launch');
}

function outcomeTone(o: Outcome | null | undefined) {
  return o === 'pass' ? 'green' : o === 'fail' ? 'red' : 'neutral';
}

export function RecheckCard({ detail }: { detail: FlowDetail }) {
  const [when, setWhen] = useState<When>('captured');
  const [at, setAt] = useState('');
  const [keys, setKeys] = useState<Keys>('now');
  const snapshot = hasKeySnapshot(detail);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Recheck | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  const run = async (save: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const moment = when === 'at' ? new Date(at).toISOString() : when;
      setResult(await rpc('recheck', { flow_id: detail.flow.id, at: moment, save, keys }));
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card
      title="Re-check"
      description="Validate this launch again — as of when it was captured, now, or any time; with the platform registration and keys as they are now, or as they were at the launch."
      testId="recheck-card"
    >
      <div className="recheck-controls">
        <select value={when} onChange={(e) => setWhen(e.target.value as When)} aria-label="Validate as of" data-testid="recheck-when">
          <option value="captured">as captured</option>
          <option value="now">as of now</option>
          <option value="at">as of…</option>
        </select>
        {when === 'at' && <input type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} aria-label="Time" data-testid="recheck-at" />}
        <select value={keys} onChange={(e) => setKeys(e.target.value as Keys)} aria-label="Keys and registration" data-testid="recheck-keys">
          <option value="now">keys and registration as they are now</option>
          <option value="recorded" disabled={!snapshot} title={snapshot ? undefined : 'This launch was stored before key snapshots were kept, or was checked with no key and no registration'}>
            keys and registration as they were at the launch{snapshot ? '' : ' (not kept)'}
          </option>
        </select>
        <button type="button" className="btn btn-sm" disabled={busy || (when === 'at' && !at)} onClick={() => void run(false)} data-testid="recheck-run">
          {busy ? 'Checking…' : 'Re-check'}
        </button>
      </div>
      {error && <ErrorBanner error={error} title="Could not re-check" />}
      {result && (
        <div className="recheck-result" data-testid="recheck-result">
          <p>
            Stored <Badge tone={verdictTone(result.stored_verdict)}>{verdictLabel(result.stored_verdict)}</Badge> (as of {formatDateTime(result.stored_at * 1000)}) → re-checked{' '}
            <span data-testid="recheck-verdict" data-verdict={result.verdict}>
              <Badge tone={verdictTone(result.verdict)}>{verdictLabel(result.verdict)}</Badge>
            </span>{' '}
            as of {formatDateTime(result.checked_at * 1000)}
            {result.saved ? ' — kept as this flow’s result.' : ''}
          </p>
          {result.changes.length === 0 ? (
            <p className="muted">No finding changed.</p>
          ) : (
            <table className="recheck-changes" data-testid="recheck-changes">
              <thead>
                <tr>
                  <th>Rule</th>
                  <th>Before</th>
                  <th>Now</th>
                </tr>
              </thead>
              <tbody>
                {result.changes.map((c) => (
                  <tr key={c.rule_id} data-testid="recheck-change" data-rule={c.rule_id}>
                    <td>
                      <span className="mono">{c.rule_id}</span>
                      <div className="muted small">{c.title}</div>
                    </td>
                    <td>
                      {c.before ? <Badge tone={outcomeTone(c.before)}>{c.before}</Badge> : <span className="muted">—</span>} <span className="small">{c.before_message}</span>
                    </td>
                    <td>
                      {c.after ? <Badge tone={outcomeTone(c.after)}>{c.after}</Badge> : <span className="muted">—</span>} <span className="small">{c.after_message}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <ul className="import-notes">
            {result.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
          {!result.saved && result.verdict !== result.stored_verdict && (
            <button type="button" className="btn btn-sm" disabled={busy} onClick={() => void run(true)} data-testid="recheck-save">
              Keep this result
            </button>
          )}
        </div>
      )}
    </Card>
  );
}
