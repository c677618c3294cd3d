//! Roster (NRPS): fetch the launch context's membership — every page followed — with the role and
//! resource link (rlid) filters; the members as a table (status, role badges, names, email,
//! picture, user id); the pages fetched, the differences link (fetchable), and the raw pages one
//! click away. With rlid, each member's message claims for that link (as text). A picture is an <img> only for an http(s) URL (no referrer); anything else is text.

import { useState, type FormEvent } from 'react';
import type { ApiError, FlowDetail, Member, RoleBadge, RoleKind, Roster } from '../bindings';
import { StatusBadge } from '../emulator/RoleBadgeList';
import { Badge, type Tone } from '../shared/Badge';
import { isWebUrl } from '../shared/ExternalLink';
import { Field } from '../shared/Field';
import { visible } from '../shared/url';
import { rpc } from '../transport';
import { toApiError } from '../transport/errors';
import { CallLogView, FailedCall } from './CallLogView';
import type { FlowMark } from './model';

/** NRPS §2.3: the role filter takes a full URI or a simple context role name. */
const ROLE_FILTERS = ['', 'Learner', 'Instructor', 'TeachingAssistant', 'ContentDeveloper', 'Mentor', 'Administrator'];

const KIND_TONE: Record<RoleKind, Tone> = { context: 'blue', institution: 'violet', system: 'teal', lti_system: 'teal', unknown: 'amber' };

