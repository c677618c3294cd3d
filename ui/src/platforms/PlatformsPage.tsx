//! Platforms: the LMS registrations the tool side trusts. A placeholder until the registration
//! store exists; it says what is coming rather than showing made-up data.

import { EmptyState } from '../shared/EmptyState';
import { PlatformsIcon } from '../shared/icons';
import { PageHeader } from '../shared/Page';
import { hrefFor } from '../app/router';

export function PlatformsPage() {
  return (
    <div className="page-scroll" data-testid="platforms-page">
      <PageHeader title="Platforms" subtitle="LMS registrations: issuer, client ID, deployment IDs and key set of each platform that launches into the tool." />
      <EmptyState title="Platform registrations arrive with the capture issue" icon={<PlatformsIcon size={22} />}>
        <p>
          When the tool side learns to handle OIDC logins and launches, each LMS you register will be listed here with
          its issuer, client ID, deployments and JWKS, and launches will be validated against it.
        </p>
        <p>
          Until then, register the inspector in your LMS with the values on the <a href={hrefFor('setup')}>Setup</a> page:
          every request it sends is already recorded in the <a href={hrefFor('timeline')}>Timeline</a>.
        </p>
      </EmptyState>
    </div>
  );
}
