//! Keeping the emulator views current: the engine's model-changed events (a tool posting a
//! score or a line item, a deep linking return, an edit in another client or by the CLI)
//! trigger a re-fetch, throttled so a burst of service calls costs one or two reads. Pure
//! parts are tested.

import { useEffect, useRef } from 'react';
import type { ModelKind } from '../bindings';
import { subscribe, type EventBatch } from '../transport';

/** The model kinds the emulator's views show. */
const EMULATOR_KINDS: ReadonlySet<ModelKind> = new Set<ModelKind>(['emulator_tool', 'course', 'user', 'enrollment', 'resource_link', 'line_item', 'grade', 'content_item', 'external']);

/**
 * Whether a batch of events calls for re-reading the emulator's courses, users and tools: the
 * engine says which kind of object changed (a tool posting a score, a deep linking return, an
 * edit in another window or by the CLI); a lag means events were lost.
 */
export function batchChangesEmulator(b: EventBatch): boolean {
  return b.lagged || b.models.some((k) => EMULATOR_KINDS.has(k));
}

/**
 * Runs `fn` at most once per `intervalMs`: the first call runs now, calls during the interval
 * collapse into one trailing run at its end. `cancel` drops a pending trailing run.
 */
export class Throttle {
  private last = -Infinity;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly fn: () => void,
    private readonly intervalMs: number,
    private readonly now: () => number = () => Date.now(),
    private readonly setTimer: (cb: () => void, ms: number) => ReturnType<typeof setTimeout> = (cb, ms) => setTimeout(cb, ms),
    private readonly clearTimer: (t: ReturnType<typeof setTimeout>) => void = (t) => clearTimeout(t),
  ) {}

  call(): void {
    if (this.timer !== null) return;
    const wait = this.last + this.intervalMs - this.now();
    if (wait <= 0) {
      this.run();
      return;
    }
    this.timer = this.setTimer(() => {
      this.timer = null;
      this.run();
    }, wait);
  }

  cancel(): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
  }

  private run(): void {
    this.last = this.now();
    this.fn();
  }
}

/** Calls `reload` (throttled) whenever the engine reports an emulator change. */
export function useEmulatorLive(reload: () => void, intervalMs = 400): void {
  const ref = useRef(reload);
  ref.current = reload;
  useEffect(() => {
    const throttle = new Throttle(() => ref.current(), intervalMs);
    const unsubscribe = subscribe((b) => {
      if (batchChangesEmulator(b)) throttle.call();
    });
    return () => {
      unsubscribe();
      throttle.cancel();
    };
  }, [intervalMs]);
}
