//! Two launches side by side, `#/flows/<a>/compare/<b>` (or `previous_user` /
//! `previous_platform` for b): the claims that differ (named from the dictionary; values every
//! launch changes — times, nonce — folded at the end), the findings whose outcome differs, and
//! the HTTP steps' differences (parameters, headers sent, cookies sent). All values are text.

import { useEffect, useState } from 'react';
import { hrefFor } from '../app/router';
import type { ApiError, ClaimDiff, FlowComparison, FlowSummary } from '../bindings';
import { Badge } from '../shared/Badge';
import { ErrorBanner } from '../shared/ErrorBanner';
import { formatDateTime } from '../shared/format';
import { BackIcon } from '../shared/icons';
import { Card, Spinner } from '../shared/Page';
import { rpc } from '../transport';
import { toApiError } from '../transport/errors';
import { flowFacts, verdictLabel, verdictTone } from './summary';

function show(v: unknown): string {
  if (v === undefined || v === null) return '—';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function Side({ f, label }: { f: FlowSummary; label: string }) {
  const x = flowFacts(f);
  return (
    <div className="compare-side">
      <div className="muted small">{label}</div>
      <a href={hrefFor('flows', f.id)}>{f.title}</a> <Badge tone={verdictTone(f.verdict)}>{verdictLabel(f.verdict)}</Badge>
      <div className="muted small">
        {[x.user, x.context, x.platform].filter(Boolean).join(' · ')} · {formatDateTime(f.started_at)}
      </div>
    </div>
  );
}

function ClaimRows({ rows }: { rows: readonly ClaimDiff[] }) {
  return (
    <table className="recheck-changes">
      <thead>
        <tr>
          <th>Claim</th>
          <th>A</th>
          <th>B</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((d) => (
          <tr key={d.path} data-testid="compare-claim" data-path={d.path}>
            <td>
              <div>{d.name ?? d.path.split('/').pop()}</div>
              <div className="mono muted small">{d.path}</div>
              <Badge tone={d.change === 'changed' ? 'amber' : d.change === 'added' ? 'blue' : 'red'}>{d.change}</Badge>
            </td>
            <td className="mono small">{show(d.a)}</td>
            <td className="mono small">{show(d.b)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function CompareView({ a, b }: { a: string; b: string }) {
  const [data, setData] = useState<FlowComparison | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    const previous = b === 'previous_user' || b === 'previous_platform';
    rpc('compare_flows', previous ? { a, with: b } : { a, b }).then(setData, (e: unknown) => setError(toApiError(e)));
  }, [a, b]);

  return (
    <div className="page-scroll flow-page" data-testid="compare-page">
      <div className="flow-stack">
        <a href={hrefFor('flows', a)} className="back-link">
          <BackIcon size={14} /> Back to the flow
        </a>
        {error && <ErrorBanner error={error} title="Could not compare" />}
        {!data && !error && <Spinner label="Comparing…" />}
        {data && (
          <>
            <Card title="Compare two launches" testId="compare-head">
              <div className="compare-sides">
                <Side f={data.a} label="A" />
                <Side f={data.b} label="B" />
              </div>
            </Card>
            <Card title="Findings that differ" description="Rules whose outcome is not the same in both launches, failures first." testId="compare-findings">
              {data.findings.length === 0 ? (
                <p className="muted">Every check has the same outcome in both.</p>
              ) : (
                <table className="recheck-changes">
                  <tbody>
                    {data.findings.map((f) => (
                      <tr key={f.rule_id} data-testid="compare-finding">
                        <td>
                          <span className="mono">{f.rule_id}</span>
                          <div className="muted small">{f.title}</div>
                        </td>
                        <td>
                          {f.a ? <Badge tone={f.a === 'fail' ? 'red' : f.a === 'pass' ? 'green' : 'neutral'}>{f.a}</Badge> : '—'} <span className="small">{f.a_message}</span>
                        </td>
                        <td>
                          {f.b ? <Badge tone={f.b === 'fail' ? 'red' : f.b === 'pass' ? 'green' : 'neutral'}>{f.b}</Badge> : '—'} <span className="small">{f.b_message}</span>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </Card>
            <Card title="Claims that differ" description="The launch (id_token) claims, object claims member by member." testId="compare-claims">
              <ClaimRows rows={data.claims.filter((d) => !d.volatile)} />
              {data.claims.some((d) => d.volatile) && (
                <details>
                  <summary className="muted">Differ in every launch (times, nonce): {data.claims.filter((d) => d.volatile).length}</summary>
                  <ClaimRows rows={data.claims.filter((d) => d.volatile)} />
                </details>
              )}
            </Card>
            <Card title="HTTP differences" description="Per step: parameters, headers sent (names) and cookies sent (names)." testId="compare-http">
              {data.steps.length === 0 ? (
                <p className="muted">The steps carried the same parameters, headers and cookies.</p>
              ) : (
                data.steps.map((s) => (
                  <div key={s.step} className="compare-step">
                    <h3 className="small">
                      {s.step}
                      {s.a_status !== s.b_status ? ` — status ${s.a_status ?? '—'} vs ${s.b_status ?? '—'}` : ''}
                    </h3>
                    <ul className="import-notes">
                      {s.differences.map((d) => (
                        <li key={`${d.kind}:${d.name}`} data-testid="compare-http-diff" className={d.volatile ? 'muted' : ''}>
                          {d.kind} <span className="mono">{d.name}</span> {d.change}
                          {d.change === 'changed' ? `: ${show(d.a)} → ${show(d.b)}` : ''}
                          {d.volatile ? ' (differs in every launch)' : ''}
                        </li>
                      ))}
                    </ul>
                  </div>
                ))
              )}
            </Card>
          </>
        )}
      </div>
    </div>
  );
}
