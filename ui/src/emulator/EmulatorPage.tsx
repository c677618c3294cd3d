//! Emulator: the platform side (a small LMS). A placeholder until the emulator lands; it states
//! what is coming rather than showing made-up data.

import { EmptyState } from '../shared/EmptyState';
import { EmulatorIcon } from '../shared/icons';
import { PageHeader } from '../shared/Page';

export function EmulatorPage() {
  return (
    <div className="page-scroll" data-testid="emulator-page">
      <PageHeader title="Emulator" subtitle="The platform side: a small LMS that launches into tools, over loopback, with no LMS account needed." />
      <EmptyState title="The platform emulator is not built yet" icon={<EmulatorIcon size={22} />}>
        <p>
          It will provide a demo course, users and roles, signed resource link and deep linking launches, a token
          endpoint, roster (NRPS) and gradebook (AGS) services, and “Launch demo”: a complete OIDC flow against the
          inspector's own tool side.
        </p>
        <p>It will listen on its own port (<code>--emulator-port</code>, default 4472), separate from the tool side.</p>
      </EmptyState>
    </div>
  );
}
