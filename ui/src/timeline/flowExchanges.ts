//! A flow's exchanges for the Timeline (its "Exchanges" button, `flow:<id>`), asked of the store
//! by flow (one indexed query) instead of paging the whole exchanges table in and filtering it
//! here (about 100 requests on a 100k-flow store). New exchanges of the flow arrive live.

import { useEffect, useState } from 'react';
import type { ExchangeSummary } from '../bindings';
import { rpc, subscribe } from '../transport';
import { mergeNewestFirst } from './merge';

/** The flow id when the filter is exactly `flow:<id>`, else null. */
export function flowOfFilter(filter: string): string | null {
  const m = /^flow:([A-Za-z0-9_-]+)$/.exec(filter.trim());
  return m ? (m[1] ?? null) : null;
}

export function useFlowExchanges(flowId: string | null): readonly ExchangeSummary[] | null {
  const [rows, setRows] = useState<readonly ExchangeSummary[] | null>(null);
  useEffect(() => {
    if (!flowId) {
      setRows(null);
      return;
    }
    let live = true;
    setRows(null);
    void rpc('list_exchanges', { flow_id: flowId, limit: 5000 }).then((r) => live && setRows(r), () => live && setRows([]));
    const unsubscribe = subscribe((b) => {
      const mine = b.exchanges.filter((e) => e.flow_id === flowId);
      if (mine.length > 0) setRows((r) => mergeNewestFirst(r ?? [], mine));
      if (b.deletedFlows.includes(flowId)) setRows([]);
    });
    return () => {
      live = false;
      unsubscribe();
    };
  }, [flowId]);
  return rows;
}
