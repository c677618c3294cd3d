import { describe, expect, it } from 'vitest';
import { createHttpTransport, errorFromResponse, type HttpDeps } from './http';
import type { RawEvent } from './types';

class FakeEventSource {
  static last: FakeEventSource | null = null;
  listeners = new Map<string, Array<(e: MessageEvent<string>) => void>>();
  closed = false;
  constructor(readonly url: string) {
    FakeEventSource.last = this;
  }
  addEventListener(type: string, fn: (e: MessageEvent<string>) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  close() {
    this.closed = true;
  }
  fire(type: string, data = '') {
    for (const fn of this.listeners.get(type) ?? []) fn({ data } as MessageEvent<string>);
  }
}

function deps(respond: (url: string, init: RequestInit) => Response): HttpDeps & { calls: Array<[string, RequestInit]> } {
  const calls: Array<[string, RequestInit]> = [];
  return {
    calls,
    baseUrl: '',
    fetch: async (url, init) => {
      calls.push([String(url), init ?? {}]);
      return respond(String(url), init ?? {});
    },
    EventSource: FakeEventSource as unknown as HttpDeps['EventSource'],
  };
}

describe('http transport', () => {
  it('POSTs JSON args with the bearer token and returns the result', async () => {
    const d = deps(() => new Response('{"version":"1"}', { status: 200 }));
    const t = createHttpTransport('tok', d);
    await expect(t.call('get_status', {})).resolves.toEqual({ version: '1' });
    const [url, init] = d.calls[0]!;
    expect(url).toBe('/api/rpc/get_status');
    expect(init.method).toBe('POST');
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer tok');
    expect(init.body).toBe('{}');
  });

  it('rejects with the ApiError the server sent', async () => {
    const d = deps(() => new Response('{"code":"not_found","message":"no exchange 7"}', { status: 404 }));
    await expect(createHttpTransport('t', d).call('get_exchange', { id: 7 })).rejects.toEqual({ code: 'not_found', message: 'no exchange 7' });
  });

  it('turns non-JSON errors and network failures into ApiErrors', async () => {
    expect(errorFromResponse(401, 'nope')).toEqual({ code: 'unauthorized', message: 'HTTP 401: nope' });
    expect(errorFromResponse(502, '')).toEqual({ code: 'internal', message: 'HTTP 502' });
    const d: HttpDeps = {
      baseUrl: '',
      fetch: () => Promise.reject(new TypeError('Failed to fetch')),
      EventSource: FakeEventSource as unknown as HttpDeps['EventSource'],
    };
    await expect(createHttpTransport('t', d).call('get_status', {})).rejects.toMatchObject({ code: 'internal', message: expect.stringContaining('Failed to fetch') });
  });

  it('streams engine events, reports lag and reconnects as lag', () => {
    const t = createHttpTransport('a b', deps(() => new Response('')));
    const got: RawEvent[] = [];
    const stop = t.listen((e) => got.push(e));
    const es = FakeEventSource.last!;
    expect(es.url).toBe('/api/events?token=a%20b');
    es.fire('engine', JSON.stringify({ type: 'flow_updated', flow: { id: 'f' } }));
    es.fire('engine', 'not json');
    es.fire('lagged', '{}');
    es.fire('open');
    es.fire('error');
    es.fire('open');
    expect(got.map((e) => e.kind)).toEqual(['engine', 'lagged', 'lagged']);
    stop();
    expect(es.closed).toBe(true);
  });
});
