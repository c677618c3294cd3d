//! The engine's status (`get_status`), loaded once by the shell and shared with every page;
//! re-read on `status_changed` events (servers start in the background), after a lag, and when
//! the window regains focus (a keychain may have been unlocked meanwhile).

import { createContext, useContext, useEffect, type ReactNode } from 'react';
import type { EngineStatus } from '../bindings';
import { useRpc, type RpcState } from '../shared/useRpc';
import { subscribe } from '../transport';

const StatusContext = createContext<RpcState<EngineStatus> | null>(null);

export function StatusProvider({ children }: { children: ReactNode }) {
  const status = useRpc('get_status', {});
  const { reload } = status;
  useEffect(() => {
    window.addEventListener('focus', reload);
    const unsubscribe = subscribe((b) => {
      if (b.statusChanged || b.lagged) reload();
    });
    return () => {
      window.removeEventListener('focus', reload);
      unsubscribe();
    };
  }, [reload]);
  return <StatusContext.Provider value={status}>{children}</StatusContext.Provider>;
}

export function useEngineStatus(): RpcState<EngineStatus> {
  const s = useContext(StatusContext);
  if (!s) throw new Error('useEngineStatus outside StatusProvider');
  return s;
}
