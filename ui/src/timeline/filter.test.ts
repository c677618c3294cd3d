import { describe, expect, it } from 'vitest';
import type { ExchangeSummary } from '../bindings';
import { applyFilter, compileFilter } from './filter';

let nextId = 1;
function row(p: Partial<ExchangeSummary>): ExchangeSummary {
  return {
    id: nextId++,
    side: 'tool',
    direction: 'inbound',
    method: 'GET',
    url: 'http://localhost:4471/',
    status: 200,
    started_at: 0,
    duration_ms: 1,
    request_bytes: 0,
    response_bytes: 0,
    request_truncated: false,
    ...p,
  };
}

const jwks = row({ url: 'http://localhost:4471/.well-known/jwks.json' });
const launch = row({ method: 'POST', url: 'http://localhost:4471/lti/launch', status: 400, flow_id: 'f-abc' });
const script = row({ url: 'http://localhost:4471/x/%3Cscript%3E', status: 404 });
const emu = row({ side: 'emulator', direction: 'outbound', url: 'http://localhost:4472/token', status: 503 });
const failed = row({ url: 'http://localhost:4471/broken', status: null, error: 'connection reset' });
const rows = [jwks, launch, script, emu, failed];

const ids = (q: string) => applyFilter(rows, q).map((r) => r.id);

describe('compileFilter', () => {
  it('is null for an empty query (no filtering)', () => {
    expect(compileFilter('   ')).toBeNull();
    expect(applyFilter(rows, '')).toBe(rows);
  });
  it('matches free text against the URL, case-insensitively', () => {
    expect(ids('JWKS')).toEqual([jwks.id]);
  });
  it('matches the decoded URL too', () => {
    expect(ids('<script>')).toEqual([script.id]);
  });
  it('matches methods and statuses', () => {
    expect(ids('post')).toEqual([launch.id]);
    expect(ids('404')).toEqual([script.id]);
    expect(ids('4xx')).toEqual([launch.id, script.id]);
    expect(ids('status:5xx')).toEqual([emu.id]);
    expect(ids('status:none')).toEqual([failed.id]);
  });
  it('supports qualifiers, AND and negation', () => {
    expect(ids('side:emulator')).toEqual([emu.id]);
    expect(ids('dir:out')).toEqual([emu.id]);
    expect(ids('flow:f-a')).toEqual([launch.id]);
    expect(ids('method:get -jwks 4xx')).toEqual([script.id]);
  });
});
