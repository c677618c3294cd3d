//! Event batching: the engine can record thousands of exchanges a second, React should render
//! at most once per frame. Raw events are queued and delivered as one merged batch per frame.

import type { ExchangeSummary, FlowSummary, ModelKind, ReadProgress } from '../bindings';
import type { RawEvent } from './types';

/** What subscribers receive: everything that happened since the previous frame, merged. */
export interface EventBatch {
  /** New exchanges in arrival order, each id once (the last copy wins). */
  exchanges: ExchangeSummary[];
  /** Updated flows, each id once (the last update wins), in order of first appearance. */
  flows: FlowSummary[];
  /** Servers or the key store changed state: re-read `get_status` (and what depends on it). */
  statusChanged: boolean;
  /** Kinds of model object saved or deleted (by any client, or `external`: another process). */
  models: ModelKind[];
  /** Flows deleted (their exchanges too). */
  deletedFlows: string[];
  /** Some events were lost, or many flows were deleted: re-fetch lists instead of trusting the deltas. */
  lagged: boolean;
  /** A page outside the app asked the window to show this route (`flows/<id>`); the last one wins. */
  openRoute: string | null;
  /** How far the engine has read each uploaded file it imports (the last report per upload). */
  importProgress: ReadProgress[];
}

/** A batch in which nothing happened (tests build theirs from it). */
export function emptyBatch(over: Partial<EventBatch> = {}): EventBatch {
  return { exchanges: [], flows: [], statusChanged: false, models: [], deletedFlows: [], lagged: false, openRoute: null, importProgress: [], ...over };
}

export function mergeEvents(raw: readonly RawEvent[]): EventBatch {
  const exchanges = new Map<number, ExchangeSummary>();
  const flows = new Map<string, FlowSummary>();
  let lagged = false;
  let statusChanged = false;
  const models = new Set<ModelKind>();
  const deleted = new Set<string>();
  let openRoute: string | null = null;
  const importProgress = new Map<string, ReadProgress>();
  for (const r of raw) {
    if (r.kind === 'lagged') {
      lagged = true;
      continue;
    }
    const ev = r.event;
    switch (ev.type) {
      case 'exchange_recorded':
        exchanges.set(ev.exchange.id, ev.exchange);
        break;
      case 'flow_updated':
        flows.set(ev.flow.id, ev.flow);
        break;
      case 'status_changed':
        statusChanged = true;
        break;
      case 'model_changed':
        models.add(ev.model);
        break;
      case 'flows_deleted':
        if (ev.ids.length === 0) lagged = true;
        ev.ids.forEach((id) => {
          deleted.add(id);
          flows.delete(id);
        });
        break;
      case 'open_in_app':
        openRoute = ev.route;
        break;
      case 'import_progress':
        importProgress.set(ev.progress.upload_id, ev.progress);
        break;
      default:
        // Event types added by a newer engine are ignored until the UI knows them.
        break;
    }
  }
  return {
    exchanges: [...exchanges.values()].filter((e) => !e.flow_id || !deleted.has(e.flow_id)),
    flows: [...flows.values()],
    statusChanged,
    models: [...models],
    deletedFlows: [...deleted],
    lagged,
    openRoute,
    importProgress: [...importProgress.values()],
  };
}

export type Scheduler = (flush: () => void) => void;

/** Collects items and flushes them together on the next scheduled tick (one pending at most). */
export class FrameBatcher<T> {
  private queue: T[] = [];
  private pending = false;

  constructor(
    private readonly deliver: (items: T[]) => void,
    private readonly schedule: Scheduler,
  ) {}

  push(item: T): void {
    this.queue.push(item);
    if (this.pending) return;
    this.pending = true;
    this.schedule(() => this.flush());
  }

  flush(): void {
    this.pending = false;
    if (this.queue.length === 0) return;
    const items = this.queue;
    this.queue = [];
    this.deliver(items);
  }
}

/** Next animation frame, or a short timer when the page is hidden (rAF does not run then). */
export const frameScheduler: Scheduler = (flush) => {
  if (typeof document !== 'undefined' && document.visibilityState !== 'hidden' && typeof requestAnimationFrame === 'function') {
    requestAnimationFrame(() => flush());
  } else {
    setTimeout(flush, 250);
  }
};

/**
 * Fans one transport listener out to many subscribers, batched per frame. The transport stream
 * is opened on the first subscription and closed after the last.
 */
export class EventHub {
  private readonly handlers = new Set<(batch: EventBatch) => void>();
  private stop: (() => void) | null = null;
  private readonly batcher: FrameBatcher<RawEvent>;

  constructor(
    private readonly listen: (onEvent: (e: RawEvent) => void) => () => void,
    schedule: Scheduler = frameScheduler,
  ) {
    this.batcher = new FrameBatcher((items) => {
      const batch = mergeEvents(items);
      for (const h of [...this.handlers]) h(batch);
    }, schedule);
  }

  subscribe(handler: (batch: EventBatch) => void): () => void {
    this.handlers.add(handler);
    if (!this.stop) this.stop = this.listen((e) => this.batcher.push(e));
    return () => {
      this.handlers.delete(handler);
      if (this.handlers.size === 0 && this.stop) {
        this.stop();
        this.stop = null;
      }
    };
  }
}
