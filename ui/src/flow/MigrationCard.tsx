//! A 1.3 launch that carries the LTI 1.1 migration claim: the user's 1.1 and 1.3 identities side
//! by side, and whether the platform proved it holds the 1.1 secret.

import type { FlowDetail } from '../bindings';
import { Badge } from '../shared/Badge';
import { Card } from '../shared/Page';
import { identitiesOf } from './migration';

export function MigrationCard({ detail }: { detail: FlowDetail }) {
  const ids = identitiesOf(detail);
  if (!ids) return null;
  const row = (label: string, a: string | null, b: string | null) => (
    <tr>
      <td className="muted">{label}</td>
      <td className="mono wrap-any">{a ?? '—'}</td>
      <td className="mono wrap-any">{b ?? '—'}</td>
    </tr>
  );
  const tone = ids.sign === 'pass' ? 'green' : ids.sign === 'fail' ? 'red' : 'amber';
  const label = ids.sign === 'pass' ? 'signature verified' : ids.sign === 'fail' ? 'signature does not verify' : ids.sign === 'absent' ? 'no oauth_consumer_key_sign' : 'not checked';
  return (
    <Card title="LTI 1.1 → 1.3 migration" description="The same user and link as the LTI 1.1 tool knew them (the lti1p1 claim), beside their LTI 1.3 identity." testId="migration-card">
      <p>
        <Badge tone={tone}>{label}</Badge> {ids.signMessage}
      </p>
      <table className="table compact" data-testid="migration-identities">
        <thead>
          <tr>
            <th />
            <th>LTI 1.3</th>
            <th>LTI 1.1</th>
          </tr>
        </thead>
        <tbody>
          {row('User', ids.lti13.sub, ids.lti11.userId)}
          {row('Platform', ids.lti13.issuer, ids.lti11.consumerKey ? `consumer key ${ids.lti11.consumerKey}` : null)}
          {row('Resource link', ids.lti13.resourceLink, ids.lti11.resourceLink)}
          {row('Context', ids.lti13.context, ids.lti11.context)}
          {row('Deployment', ids.lti13.deployment, null)}
        </tbody>
      </table>
    </Card>
  );
}
