//! `useRpc`: run one engine command for a component, with loading / error state and reload.

import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError, CommandName, Commands, ModelKind } from '../bindings';
import { rpc, subscribe } from '../transport';
import { toApiError } from '../transport/errors';

export interface RpcState<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

export function useRpc<K extends CommandName>(name: K, args: Commands[K]['args']): RpcState<Commands[K]['result']> {
  const key = JSON.stringify(args ?? {});
  const [state, setState] = useState<{ data?: Commands[K]['result']; error?: ApiError; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const argsRef = useRef(args);
  argsRef.current = args;

  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    rpc(name, argsRef.current).then(
      (data) => live && setState({ data, loading: false }),
      (e: unknown) => live && setState((s) => ({ data: s.data, error: toApiError(e), loading: false })),
    );
    return () => {
      live = false;
    };
  }, [name, key, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** Calls `reload` when the engine reports a status change (servers up, keys ready) or a lag. */
export function useReloadOnStatusChange(reload: () => void): void {
  useEffect(
    () =>
      subscribe((b) => {
        if (b.statusChanged || b.lagged) reload();
      }),
    [reload],
  );
}

/**
 * Calls `reload` when the engine reports a change to one of `kinds` (made in this window,
 * another client, or by another process: `external`) or a lag.
 */
export function useReloadOnModel(kinds: readonly ModelKind[], reload: () => void): void {
  const key = kinds.join(',');
  useEffect(() => {
    const wanted = new Set<ModelKind>([...(key.split(',') as ModelKind[]), 'external']);
    return subscribe((b) => {
      if (b.lagged || b.models.some((k) => wanted.has(k))) reload();
    });
  }, [key, reload]);
}

/** Calls `reload` when a flow of one of `sides` is created or updated (or on a lag). */
export function useReloadOnFlows(sides: readonly string[], reload: () => void): void {
  const key = sides.join(',');
  useEffect(() => {
    const wanted = new Set(key.split(','));
    return subscribe((b) => {
      if (b.lagged || b.flows.some((f) => wanted.has(f.side))) reload();
    });
  }, [key, reload]);
}
