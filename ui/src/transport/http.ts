//! HTTP transport for `lti-inspector serve`: commands are `POST /api/rpc/NAME` with a Bearer
//! token, events come from the server-sent stream at `/api/events`.

import type { ApiError, EngineEvent } from '../bindings';
import { apiError, isApiError } from './errors';
import type { RawEvent, Transport } from './types';

type EventSourceLike = Pick<EventSource, 'addEventListener' | 'close'>;

export interface HttpDeps {
  fetch: typeof fetch;
  EventSource: new (url: string) => EventSourceLike;
  /** Prefix of the API URLs ('' = same origin). */
  baseUrl: string;
}

function browserDeps(): HttpDeps {
  return {
    fetch: (input, init) => globalThis.fetch(input, init),
    EventSource: globalThis.EventSource,
    baseUrl: '',
  };
}

/** Turns a failed response into an ApiError; serve answers errors with `{code, message}` JSON. */
export function errorFromResponse(status: number, bodyText: string): ApiError {
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (isApiError(parsed)) return { code: parsed.code, message: parsed.message };
  } catch {
    // Not JSON (a proxy's error page, …): fall through.
  }
  const code = status === 401 || status === 403 ? 'unauthorized' : status === 404 ? 'not_found' : 'internal';
  const detail = bodyText.trim().slice(0, 200);
  return apiError(code, `HTTP ${status}${detail ? `: ${detail}` : ''}`);
}

export function createHttpTransport(token: string, deps: HttpDeps = browserDeps()): Transport {
  return {
    kind: 'http',
    async call(name, args) {
      let res: Response;
      try {
        res = await deps.fetch(`${deps.baseUrl}/api/rpc/${encodeURIComponent(name)}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: JSON.stringify(args ?? {}),
        });
      } catch (e) {
        throw apiError('internal', `Cannot reach the engine: ${e instanceof Error ? e.message : String(e)}`);
      }
      const text = await res.text();
      if (!res.ok) throw errorFromResponse(res.status, text);
      if (text === '') return null;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw apiError('internal', `${name}: the engine answered with something that is not JSON`);
      }
    },
    listen(onEvent: (e: RawEvent) => void) {
      const source = new deps.EventSource(`${deps.baseUrl}/api/events?token=${encodeURIComponent(token)}`);
      // After a dropped connection the browser reconnects by itself; whatever was emitted in
      // between is lost, so a reconnect is reported as "lagged" and lists are re-fetched.
      let dropped = false;
      source.addEventListener('engine', (m) => {
        let event: EngineEvent;
        try {
          event = JSON.parse((m as MessageEvent<string>).data) as EngineEvent;
        } catch {
          return;
        }
        onEvent({ kind: 'engine', event });
      });
      source.addEventListener('lagged', () => onEvent({ kind: 'lagged' }));
      source.addEventListener('error', () => {
        dropped = true;
      });
      source.addEventListener('open', () => {
        if (dropped) {
          dropped = false;
          onEvent({ kind: 'lagged' });
        }
      });
      return () => source.close();
    },
  };
}