export function RosterPanel({ flowId, roster, onRoster, defaultRlid, detail, mark }: { flowId: string; roster: Roster | null; onRoster: (r: Roster) => void; defaultRlid: string | null; detail: FlowDetail; mark: () => FlowMark }) {
  const [role, setRole] = useState('');
  const [rlid, setRlid] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ error: ApiError; since: FlowMark } | null>(null);
  const [fetchedDiff, setFetchedDiff] = useState(false);

  const fetchRoster = (url?: string) => {
    setBusy(true);
    setError(null);
    const since = mark();
    rpc('get_roster', url ? { flow_id: flowId, url } : { flow_id: flowId, role: role || null, rlid: rlid.trim() || null }).then(
      (r) => {
        setFetchedDiff(!!url);
        onRoster(r);
      },
      (e: unknown) => setError({ error: toApiError(e), since }),
    ).finally(() => setBusy(false));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    fetchRoster();
  };

  const pages = roster ? roster.log.calls.filter((c) => !/token/i.test(c.step)).length : 0;
  const tokens = roster ? roster.log.calls.length - pages : 0;

  return (
    <div className="svc-panel" data-testid="roster-panel">
      <form className="svc-filters" onSubmit={submit}>
        <Field label="Role">
          <select className="input" value={role} onChange={(e) => setRole(e.target.value)} data-testid="roster-role">
            {ROLE_FILTERS.map((r) => (
              <option key={r} value={r}>
                {r || 'Any role'}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Resource link (rlid)" >
          <input className="input mono" value={rlid} onChange={(e) => setRlid(e.target.value)} placeholder={defaultRlid ? `this launch: ${defaultRlid}` : 'a resource link id'} title="Members who can access this resource link, with their message claims" spellCheck={false} data-testid="roster-rlid" />
        </Field>
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="roster-fetch">
          {busy ? 'Fetching…' : 'Fetch roster'}
        </button>
      </form>
      {error && <FailedCall error={error.error} since={error.since} detail={detail} title="Could not fetch the roster" testId="roster-error" />}
      {roster && (
        <>
          <div className="svc-summary" data-testid="roster-summary" data-differences={fetchedDiff ? 'yes' : 'no'}>
            <span className="strong" data-testid="roster-count">
              {roster.members.length} {roster.members.length === 1 ? 'member' : 'members'}
            </span>
            <span className="muted">
              {pages} {pages === 1 ? 'page' : 'pages'} fetched{tokens > 0 ? ` · ${tokens} token ${tokens === 1 ? 'request' : 'requests'}` : ' · cached token'}
              {fetchedDiff ? ' · differences' : ''}
            </span>
            {roster.differences_url ? (
              <span className="with-copy">
                <span className="muted">differences:</span>
                <span className="mono small wrap-any" data-testid="roster-differences">
                  {visible(roster.differences_url)}
                </span>
                <button type="button" className="btn btn-sm" disabled={busy} onClick={() => fetchRoster(roster.differences_url ?? undefined)} data-testid="roster-fetch-differences">
                  Fetch changes
                </button>
              </span>
            ) : (
              <span className="muted small">no differences link</span>
            )}
          </div>
          <RosterTable members={roster.members} />
          <CallLogView log={roster.log} title="Roster calls" rawLabel="raw pages" testId="roster-log" />
        </>
      )}
    </div>
  );
}

function RoleBadgeRow({ badges }: { badges: readonly RoleBadge[] }) {
  if (badges.length === 0) return <span className="muted small">no roles</span>;
  return (
    <span className="badge-list" data-testid="member-roles">
      {badges.map((b, i) => (
        <Badge key={`${b.uri}-${i}`} tone={b.deprecated || !b.known ? 'amber' : KIND_TONE[b.kind] ?? 'amber'} title={b.deprecation_note ? `${b.uri} — ${b.deprecation_note}` : b.uri}>
          {b.sub_role_of && !b.name.includes(b.sub_role_of) ? `${b.sub_role_of} › ` : ''}
          {b.name}
        </Badge>
      ))}
    </span>
  );
}

function Picture({ url }: { url: string | null | undefined }) {
  if (!url) return <span className="muted">—</span>;
  if (!isWebUrl(url)) {
    return (
      <span className="mono small wrap-any" title="Not an http(s) URL: not loaded">
        {visible(url)}
      </span>
    );
  }
  return <img className="svc-pic" src={url} alt="" referrerPolicy="no-referrer" loading="lazy" title={url} data-testid="member-picture" />;
}

export function RosterTable({ members }: { members: readonly Member[] }) {
  if (members.length === 0) return <p className="muted">No member matched.</p>;
  return (
    <table className="table members-table" data-testid="roster-table">
      <thead>
        <tr>
          <th>Status</th>
          <th>Roles</th>
          <th>Name</th>
          <th>Email</th>
          <th>Picture</th>
          <th>User id</th>
        </tr>
      </thead>
      <tbody>
        {members.map((m, i) => (
          <tr key={`${m.user_id}-${i}`} data-testid="roster-row" data-user={m.user_id}>
            <td>{m.status ? <StatusBadge status={m.status} /> : <span className="muted small" title="Absent: Active by default (NRPS §2.2)">—</span>}</td>
            <td>
              <RoleBadgeRow badges={m.role_badges} />
            </td>
            <td>
              <div className="strong member-long" data-testid="member-name" title={m.name ?? undefined}>
                {m.name ?? <span className="muted">(no name)</span>}
              </div>
              {(m.given_name || m.family_name) && (
                <div className="muted small member-long" title={`${m.given_name ?? '—'} · ${m.family_name ?? '—'}`}>
                  {m.given_name ?? '—'} · {m.family_name ?? '—'}
                </div>
              )}
              {m.message !== null && m.message !== undefined && (
                <details className="small" data-testid="member-message">
                  <summary className="muted">message claims (rlid)</summary>
                  <pre className="codeblock-pre wrap">{JSON.stringify(m.message, null, 2)}</pre>
                </details>
              )}
            </td>
            <td className="small wrap-any">{m.email ?? <span className="muted">—</span>}</td>
            <td>
              <Picture url={m.picture} />
            </td>
            <td className="mono small wrap-any">
              {m.user_id}
              {m.lis_person_sourcedid && <div className="muted">sis {m.lis_person_sourcedid}</div>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
