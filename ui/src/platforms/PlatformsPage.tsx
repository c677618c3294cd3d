//! Platforms: the LMS registrations the tool side trusts (issuer, client ID, deployments, keys).
//! Read-only for now: registrations are listed as the engine stores them; adding and editing
//! them from this page comes next. No made-up data.

import { hrefFor } from '../app/router';
import type { Platform } from '../bindings';
import { Badge } from '../shared/Badge';
import { CopyButton } from '../shared/CopyButton';
import { EmptyState } from '../shared/EmptyState';
import { ErrorBanner } from '../shared/ErrorBanner';
import { formatDateTime } from '../shared/format';
import { PlatformsIcon } from '../shared/icons';
import { Card, PageHeader, Spinner } from '../shared/Page';
import { useRpc } from '../shared/useRpc';

export function PlatformsPage() {
  const { data: platforms, error, loading } = useRpc('list_platforms', {});

  return (
    <div className="page-scroll" data-testid="platforms-page">
      <PageHeader
        title="Platforms"
        subtitle="LMS registrations: the issuer, client ID, deployments and keys of each platform that launches into the tool. Launches are validated against them."
      />
      <div className="stack">
        <ErrorBanner tone="info" title="Adding and editing registrations here is coming">
          Platform registrations arrive with the capture work: this page lists what the engine has stored; a form with
          LMS presets (Canvas, Moodle, Blackboard, Brightspace…) follows. Launches from unregistered platforms are still
          recorded in the <a href={hrefFor('timeline')}>Timeline</a>, each problem reported as a finding.
        </ErrorBanner>
        {error && <ErrorBanner error={error} title="Could not list platforms" />}
        {loading && !platforms && <Spinner />}
        {platforms && platforms.length === 0 && (
          <EmptyState title="No platforms registered yet" icon={<PlatformsIcon size={22} />}>
            Register the inspector in your LMS with the values on the <a href={hrefFor('setup')}>Setup</a> page; the
            LMS gives you the issuer and client ID to register here.
          </EmptyState>
        )}
        {platforms?.map((p) => <PlatformCard key={p.id} p={p} />)}
      </div>
    </div>
  );
}

function PlatformCard({ p }: { p: Platform }) {
  const rows: Array<[string, string | null | undefined]> = [
    ['Issuer', p.issuer],
    ['Client ID', p.client_id],
    ['Deployment IDs', p.deployment_ids ? (p.deployment_ids.length ? p.deployment_ids.join(', ') : 'none') : 'any (reported)'],
    ['Authorization endpoint', p.auth_endpoint],
    ['Token endpoint', p.token_endpoint],
    ['Token audience', p.token_audience],
    ['JWKS URL', p.jwks_url],
  ];
  return (
    <Card
      testId="platform-card"
      title={
        <span className="key-title">
          {p.name}
          {p.preset && <Badge tone="accent">{p.preset}</Badge>}
          {p.public_jwks && <Badge tone="green">pasted key</Badge>}
        </span>
      }
      description={`Updated ${formatDateTime(p.updated_at)}`}
    >
      <dl className="meta-grid">
        {rows
          .filter(([, v]) => v)
          .map(([k, v]) => (
            <Row key={k} label={k} value={v ?? ''} />
          ))}
      </dl>
    </Card>
  );
}

function Row({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd className="with-copy">
        <span className="mono">{value}</span>
        <CopyButton value={value} variant="ghost" title={`Copy ${label}`} />
      </dd>
    </>
  );
}
