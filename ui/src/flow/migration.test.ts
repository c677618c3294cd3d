import { describe, expect, it } from 'vitest';
import type { FlowDetail, MessageView } from '../bindings';
import { identitiesOf, LTI1P1 } from './migration';

const C = 'https://purl.imsglobal.org/spec/lti/claim/';
const msg = (payload: Record<string, unknown>, outcome: string | null): MessageView =>
  ({
    id: 1,
    message: { kind: 'id_token', report: { findings: outcome ? [{ rule_id: 'lti.lti1p1', outcome, message: 'why' }] : [] } },
    decoded: { payload },
    claims: [],
    roles: [],
  }) as unknown as MessageView;
const detail = (messages: MessageView[]) => ({ messages }) as unknown as FlowDetail;

describe('identitiesOf', () => {
  it('puts the 1.1 and 1.3 ids side by side with the sign check', () => {
    const ids = identitiesOf(
      detail([msg({ sub: 's13', iss: 'https://lms', [`${C}resource_link`]: { id: 'rl13' }, [LTI1P1]: { user_id: 'u11', oauth_consumer_key: 'k', oauth_consumer_key_sign: 'x', resource_link_id: 'rl11' } }, 'pass')]),
    )!;
    expect(ids.lti13).toMatchObject({ sub: 's13', issuer: 'https://lms', resourceLink: 'rl13' });
    expect(ids.lti11).toMatchObject({ userId: 'u11', consumerKey: 'k', resourceLink: 'rl11', context: null });
    expect(ids.sign).toBe('pass');
  });
  it('is absent without the claim, and says when no sign was sent', () => {
    expect(identitiesOf(detail([msg({ sub: 's' }, null)]))).toBeNull();
    expect(identitiesOf(detail([msg({ sub: 's', [LTI1P1]: { user_id: 'u' } }, 'pass')]))!.sign).toBe('absent');
  });
});
