//! What became of a launch: where it opened, the emulator-side flow it is recorded in, and the
//! launch URL (a link too, for when a popup blocker stopped the new tab), plus the emulator's
//! recent launches from the store.

import { useCallback } from 'react';
import { hrefFor } from '../app/router';
import type { ApiError, FlowSummary } from '../bindings';
import { flowFacts, negativeOutcome, verdictLabel, verdictTone } from '../flow/summary';
import { useReloadOnFlows, useRpc } from '../shared/useRpc';
import { Badge } from '../shared/Badge';
import { CopyButton } from '../shared/CopyButton';
import { ErrorBanner } from '../shared/ErrorBanner';
import { ExternalLink } from '../shared/ExternalLink';
import { formatWhen } from '../shared/format';
import { type LaunchRecord } from './launch';

export function LaunchOutcome({ last, error, testId }: { last: LaunchRecord | null; error: ApiError | null; testId?: string }) {
  return (
    <>
      {error && <ErrorBanner error={error} title={last ? 'The launch could not be opened' : 'The launch could not be made'} testId="launch-error" />}
      {last && (
        <div className="launch-outcome" data-testid={testId ?? 'launch-outcome'} data-flow={last.flow_id}>
          <span>
            {last.openedIn === 'window'
              ? 'Opened in a new window.'
              : last.openedIn === 'tab'
                ? 'Opened in a new tab.'
                : 'Not opened:'}{' '}
            <span className="muted">The tool side records the launch as a flow of its own in the</span>{' '}
            <a href={hrefFor('timeline')}>Timeline</a>.
          </span>
          <span className="launch-outcome-links">
            <a href={hrefFor('flows', last.flow_id)} data-testid="launch-flow-link">
              Emulator flow
            </a>
            <ExternalLink href={last.url} className="small" title="Open the launch in a new tab (if none opened)">
              launch URL
            </ExternalLink>
            <CopyButton value={last.url} variant="ghost" title="Copy the launch URL" />
          </span>
        </div>
      )}
    </>
  );
}

/** The emulator's recent launches, from the store (they are its flows: they survive a reload
 *  and include launches made elsewhere), each linked to both sides. Re-read as flows change. */
export function LaunchLog() {
  const { data: flows, error, reload } = useRpc('list_flows', { limit: 15, query: 'side:emulator' });
  // The other sides of all rows in one call; the tool side's flow appears after the emulator's
  // last update (when the tool receives the token), so tool-side changes reload it too.
  const related = useRpc('list_related_flows', { ids: (flows ?? []).map((f) => f.id) });
  const reloadRelated = related.reload;
  const reloadAll = useCallback(() => {
    reload();
    reloadRelated();
  }, [reload, reloadRelated]);
  useReloadOnFlows(SIDES, reloadAll);
  const others = new Map((related.data ?? []).map((r) => [r.id, r.related] as const));
  if (error && !flows) return <ErrorBanner error={error} title="Could not list the emulator's launches" />;
  if (!flows) return <p className="muted small">Reading the launches…</p>;
  if (flows.length === 0) return <p className="muted small">No launch from the emulator yet.</p>;
  return (
    <table className="table table-compact launch-log" data-testid="launch-log">
      <thead>
        <tr>
          <th>When</th>
          <th>Launch</th>
          <th>Message type</th>
          <th>Negative test</th>
          <th>Verdict</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {flows.map((f) => (
          <LaunchRow key={f.id} flow={f} other={others.get(f.id) ?? []} />
        ))}
      </tbody>
    </table>
  );
}

const SIDES = ['emulator', 'tool'] as const;

function LaunchRow({ flow: f, other }: { flow: FlowSummary; other: readonly FlowSummary[] }) {
  const x = flowFacts(f);
  const outcome = negativeOutcome(x);
  return (
    <tr data-testid="launch-log-row" data-flow={f.id}>
      <td className="mono nowrap">{formatWhen(f.started_at)}</td>
      <td>
        {x.user || '—'}
        {f.summary.tool ? <span className="muted small"> → {f.summary.tool}</span> : null}
      </td>
      <td className="mono small">{x.messageType}</td>
      <td>
        {x.negative ? (
          <>
            <Badge tone="red">{x.negative}</Badge>{' '}
            {outcome === 'intended' ? <span className="muted small">failed as intended</span> : <span className="sev-error small">did not fail</span>}
          </>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td>
        <Badge tone={verdictTone(f.verdict)}>{verdictLabel(f.verdict)}</Badge>
      </td>
      <td className="nowrap">
        <a href={hrefFor('flows', f.id)} data-testid="launch-log-emulator">
          Emulator flow
        </a>
        {other.map((o) => (
          <span key={o.id}>
            {' · '}
            <a href={hrefFor('flows', o.id)} data-testid="launch-log-tool">
              {o.side === 'tool' ? 'Tool-side flow' : 'Other side'}
            </a>{' '}
            <Badge tone={verdictTone(o.verdict)}>{verdictLabel(o.verdict)}</Badge>
          </span>
        ))}
      </td>
    </tr>
  );
}
