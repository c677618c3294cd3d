import { describe, expect, it } from 'vitest';
import type { LmsProfile, Platform } from '../bindings';
import { fillTemplate, formFromPlatform, formProblems, newForm, parseDeploymentIds, presetValue, shownEndpoint, toPlatformInput } from './form';

const canvas: LmsProfile = {
  id: 'canvas',
  name: 'Canvas (Instructure-hosted)',
  issuer: 'https://canvas.instructure.com',
  auth_endpoint: 'https://sso.canvaslms.com/api/lti/authorize_redirect',
  jwks_url: 'https://sso.canvaslms.com/api/lti/security/jwks',
  token_endpoint: 'https://{site}/login/oauth2/token',
  token_audience: 'https://{site}/login/oauth2/token',
  site_parameter: "Your school's Canvas host",
  id_token_lifetime_secs: 3600,
  notes: [],
};
const moodle: LmsProfile = { ...canvas, id: 'moodle', name: 'Moodle', issuer: 'https://{site}', auth_endpoint: 'https://{site}/mod/lti/auth.php', jwks_url: 'https://{site}/mod/lti/certs.php', token_endpoint: 'https://{site}/mod/lti/token.php', token_audience: null, site_parameter: 'wwwroot' };

describe('preset templates', () => {
  it('fills {site}, accepting a URL or a bare host', () => {
    expect(fillTemplate('https://{site}/login/oauth2/token', 'https://school.instructure.com/')).toBe('https://school.instructure.com/login/oauth2/token');
    expect(fillTemplate('https://{site}/x', '  school.edu ')).toBe('https://school.edu/x');
    expect(fillTemplate('https://{site}/x', '')).toBeNull();
    expect(fillTemplate('https://fixed/x', '')).toBe('https://fixed/x');
    expect(presetValue(canvas, 'token_endpoint', '')).toEqual({ value: 'https://{site}/login/oauth2/token', complete: false });
    expect(presetValue(moodle, 'token_audience', 'm.edu')).toEqual({ value: '', complete: true });
  });
});

describe('toPlatformInput', () => {
  it('sends only what a preset asks for; untouched endpoints are left for the engine to fill', () => {
    const form = { ...newForm(canvas), site: 'school.instructure.com', clientId: ' 10000000000011 ', deployments: '5:abc, 6:def\n\n5:abc\n' };
    expect(shownEndpoint(form, canvas, 'token_endpoint')).toBe('https://school.instructure.com/login/oauth2/token');
    expect(toPlatformInput(form, canvas)).toEqual({
      id: null,
      name: '',
      preset: 'canvas',
      site: 'school.instructure.com',
      issuer: '',
      client_id: '10000000000011',
      deployment_ids: ['5:abc', '6:def'],
      auth_endpoint: '',
      token_endpoint: '',
      token_audience: null,
      jwks_url: null,
      public_key: '',
    });
  });

  it('sends an edited endpoint and a pasted key; no deployments means accept any', () => {
    const form = {
      ...newForm(moodle),
      site: 'moodle.school.edu',
      clientId: 'abc',
      keySource: 'paste' as const,
      publicKey: '\n-----BEGIN PUBLIC KEY-----\nMII…\n-----END PUBLIC KEY-----\n',
      endpoints: { ...newForm(moodle).endpoints, auth_endpoint: 'https://moodle.school.edu/custom/auth.php ' },
      touched: { ...newForm(moodle).touched, auth_endpoint: true },
    };
    const input = toPlatformInput(form, moodle);
    expect(input.auth_endpoint).toBe('https://moodle.school.edu/custom/auth.php');
    expect(input.issuer).toBe('');
    expect(input.public_key).toBe('-----BEGIN PUBLIC KEY-----\nMII…\n-----END PUBLIC KEY-----');
    expect(input.deployment_ids).toBeNull();
  });

  it('sends every field of a custom platform as typed', () => {
    const form = {
      ...newForm(null),
      name: 'My LMS',
      clientId: 'c',
      endpoints: { issuer: 'https://lms', auth_endpoint: 'https://lms/auth', token_endpoint: 'https://lms/token', token_audience: '', jwks_url: 'https://lms/jwks' },
    };
    expect(toPlatformInput(form, null)).toMatchObject({ preset: null, site: null, issuer: 'https://lms', auth_endpoint: 'https://lms/auth', token_endpoint: 'https://lms/token', token_audience: null, jwks_url: 'https://lms/jwks' });
  });

  it('round-trips a stored registration for editing', () => {
    const p: Platform = {
      id: 'p1',
      name: 'Canvas — school',
      preset: 'canvas',
      issuer: 'https://canvas.instructure.com',
      client_id: '1000',
      deployment_ids: ['5:a', '5:b'],
      auth_endpoint: 'https://sso.canvaslms.com/api/lti/authorize_redirect',
      token_endpoint: 'https://school/login/oauth2/token',
      token_audience: null,
      jwks_url: 'https://sso.canvaslms.com/api/lti/security/jwks',
      public_jwks: null,
      created_at: 1,
      updated_at: 2,
    };
    const input = toPlatformInput(formFromPlatform(p), canvas);
    expect(input).toMatchObject({ id: 'p1', name: 'Canvas — school', issuer: p.issuer, client_id: '1000', deployment_ids: ['5:a', '5:b'], token_endpoint: p.token_endpoint, jwks_url: p.jwks_url, public_key: '' });
  });
});

