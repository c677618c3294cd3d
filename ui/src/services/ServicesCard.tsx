//! The Services section of a launch flow whose id_token carries the AGS endpoint and/or NRPS
//! claim: call the platform's services with the launch's grants (the engine takes the token with
//! a signed client assertion, cached) — Roster (NRPS) and Gradebook (AGS). Every call's exchanges
//! join the flow (and the sequence above); each result shows them and the response findings.
//! The roster fetched here feeds the score form's user picker and the gradebook grid.

import { useCallback, useMemo, useRef, useState } from 'react';
import type { FlowDetail, JsonValue, Roster } from '../bindings';
import { Badge } from '../shared/Badge';
import { Card } from '../shared/Page';
import { GradebookPanel } from './GradebookPanel';
import { flowMark, serviceClaims, servicesBlocked } from './model';
import { RosterPanel } from './RosterPanel';
import './services.css';

const RL_CLAIM = 'https://purl.imsglobal.org/spec/lti/claim/resource_link';

function launchRlid(detail: FlowDetail): string | null {
  const tok = [...detail.messages].reverse().find((m) => m.message.kind === 'id_token' && m.decoded);
  const rl: JsonValue | undefined = tok?.decoded?.payload[RL_CLAIM];
  const id = rl && typeof rl === 'object' && !Array.isArray(rl) ? rl.id : undefined;
  return typeof id === 'string' ? id : null;
}

/** Whether the flow's launch granted any service (the section is shown only then). */
export function hasServices(detail: FlowDetail): boolean {
  const c = serviceClaims(detail);
  return detail.flow.side === 'tool' && (c.ags !== null || c.nrps !== null);
}

export function ServicesCard({ detail }: { detail: FlowDetail }) {
  const claims = useMemo(() => serviceClaims(detail), [detail]);
  const rlid = useMemo(() => launchRlid(detail), [detail]);
  const [tab, setTab] = useState<'roster' | 'gradebook'>(claims.nrps ? 'roster' : 'gradebook');
  const [roster, setRoster] = useState<Roster | null>(null);
  const flowId = detail.flow.id;
  const latest = useRef(detail);
  latest.current = detail;
  const mark = useCallback(() => flowMark(latest.current), []);
  const blocked = useMemo(() => servicesBlocked(detail), [detail]);
  if (blocked) {
    return (
      <Card title="Services" description="The roster (NRPS) and the gradebook (AGS) of this launch." testId="services-card">
        <p className="muted svc-blocked" data-testid="services-blocked">
          <Badge tone="red">disabled</Badge> {blocked}
        </p>
      </Card>
    );
  }
  return (
    <Card
      title="Services"
      description="Call the platform’s services with what this launch granted: the roster (NRPS) and the gradebook (AGS). The engine requests the access token (client_credentials, signed assertion, cached); every request joins this flow."
      testId="services-card"
    >
      <div className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'roster'} className={tab === 'roster' ? 'active' : ''} onClick={() => setTab('roster')} data-testid="services-tab-roster">
          Roster (NRPS) {roster && <span className="tab-count">{roster.members.length}</span>}
          {!claims.nrps && <Badge tone="amber">not granted</Badge>}
        </button>
        <button type="button" role="tab" aria-selected={tab === 'gradebook'} className={tab === 'gradebook' ? 'active' : ''} onClick={() => setTab('gradebook')} data-testid="services-tab-gradebook">
          Gradebook (AGS)
          {!claims.ags && <Badge tone="amber">not granted</Badge>}
        </button>
      </div>
      {/* Both stay mounted: switching tabs keeps what was fetched. */}
      <div hidden={tab !== 'roster'}>
        {claims.nrps ? (
          <RosterPanel flowId={flowId} roster={roster} onRoster={setRoster} defaultRlid={rlid} detail={detail} mark={mark} />
        ) : (
          <p className="muted svc-panel">The launch has no names and role service claim: the platform did not grant NRPS to this tool.</p>
        )}
      </div>
      <div hidden={tab !== 'gradebook'}>
        {claims.ags ? (
          <GradebookPanel flowId={flowId} ags={claims.ags} roster={roster} defaultRlid={rlid} detail={detail} mark={mark} />
        ) : (
          <p className="muted svc-panel">The launch has no AGS endpoint claim: the platform did not grant grade services to this tool.</p>
        )}
      </div>
    </Card>
  );
}
