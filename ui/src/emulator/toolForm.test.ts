import { describe, expect, it } from 'vitest';
import type { EmulatorTool } from '../bindings';
import { formFromTool, newToolForm, parseCustom, SCOPES, scopeName, toolProblems, toToolInput } from './toolForm';

const tool: EmulatorTool = {
  id: 't1',
  name: 'Quiz tool',
  client_id: 'client-1',
  login_url: 'https://tool.example/login',
  redirect_uris: ['https://tool.example/launch', 'https://tool.example/dl'],
  target_link_uri: 'https://tool.example/launch',
  deep_link_url: 'https://tool.example/dl',
  jwks_url: null,
  public_jwks: { keys: [{ kty: 'RSA', kid: 'k1', n: 'x', e: 'AQAB' }] },
  custom: { user: '$User.id', mode: 'a=b' },
  scopes: [SCOPES[3].uri],
  deployment_ids: ['dep-1'],
  demo: false,
  created_at: 0,
  updated_at: 0,
};

describe('tool form → ToolInput', () => {
  it('maps a new registration: lines, blanks dropped, optional fields null, every scope by default', () => {
    const f = {
      ...newToolForm(),
      name: '  My tool ',
      loginUrl: ' https://t.example/login ',
      redirectUris: 'https://t.example/launch\n\n https://t.example/launch \nhttps://t.example/dl\n',
      jwksUrl: 'https://t.example/jwks',
      custom: 'course=$Context.id\n\n  level = 3 \nurl=https://x.example/?a=b',
    };
    expect(toolProblems(f)).toEqual({});
    expect(toToolInput(f)).toEqual({
      id: null,
      name: 'My tool',
      client_id: null,
      login_url: 'https://t.example/login',
      redirect_uris: ['https://t.example/launch', 'https://t.example/dl'],
      target_link_uri: null,
      deep_link_url: null,
      jwks_url: 'https://t.example/jwks',
      public_key: '',
      custom: { course: '$Context.id', level: '3', url: 'https://x.example/?a=b' },
      scopes: SCOPES.map((s) => s.uri),
      deployment_id: null,
      course_id: null,
    });
  });

  it('round-trips a stored tool; an empty pasted key keeps the stored one (absent)', () => {
    const f = formFromTool(tool);
    expect(f.keySource).toBe('paste');
    expect(f.custom).toBe('user=$User.id\nmode=a=b');
    expect(toolProblems(f)).toEqual({});
    const input = toToolInput(f);
    expect(input).toMatchObject({ id: 't1', client_id: 'client-1', redirect_uris: tool.redirect_uris, deep_link_url: 'https://tool.example/dl', public_key: null, scopes: [SCOPES[3].uri], custom: tool.custom, deployment_id: null });
    expect(toToolInput({ ...f, publicKey: ' {"kty":"RSA"} ' }).public_key).toBe('{"kty":"RSA"}');
    expect(toToolInput({ ...f, keySource: 'url', publicKey: 'ignored' }).public_key).toBe('');
    expect(toToolInput({ ...f, scopes: [] }).scopes).toEqual([]);
  });

  it('says what to fix before sending', () => {
    const p = toolProblems({ ...newToolForm(), loginUrl: 'javascript:alert(1)', redirectUris: 'not a url', deepLinkUrl: 'x', custom: 'ok=1\n=nope\nnoequals', keySource: 'paste' });
    expect(Object.keys(p).sort()).toEqual(['custom', 'deep_link_url', 'login_url', 'public_key', 'redirect_uris']);
    expect(p.custom).toBe('Lines 2, 3: write name=value.');
    expect(toolProblems(newToolForm()).login_url).toBeTruthy();
  });

  it('parses custom parameters and names scopes', () => {
    expect(parseCustom('a=1\nb=\n c = d=e ')).toEqual({ custom: { a: '1', b: '', c: 'd=e' }, bad: [] });
    expect(scopeName('https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly')).toBe('lineitem.readonly');
  });
});
