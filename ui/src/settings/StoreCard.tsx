//! Settings → Data: where the store is, how big it is, and how long flows are kept.

import { useEffect, useState } from 'react';
import type { ApiError, DeletedFlows } from '../bindings';
import { formatBytes } from '../import/importable';
import { ErrorBanner } from '../shared/ErrorBanner';
import { Card } from '../shared/Page';
import { useRpc } from '../shared/useRpc';
import { rpc } from '../transport';
import { toApiError } from '../transport/errors';

export function StoreCard() {
  const { data, error, reload } = useRpc('get_store_info', {});
  const [days, setDays] = useState('');
  const [olderThan, setOlderThan] = useState('30');
  const [deleted, setDeleted] = useState<DeletedFlows | null>(null);
  const [failed, setFailed] = useState<ApiError | null>(null);
  useEffect(() => setDays(data?.retention_days ? String(data.retention_days) : ''), [data?.retention_days]);

  const run = async (f: () => Promise<unknown>) => {
    setFailed(null);
    try {
      await f();
      reload();
    } catch (e) {
      setFailed(toApiError(e));
    }
  };
  const n = (s: string) => (s.trim() === '' ? null : Math.max(1, Math.floor(Number(s))));

  return (
    <Card title="Data" description="Every flow is kept on this machine until you delete it or retention does. Pinned flows are always kept." testId="store-card">
      {error && <ErrorBanner error={error} title="Could not read the store" />}
      {data && (
        <p data-testid="store-info">
          {data.flows.toLocaleString()} flows ({data.pinned} pinned), {formatBytes(Number(data.bytes))} in <span className="mono">{data.path}</span>
        </p>
      )}
      <div className="recheck-controls">
        <label>
          Keep flows for{' '}
          <input type="number" min={1} value={days} onChange={(e) => setDays(e.target.value)} placeholder="ever" style={{ width: 80 }} data-testid="retention-days" /> days
        </label>
        <button type="button" className="btn btn-sm" onClick={() => void run(() => rpc('set_retention', { days: n(days) }))} data-testid="retention-save">
          Save
        </button>
      </div>
      <div className="recheck-controls" style={{ marginTop: 8 }}>
        <label>
          Delete flows older than <input type="number" min={1} value={olderThan} onChange={(e) => setOlderThan(e.target.value)} style={{ width: 80 }} data-testid="delete-older-days" /> days
        </label>
        <button
          type="button"
          className="btn btn-sm btn-danger"
          onClick={() => void run(async () => setDeleted(await rpc('delete_flows', { older_than_days: n(olderThan) ?? 30 })))}
          data-testid="delete-older"
        >
          Delete now
        </button>
        {deleted && (
          <span className="muted" data-testid="delete-older-result">
            {deleted.deleted} deleted{deleted.kept_pinned ? `, ${deleted.kept_pinned} pinned kept` : ''}
          </span>
        )}
      </div>
      {failed && <ErrorBanner error={failed} title="Could not change the store" />}
    </Card>
  );
}
