//! Platforms: the LMS registrations the tool side trusts (issuer, client ID, deployments, keys).
//! Add one from a preset or by hand, edit it, delete it (after a confirmation). Launches from
//! unregistered platforms are still recorded; their findings say what to register.

import { useState } from 'react';
import { hrefFor } from '../app/router';
import type { ApiError, Platform } from '../bindings';
import { Badge } from '../shared/Badge';
import { CopyButton } from '../shared/CopyButton';
import { EmptyState } from '../shared/EmptyState';
import { ErrorBanner } from '../shared/ErrorBanner';
import { formatDateTime } from '../shared/format';
import { PlatformsIcon, PlusIcon } from '../shared/icons';
import { Card, PageHeader, Spinner } from '../shared/Page';
import { useReloadOnModel, useRpc } from '../shared/useRpc';
import { rpc } from '../transport';
import { toApiError } from '../transport/errors';
import { Lti11Consumers } from './Lti11Consumers';
import { PlatformEditor } from './PlatformEditor';
import { takePrefill, type PlatformPrefill } from '../flow/cause';

const PLATFORM_KINDS = ['platform'] as const;

type Editing = { mode: 'new'; prefill?: PlatformPrefill | null } | { mode: 'edit'; platform: Platform } | null;

export function PlatformsPage() {
  const { data: platforms, error, loading, reload } = useRpc('list_platforms', {});
  // Registrations saved or removed in another window, or by `lti-inspector platforms`.
  useReloadOnModel(PLATFORM_KINDS, reload);
  // A failed launch's "Register this platform" lands here with what it knew.
  const [editing, setEditing] = useState<Editing>(() => {
    const prefill = takePrefill();
    return prefill ? { mode: 'new', prefill } : null;
  });
  const [savedId, setSavedId] = useState<string | null>(null);

  const onSaved = (p: Platform) => {
    setEditing(null);
    setSavedId(p.id);
    reload();
  };

  return (
    <div className="page-scroll" data-testid="platforms-page">
      <PageHeader
        title="Platforms"
        subtitle="LMS registrations: the issuer, client ID, deployments and keys of each platform that launches into the tool. Launches are validated against them."
        actions={
          editing?.mode !== 'new' && (
            <button type="button" className="btn btn-primary" onClick={() => setEditing({ mode: 'new' })} data-testid="add-platform">
              <PlusIcon size={14} /> Add platform
            </button>
          )
        }
      />
      <div className="stack">
        {editing?.mode === 'new' && (
          <Card>
            <PlatformEditor prefill={editing.prefill} onSaved={onSaved} onCancel={() => setEditing(null)} />
          </Card>
        )}
        {error && <ErrorBanner error={error} title="Could not list platforms" />}
        {loading && !platforms && <Spinner />}
        {platforms && platforms.length === 0 && editing === null && (
          <EmptyState title="No platforms registered yet" icon={<PlatformsIcon size={22} />}>
            <p>
              Register the inspector in your LMS with the values on the <a href={hrefFor('setup')}>Setup</a> page; the LMS then
              shows the client ID (and deployment ID) to enter here.
            </p>
            <button type="button" className="btn btn-primary" onClick={() => setEditing({ mode: 'new' })}>
              <PlusIcon size={14} /> Add platform
            </button>
          </EmptyState>
        )}
        {platforms?.map((p) =>
          editing?.mode === 'edit' && editing.platform.id === p.id ? (
            <Card key={p.id}>
              <PlatformEditor editing={p} onSaved={onSaved} onCancel={() => setEditing(null)} />
            </Card>
          ) : (
            <PlatformCard key={p.id} p={p} highlight={p.id === savedId} onEdit={() => setEditing({ mode: 'edit', platform: p })} onDeleted={reload} />
          ),
        )}
        <Lti11Consumers />
      </div>
    </div>
  );
}

function PlatformCard({ p, highlight, onEdit, onDeleted }: { p: Platform; highlight: boolean; onEdit: () => void; onDeleted: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const pasted = p.public_jwks?.keys ?? [];

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await rpc('delete_platform', { id: p.id });
      onDeleted();
    } catch (e) {
      setError(toApiError(e));
      setBusy(false);
    }
  };

  return (
    <Card
      testId="platform-card"
      title={
        <span className="key-title">
          {p.name}
          {p.preset && <Badge tone="accent">{p.preset}</Badge>}
          {highlight && <Badge tone="green">saved</Badge>}
        </span>
      }
      description={`Updated ${formatDateTime(p.updated_at)}`}
      actions={
        confirming ? (
          <span className="confirm" data-testid="delete-confirm">
            <span>Delete this registration?</span>
            <button type="button" className="btn btn-sm btn-danger" onClick={remove} disabled={busy} data-testid="delete-yes">
              {busy ? 'Deleting…' : 'Delete'}
            </button>
            <button type="button" className="btn btn-sm" onClick={() => setConfirming(false)} disabled={busy}>
              Cancel
            </button>
          </span>
        ) : (
          <span className="card-actions-row">
            <button type="button" className="btn btn-sm" onClick={onEdit} data-testid="platform-edit">
              Edit
            </button>
            <button type="button" className="btn btn-sm btn-ghost-danger" onClick={() => setConfirming(true)} data-testid="platform-delete">
              Delete
            </button>
          </span>
        )
      }
    >
      {error && <ErrorBanner error={error} title="Could not delete" />}
      <dl className="meta-grid">
        <Row label="Issuer" value={p.issuer} />
        <Row label="Client ID" value={p.client_id} />
        <dt>Deployment IDs</dt>
        <dd>
          {p.deployment_ids && p.deployment_ids.length > 0 ? (
            <span className="mono">{p.deployment_ids.join(', ')}</span>
          ) : (
            <span>
              <Badge tone="amber">any</Badge> <span className="muted">every deployment is accepted and reported</span>
            </span>
          )}
        </dd>
        <Row label="Auth endpoint" value={p.auth_endpoint} />
        {p.token_endpoint && <Row label="Token endpoint" value={p.token_endpoint} />}
        {p.token_audience && <Row label="Token audience" value={p.token_audience} />}
        <dt>JWKS source</dt>
        <dd>
          {pasted.length > 0 ? (
            <span>
              <Badge tone="green">pasted key</Badge>{' '}
              <span className="mono">{pasted.map((k) => k.kid ?? '(no kid)').join(', ')}</span>
              {p.jwks_url && <span className="muted small"> · the JWKS URL {p.jwks_url} is not used while a key is pasted</span>}
            </span>
          ) : p.jwks_url ? (
            <span className="with-copy">
              <Badge tone="blue">URL</Badge>
              <span className="mono">{p.jwks_url}</span>
              <CopyButton value={p.jwks_url} variant="ghost" title="Copy JWKS URL" />
            </span>
          ) : (
            <span>
              <Badge tone="red">none</Badge> <span className="muted">signatures cannot be checked (launches are unverified)</span>
            </span>
          )}
        </dd>
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
