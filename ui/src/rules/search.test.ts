import { describe, expect, it } from 'vitest';
import type { ClaimInfo, RuleInfo } from '../bindings';
import { ruleGroup, searchClaims, searchRules } from './search';

const rule = (id: string, severity: RuleInfo['severity'], explanation = ''): RuleInfo => ({ id, severity, title: id, spec_section: '§5', spec_url: 'https://x', explanation });
const claim = (uri: string, vendor: string | null, meaning = ''): ClaimInfo => ({ uri, name: uri, meaning, type: 'string', spec_section: '', spec_url: '', vendor, members: [] });

describe('searchRules', () => {
  const rules = [rule('jwt.signature', 'error', 'RS256 signature with the platform key'), rule('idtoken.iat_age', 'warning'), rule('hint.canvas_issuer', 'info', 'Canvas uses one issuer')];
  it('matches every word anywhere and filters by severity', () => {
    expect(searchRules(rules, '').length).toBe(3);
    expect(searchRules(rules, 'platform rs256').map((r) => r.id)).toEqual(['jwt.signature']);
    expect(searchRules(rules, 'severity:warn').map((r) => r.id)).toEqual(['idtoken.iat_age']);
    expect(searchRules(rules, 'CANVAS').map((r) => r.id)).toEqual(['hint.canvas_issuer']);
  });
  it('groups rules by id prefix', () => {
    expect(ruleGroup('jwt.signature')).toBe('JWT and signature');
    expect(ruleGroup('new.thing')).toBe('new');
  });
});

describe('searchClaims', () => {
  const claims = [claim('https://www.instructure.com/placement', 'Canvas', 'Where the tool is placed'), claim('sub', null, 'user id')];
  it('matches text and vendor', () => {
    expect(searchClaims(claims, 'vendor:canvas').map((c) => c.uri)).toEqual(['https://www.instructure.com/placement']);
    expect(searchClaims(claims, 'vendor:standard').map((c) => c.uri)).toEqual(['sub']);
    expect(searchClaims(claims, 'user').map((c) => c.uri)).toEqual(['sub']);
  });
});
