import { describe, expect, it } from 'vitest';
import type { ExchangeSummary } from '../bindings';
import { deriveSequence } from './sequence';

const ex = (id: number, step: string | null, p: Partial<ExchangeSummary> = {}): ExchangeSummary => ({
  id,
  flow_id: 'f1',
  side: 'tool',
  direction: 'inbound',
  step,
  method: 'POST',
  url: `http://localhost:4471/lti/${step ?? 'x'}`,
  status: 200,
  started_at: 1_000 + id * 10,
  duration_ms: 2,
  request_bytes: 1,
  response_bytes: 1,
  request_truncated: false,
  ...p,
});

const arrows = (steps: ReturnType<typeof deriveSequence>['steps']) =>
  steps.map((s) => `${s.label}: ${s.legs.map((l) => `${l.from}${l.observed ? '->' : '~>'}${l.to}`).join(' ')}`);

describe('deriveSequence', () => {
  it('draws a full launch: login, redirect through the browser, form_post, JWKS fetch, landing page', () => {
    const seq = deriveSequence(
      [
        ex(1, 'login', { status: 302, started_at: 1000, duration_ms: 1.5 }),
        ex(3, 'launch', { started_at: 1120, duration_ms: 40 }),
        ex(2, 'jwks_fetch', { direction: 'outbound', method: 'GET', url: 'https://lms.example/jwks', started_at: 1130, duration_ms: 20 }),
      ],
      'tool',
      995,
    );
    expect(seq.startedAt).toBe(995);
    expect(seq.self).toBe('tool');
    expect(arrows(seq.steps)).toEqual([
      'Login initiation: browser->tool',
      'Authentication request (redirect): tool->browser browser~>platform',
      'id_token form_post: platform~>browser browser->tool',
      'JWKS fetch: tool->platform',
      'Landing page: tool->browser',
    ]);
    // Sorted by time; the landing page is the launch's response, after the JWKS fetch it waited for.
    const [login, redirect, post, jwks, landing] = seq.steps;
    expect(login).toMatchObject({ key: '1:request', part: 'request', offsetMs: 5, durationMs: 1.5, detail: 'POST /lti/login', status: 302, outcome: 'redirect' });
    expect(redirect).toMatchObject({ key: '1:response', part: 'response', offsetMs: 6.5, durationMs: null, detail: '302' });
    expect(post).toMatchObject({ key: '3:request', offsetMs: 125 });
    expect(jwks).toMatchObject({ key: '2:request', backChannel: true, detail: 'GET /jwks', durationMs: 20, offsetMs: 135 });
    expect(landing).toMatchObject({ key: '3:response', offsetMs: 165 });
    expect(seq.totalMs).toBe(165);
  });

  it('draws an LTI 1.1 launch as one signed form post and its landing page', () => {
    const seq = deriveSequence([ex(1, 'lti11_launch', { url: 'http://localhost:4471/lti11/launch' })], 'tool');
    expect(arrows(seq.steps)).toEqual(['LTI 1.1 launch (signed form post): platform~>browser browser->tool', 'Landing page: tool->browser']);
    const passback = deriveSequence([ex(1, 'lti11_launch'), ex(2, 'lti11_outcomes', { direction: 'outbound', url: 'http://lms.example/outcomes' })], 'tool');
    expect(arrows(passback.steps).at(-1)).toBe('Grade passback (LTI 1.1 Basic Outcomes): tool->platform');
  });

  it('orders by time even when rows come in another order', () => {
    const seq = deriveSequence([ex(2, 'launch', { started_at: 50 }), ex(1, 'login', { status: 302, started_at: 10 })], 'tool');
    expect(seq.startedAt).toBe(10);
    expect(seq.steps.map((s) => s.key)).toEqual(['1:request', '1:response', '2:request', '2:response']);
  });

  it('shows a login that did not redirect (unknown platform) as answered by the tool', () => {
    const seq = deriveSequence([ex(1, 'login', { status: 400 })], 'tool');
    expect(arrows(seq.steps)).toEqual(['Login initiation: browser->tool', 'Login answered: tool->browser']);
    expect(seq.steps[1]?.outcome).toBe('client');
  });

  it('marks failed exchanges and unknown steps', () => {
    const seq = deriveSequence(
      [
        ex(1, 'jwks_fetch', { direction: 'outbound', status: null, error: 'timed out after 5 s' }),
        ex(2, null, { method: 'GET', url: 'http://localhost:4471/probe?x=1' }),
        ex(3, 'platform_storage'),
      ],
      'tool',
    );
    expect(seq.steps[0]).toMatchObject({ label: 'JWKS fetch', outcome: 'server', error: 'timed out after 5 s', status: null });
    expect(seq.steps[1]).toMatchObject({ label: 'GET /probe', detail: 'GET /probe' });
    expect(seq.steps[3]).toMatchObject({ label: 'Platform storage log' });
  });

  it('puts the inspector on the platform lane for emulator flows', () => {
    const seq = deriveSequence([ex(1, 'auth', { side: 'emulator', method: 'GET' }), ex(2, 'jwks_fetch', { side: 'emulator', direction: 'outbound' })], 'emulator');
    expect(seq.self).toBe('platform');
    expect(arrows(seq.steps)).toEqual(['Authentication request (from the tool): browser->platform', 'id_token form_post to the tool: platform->browser browser~>tool', 'JWKS fetch: platform->tool']);
  });

  it('handles an empty flow', () => {
    expect(deriveSequence([], 'tool', 42)).toEqual({ startedAt: 42, self: 'tool', steps: [], totalMs: 0 });
    expect(deriveSequence([], 'tool').startedAt).toBe(0);
  });
});

