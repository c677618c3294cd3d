//! Tools: the emulator's tool registry. Each tool with its client ID, deployments, URLs, key
//! source, custom parameters and granted scopes; register, edit, delete (after an in-page
//! confirmation), or jump to launching it.

import { useState } from 'react';
import type { ApiError, CourseView, EmulatorTool } from '../bindings';
import { Badge } from '../shared/Badge';
import { CopyButton } from '../shared/CopyButton';
import { EmptyState } from '../shared/EmptyState';
import { ErrorBanner } from '../shared/ErrorBanner';
import { formatDateTime } from '../shared/format';
import { EmulatorIcon, PlusIcon } from '../shared/icons';
import { Card, Spinner } from '../shared/Page';
import { visible } from '../shared/url';
import { rpc } from '../transport';
import { toApiError } from '../transport/errors';
import { useEmulatorData } from './data';
import { emulatorHref } from './routes';
import { DynamicRegistration } from './DynamicRegistration';
import { Lti11Tools } from './Lti11Tools';
import { ToolEditor } from './ToolEditor';
import { formFromTool, newToolForm, SCOPES, scopeName } from './toolForm';

type Editing = { mode: 'new' } | { mode: 'edit'; id: string } | null;

export function ToolsView() {
  const data = useEmulatorData();
  const [editing, setEditing] = useState<Editing>(null);
  const [savedId, setSavedId] = useState<string | null>(null);
  const courses = data.courses ?? [];

  const onSaved = (t: EmulatorTool) => {
    setEditing(null);
    setSavedId(t.id);
    data.reload();
  };

  if (data.error && !data.tools) return <ErrorBanner error={data.error} title="Could not load the emulator’s tools" />;
  if (!data.tools) return <Spinner />;

  return (
    <div className="stack">
      <div className="emu-toolbar">
        <span className="muted">
          {data.tools.length} {data.tools.length === 1 ? 'tool' : 'tools'} registered
        </span>
        {editing?.mode !== 'new' && (
          <button type="button" className="btn btn-primary" onClick={() => setEditing({ mode: 'new' })} data-testid="add-tool">
            <PlusIcon size={14} /> Register a tool
          </button>
        )}
      </div>
      {editing?.mode === 'new' && (
        <Card>
          <ToolEditor initial={newToolForm()} courses={courses} onSaved={onSaved} onCancel={() => setEditing(null)} />
        </Card>
      )}
      {data.tools.length === 0 && editing === null && (
        <EmptyState title="No tools registered" icon={<EmulatorIcon size={22} />}>
          Register the tool you are testing: its login initiation URL, redirect URIs and key.
        </EmptyState>
      )}
      {data.tools.map((t) =>
        editing?.mode === 'edit' && editing.id === t.id ? (
          <Card key={t.id}>
            <ToolEditor initial={formFromTool(t)} editing={t} courses={courses} onSaved={onSaved} onCancel={() => setEditing(null)} />
          </Card>
        ) : (
          <ToolCard key={t.id} t={t} courses={courses} highlight={t.id === savedId} onEdit={() => setEditing({ mode: 'edit', id: t.id })} onDeleted={data.reload} />
        ),
      )}
      <DynamicRegistration />
      <Lti11Tools courses={courses} users={data.users ?? []} />
    </div>
  );
}

