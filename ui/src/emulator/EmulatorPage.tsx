//! Emulator: the platform side (a small LMS). Its server's real status is shown; the LMS features
//! are described as coming rather than faked.

import { useEngineStatus } from '../app/status';
import { Badge } from '../shared/Badge';
import { CopyButton } from '../shared/CopyButton';
import { EmptyState } from '../shared/EmptyState';
import { ErrorBanner } from '../shared/ErrorBanner';
import { EmulatorIcon } from '../shared/icons';
import { Card, PageHeader } from '../shared/Page';

export function EmulatorPage() {
  const { data: status } = useEngineStatus();
  const emu = status?.emulator;
  return (
    <div className="page-scroll" data-testid="emulator-page">
      <PageHeader title="Emulator" subtitle="The platform side: a small LMS that launches into tools, over loopback, with no LMS account needed." />
      <div className="stack">
        {emu && (
          <Card title="Emulator server">
            {emu.error ? (
              <ErrorBanner error={emu.error} title={`Not running (port ${emu.port})`} />
            ) : (
              <div className="with-copy">
                <span className="mono">{emu.base_url ?? `port ${emu.port}`}</span>
                {emu.running ? <Badge tone="green">listening</Badge> : <Badge>starting…</Badge>}
                {emu.base_url && <CopyButton value={emu.base_url} variant="ghost" title="Copy emulator URL" />}
              </div>
            )}
          </Card>
        )}
        <EmptyState title="Emulated courses and launches are coming" icon={<EmulatorIcon size={22} />}>
          <p>
            The emulator will provide a demo course, users and roles, signed resource link and deep linking launches, a
            token endpoint, roster (NRPS) and gradebook (AGS) services, and “Launch demo”: a complete OIDC flow against the
            inspector's own tool side.
          </p>
          <p>Until then its server answers “not found” to every request.</p>
        </EmptyState>
      </div>
    </div>
  );
}