describe('imported flows', () => {
  it('draws every HAR leg as seen, the auth request to the platform', () => {
    const seq = deriveSequence(
      [ex(1, 'login', { side: 'imported', status: 302 }), ex(2, 'auth', { side: 'imported', status: 200 }), ex(3, 'launch', { side: 'imported', method: 'POST' })],
      'imported',
    );
    expect(seq.self).toBe('browser');
    expect(seq.steps.every((s) => s.legs.every((l) => l.observed))).toBe(true);
    const auth = seq.steps.find((s) => s.exchangeId === 2 && s.part === 'request');
    expect(auth?.legs).toEqual([{ from: 'browser', to: 'platform', observed: true }]);
    const launch = seq.steps.find((s) => s.exchangeId === 3 && s.part === 'request');
    expect(launch?.legs).toEqual([{ from: 'browser', to: 'tool', observed: true }]);
  });
});

import { agsLabel } from './sequence';
import { messageLabel } from './MessagesView';

describe('service calls are named for what they do', () => {
  it('names AGS calls by method and URL, and service messages by what they were', () => {
    expect(agsLabel('GET', 'https://lms/api/lti/courses/1/line_items/lineitems?limit=10')).toBe('Gradebook: line items');
    expect(agsLabel('POST', 'https://lms/c/1/lineitems')).toBe('Gradebook: create line item');
    expect(agsLabel('POST', 'https://lms/c/1/lineitems/7/scores')).toBe('Gradebook: post score');
    expect(agsLabel('GET', 'https://lms/c/1/lineitems/7/results?user_id=3')).toBe('Gradebook: results');
    expect(agsLabel('PUT', 'https://lms/c/1/lineitems/7')).toBe('Gradebook: update line item');
    expect(agsLabel('DELETE', 'https://lms/c/1/lineitems/7')).toBe('Gradebook: delete line item');
    expect(messageLabel('ags_response', 'AGS score')).toBe('AGS score');
    expect(messageLabel('ags_response', null)).toBe('ags response');
    expect(messageLabel('id_token', 'LtiResourceLinkRequest')).toBe('id_token');
  });
});

describe('the emulator side names its steps', () => {
  it('the launch page, the auth request and their answers are named for what they are', () => {
    const exs = [
      ex(1, 'login_initiation', { method: 'GET', url: 'http://localhost:4472/launch/abc', status: 200 }),
      ex(2, 'auth', { method: 'GET', url: 'http://localhost:4472/auth?x=1', status: 200 }),
    ];
    const seq = deriveSequence(exs, 'emulator', 0);
    expect(seq.steps.map((s) => s.label)).toEqual(['Launch page opened', 'Login initiation posted to the tool', 'Authentication request (from the tool)', 'id_token form_post to the tool']);
  });
});