describe('formProblems / parseDeploymentIds', () => {
  it('asks for the site only while a template still needs it', () => {
    expect(formProblems({ ...newForm(canvas), clientId: 'x' }, canvas).site).toMatch(/Canvas host/);
    expect(formProblems({ ...newForm(canvas), clientId: 'x', site: 's.edu' }, canvas)).toEqual({});
    expect(formProblems(newForm(canvas), canvas).client_id).toBeTruthy();
  });
  it('asks a custom platform for issuer, auth endpoint and a key source', () => {
    const p = formProblems({ ...newForm(null), clientId: 'x' }, null);
    expect(Object.keys(p).sort()).toEqual(['auth_endpoint', 'issuer', 'jwks_url']);
    expect(formProblems({ ...newForm(null), clientId: 'x', keySource: 'paste' }, null).public_key).toBeTruthy();
  });
  it('splits deployment ids on commas and lines', () => {
    expect(parseDeploymentIds(' 1 ,2\n3\r\n, ,2')).toEqual(['1', '2', '3']);
    expect(parseDeploymentIds('')).toEqual([]);
  });
});

import { consumerKeyProblem, keyProblem, PRIVATE_KEY_WARNING, typedProblems, urlProblem } from './form';

describe('the platform form as you type', () => {
  it('names what is wrong with a URL, a pasted key and an over-long id', () => {
    expect(urlProblem('https://lms.example', 'The issuer')).toBeNull();
    expect(urlProblem('lms.example', 'The issuer')).toMatch(/must be a URL/);
    expect(urlProblem('ftp://lms.example/jwks', 'The JWKS URL')).toBe('The JWKS URL must be an https URL, not ftp:');
    expect(keyProblem('-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----')).toBe(PRIVATE_KEY_WARNING);
    expect(keyProblem('{"kty":"RSA","n":"x","e":"AQAB","d":"secret"}')).toBe(PRIVATE_KEY_WARNING);
    expect(keyProblem('{"keys":[{"kty":"RSA","n":"x","e":"AQAB","qi":"s"}]}')).toBe(PRIVATE_KEY_WARNING);
    expect(keyProblem('{"kty":"RSA","n":"x","e":"AQAB"}')).toBeNull();
    expect(keyProblem('{nope')).toMatch(/copied whole/);
    const form = { ...newForm(null), clientId: 'c', deployments: 'd'.repeat(300), endpoints: { ...newForm(null).endpoints, issuer: 'nope' } };
    const p = typedProblems(form, null);
    expect(p.deployments).toMatch(/at most 255 characters.*300/);
    expect(p.issuer).toMatch(/must be a URL/);
    expect(p.client_id).toBeUndefined();
    expect(typedProblems({ ...form, clientId: 'c'.repeat(256) }, null).client_id).toMatch(/256 characters; at most 255/);
    // Required fields wait for Save: an empty form has nothing to say yet.
    expect(typedProblems(newForm(null), null)).toEqual({});
  });
});

describe('LTI 1.1 consumer keys', () => {
  it('are required, at most 255 characters, without control characters', () => {
    expect(consumerKeyProblem('')).toBe('Required.');
    expect(consumerKeyProblem('  ')).toBe('Required.');
    expect(consumerKeyProblem('k'.repeat(256))).toMatch(/at most 255/);
    expect(consumerKeyProblem('a\nb')).toMatch(/control/);
    expect(consumerKeyProblem('moodle-key')).toBeUndefined();
  });
});