function ToolCard({ t, courses, highlight, onEdit, onDeleted }: { t: EmulatorTool; courses: CourseView[]; highlight: boolean; onEdit: () => void; onDeleted: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const pasted = t.public_jwks?.keys ?? [];
  const custom = Object.entries(t.custom);
  const links = courses.reduce((n, c) => n + c.resource_links.filter((l) => l.tool_id === t.id).length, 0);
  const firstCourse = courses.find((c) => c.resource_links.some((l) => l.tool_id === t.id)) ?? courses[0];

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await rpc('delete_emulator_tool', { id: t.id });
      onDeleted();
    } catch (e) {
      setError(toApiError(e));
      setBusy(false);
    }
  };

  return (
    <Card
      testId="tool-card"
      title={
        <span className="key-title" data-id={t.id}>
          {t.name}
          {t.demo && <Badge tone="accent">demo</Badge>}
          {highlight && <Badge tone="green">saved</Badge>}
        </span>
      }
      description={`Updated ${formatDateTime(t.updated_at)} · ${links} ${links === 1 ? 'link' : 'links'} in courses`}
      actions={
        confirming ? (
          <span className="confirm" data-testid="tool-delete-confirm">
            <span>{t.demo ? 'Delete the demo tool? “Launch demo” needs it.' : `Delete, with its ${links} links and their line items?`}</span>
            <button type="button" className="btn btn-sm btn-danger" onClick={remove} disabled={busy} data-testid="tool-delete-yes">
              {busy ? 'Deleting…' : 'Delete'}
            </button>
            <button type="button" className="btn btn-sm" onClick={() => setConfirming(false)} disabled={busy}>
              Cancel
            </button>
          </span>
        ) : (
          <span className="card-actions-row">
            <a className="btn btn-sm" href={emulatorHref('launch', firstCourse?.course.id, t.id)} data-testid="tool-launch">
              Launch…
            </a>
            <button type="button" className="btn btn-sm" onClick={onEdit} data-testid="tool-edit">
              Edit
            </button>
            <button type="button" className="btn btn-sm btn-ghost-danger" onClick={() => setConfirming(true)} data-testid="tool-delete">
              Delete
            </button>
          </span>
        )
      }
    >
      {error && <ErrorBanner error={error} title="Could not delete" />}
      <dl className="meta-grid">
        <CopyRow label="Client ID" value={t.client_id} />
        <dt>Deployment IDs</dt>
        <dd className="mono">{t.deployment_ids.join(', ') || <span className="muted">none</span>}</dd>
        <CopyRow label="Login initiation URL" value={t.login_url} />
        <dt>Redirect URIs</dt>
        <dd>
          {t.redirect_uris.map((u) => (
            <div key={u} className="mono wrap-any">
              {visible(u)}
            </div>
          ))}
        </dd>
        <CopyRow label="Target link URI" value={t.target_link_uri} />
        {t.deep_link_url ? <CopyRow label="Deep linking URL" value={t.deep_link_url} /> : null}
        <dt>Tool key</dt>
        <dd>
          {pasted.length > 0 ? (
            <span>
              <Badge tone="green">pasted key</Badge> <span className="mono">{pasted.map((k) => k.kid ?? '(no kid)').join(', ')}</span>
              {t.jwks_url && <span className="muted small"> · the JWKS URL {visible(t.jwks_url)} is not used while a key is pasted</span>}
            </span>
          ) : t.jwks_url ? (
            <span className="with-copy">
              <Badge tone="blue">URL</Badge>
              <span className="mono wrap-any">{visible(t.jwks_url)}</span>
              <CopyButton value={t.jwks_url} variant="ghost" title="Copy JWKS URL" />
            </span>
          ) : (
            <span>
              <Badge tone="amber">none</Badge> <span className="muted">launches work; the tool’s service token requests and deep linking responses cannot be verified</span>
            </span>
          )}
        </dd>
        <dt>Granted scopes</dt>
        <dd className="badge-list" data-testid="tool-scopes">
          {t.scopes.length === 0 ? (
            <span className="muted">none (no AGS or NRPS)</span>
          ) : (
            t.scopes.map((s) => (
              <Badge key={s} tone={s.includes('nrps') ? 'teal' : 'blue'} title={SCOPES.find((x) => x.uri === s)?.label ?? s}>
                {s.includes('nrps') ? 'NRPS ' : 'AGS '}
                {scopeName(s)}
              </Badge>
            ))
          )}
        </dd>
        <dt>Custom parameters</dt>
        <dd>
          {custom.length === 0 ? (
            <span className="muted">none</span>
          ) : (
            <table className="table table-compact kv-table custom-table" data-testid="tool-custom-params">
              <tbody>
                {custom.map(([k, v]) => (
                  <tr key={k}>
                    <td className="mono kv-name">{k}</td>
                    <td className="mono kv-val">{v}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </dd>
      </dl>
    </Card>
  );
}

function CopyRow({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd className="with-copy">
        <span className="mono wrap-any">{visible(value)}</span>
        <CopyButton value={value} variant="ghost" title={`Copy ${label}`} />
      </dd>
    </>
  );
}
