//! Keeping the emulator views current: engine events that can change a course (a tool posting a
//! score or a line item, a deep linking return, any emulator flow update) trigger a re-fetch,
//! throttled so a burst of service calls costs one or two reads. Pure parts are tested.

import { useEffect, useRef } from 'react';
import type { ExchangeSummary } from '../bindings';
import { subscribe, type EventBatch } from '../transport';

/** An emulator exchange that can change the gradebook, line items or deep-linked items. */
export function changesCourse(e: ExchangeSummary): boolean {
  if (e.side !== 'emulator') return false;
  const step = e.step ?? '';
  if (step.startsWith('ags.') || step.startsWith('deep_linking')) return true;
  let path = e.url;
  try {
    path = new URL(e.url).pathname;
  } catch {
    // a relative or odd URL: test it as it is
  }
  return /\/lineitems(\/|$)|\/scores$|\/deep-linking\//.test(path);
}

/** Whether a batch of events calls for re-reading the emulator's courses and gradebook. */
export function batchChangesEmulator(b: EventBatch): boolean {
  return b.lagged || b.exchanges.some(changesCourse) || b.flows.some((f) => f.side === 'emulator');
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
