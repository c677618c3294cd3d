//! Running a launch from a button: ask the engine for the launch URL, open it (desktop window or
//! browser tab), and keep it in the session's launch log. Errors are `ApiError`s for the view.

import { useCallback, useState } from 'react';
import type { ApiError, LaunchUrl, NegativeTest } from '../bindings';
import { toApiError } from '../transport/errors';
import { openLaunch } from '../transport/openLaunch';
import { type LaunchRecord } from './launch';

export interface LaunchMeta {
  /** "Launch demo", "Week 1 quiz as Alan Turing"… (window title and log label). */
  label: string;
  messageType: string;
  negative: NegativeTest | null;
}

export interface Launcher {
  /** The key of the launch in progress (a button shows "Launching…"), or null. */
  busy: string | null;
  error: ApiError | null;
  last: LaunchRecord | null;
  run: (key: string, meta: LaunchMeta, make: () => Promise<LaunchUrl>) => Promise<void>;
}

export function useLauncher(): Launcher {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [last, setLast] = useState<LaunchRecord | null>(null);

  const run = useCallback(async (key: string, meta: LaunchMeta, make: () => Promise<LaunchUrl>) => {
    setBusy(key);
    setError(null);
    let made: LaunchUrl | null = null;
    try {
      made = await make();
      const openedIn = await openLaunch(made.url, meta.label);
      const rec: LaunchRecord = { ...made, at: Date.now(), label: meta.label, messageType: meta.messageType, negative: meta.negative, openedIn };
      setLast(rec);
    } catch (e) {
      setError(toApiError(e));
      if (made) {
        // The URL was made but could not be opened: keep it so it can be opened by hand.
        const rec: LaunchRecord = { ...made, at: Date.now(), label: meta.label, messageType: meta.messageType, negative: meta.negative, openedIn: null };
        setLast(rec);
      }
    } finally {
      setBusy(null);
    }
  }, []);

  return { busy, error, last, run };
}
