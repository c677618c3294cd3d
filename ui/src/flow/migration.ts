//! The same user under LTI 1.1 and 1.3: what a 1.3 launch's lti1p1 migration claim says, beside
//! the 1.3 identity, and whether its oauth_consumer_key_sign verified.

import type { FlowDetail } from '../bindings';

export const LTI1P1 = 'https://purl.imsglobal.org/spec/lti/claim/lti1p1';

export interface Identities {
  lti13: { sub: string | null; name: string | null; issuer: string | null; deployment: string | null; resourceLink: string | null; context: string | null };
  lti11: { userId: string | null; consumerKey: string | null; resourceLink: string | null; context: string | null };
  /** pass: verified with the registered 1.1 secret; fail: did not; skipped: no secret known. */
  sign: 'pass' | 'fail' | 'skipped' | 'absent';
  signMessage: string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const member = (v: unknown, k: string): string | null => (v && typeof v === 'object' ? str((v as Record<string, unknown>)[k]) : null);

export function identitiesOf(detail: FlowDetail): Identities | null {
  const m = [...detail.messages].reverse().find((x) => x.message.kind === 'id_token' && x.decoded?.payload[LTI1P1] !== undefined);
  if (!m?.decoded) return null;
  const p = m.decoded.payload;
  const claim = p[LTI1P1];
  const finding = m.message.report.findings.find((f) => f.rule_id === 'lti.lti1p1');
  const lti = (k: string) => p[`https://purl.imsglobal.org/spec/lti/claim/${k}`];
  return {
    lti13: {
      sub: str(p.sub),
      name: str(p.name),
      issuer: str(p.iss),
      deployment: str(lti('deployment_id')),
      resourceLink: member(lti('resource_link'), 'id'),
      context: member(lti('context'), 'id'),
    },
    lti11: {
      userId: member(claim, 'user_id'),
      consumerKey: member(claim, 'oauth_consumer_key'),
      resourceLink: member(claim, 'resource_link_id'),
      context: member(claim, 'context_id'),
    },
    sign: member(claim, 'oauth_consumer_key_sign') === null ? 'absent' : ((finding?.outcome ?? 'skipped') as Identities['sign']),
    signMessage: finding?.message ?? null,
  };
}
