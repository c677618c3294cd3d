//! What became of a launch: where it opened, the emulator-side flow it is recorded in, and the
//! launch URL (a link too, for when a popup blocker stopped the new tab), plus the session's
//! earlier launches.

import { hrefFor } from '../app/router';
import type { ApiError } from '../bindings';
import { Badge } from '../shared/Badge';
import { CopyButton } from '../shared/CopyButton';
import { ErrorBanner } from '../shared/ErrorBanner';
import { ExternalLink } from '../shared/ExternalLink';
import { formatWhen } from '../shared/format';
import { useLaunchLog, type LaunchRecord } from './launch';

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

export function LaunchLog() {
  const log = useLaunchLog();
  if (log.length === 0) return <p className="muted small">No launch from this window yet.</p>;
  return (
    <table className="table table-compact launch-log" data-testid="launch-log">
      <thead>
        <tr>
          <th>When</th>
          <th>Launch</th>
          <th>Message type</th>
          <th>Negative test</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {log.map((r) => (
          <tr key={r.launch_id} data-testid="launch-log-row" data-flow={r.flow_id}>
            <td className="mono nowrap">{formatWhen(r.at)}</td>
            <td>{r.label}</td>
            <td className="mono small">{r.messageType}</td>
            <td>{r.negative ? <Badge tone="red">{r.negative}</Badge> : <span className="muted">—</span>}</td>
            <td className="nowrap">
              <a href={hrefFor('flows', r.flow_id)}>Emulator flow</a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
