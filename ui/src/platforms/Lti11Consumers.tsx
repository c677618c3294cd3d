//! LTI 1.1 consumers: the consumer keys and shared secrets the tool side verifies 1.1 launches
//! with. The secret goes to the OS keychain; the list only says whether one is stored.

import { useState, type FormEvent } from 'react';
import type { ApiError, Lti11Consumer } from '../bindings';
import { Badge } from '../shared/Badge';
import { ConfirmButton } from '../shared/ConfirmButton';
import { CopyButton } from '../shared/CopyButton';
import { ErrorBanner } from '../shared/ErrorBanner';
import { formatDateTime } from '../shared/format';
import { Card } from '../shared/Page';
import { useReloadOnModel, useRpc } from '../shared/useRpc';
import { rpc } from '../transport';
import { toApiError } from '../transport/errors';
import { consumerKeyProblem } from './form';

const KINDS = ['lti11_consumer'] as const;

export function Lti11Consumers() {
  const { data: consumers, error, reload } = useRpc('list_lti11_consumers', {});
  const { data: setup } = useRpc('get_tool_setup', {});
  useReloadOnModel(KINDS, reload);
  const [key, setKey] = useState('');
  const [name, setName] = useState('');
  const [secret, setSecret] = useState('');
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<ApiError | null>(null);
  const launchUrl = setup?.base_url ? `${setup.base_url}/lti11/launch` : null;
  const keyProblem = key === '' ? undefined : consumerKeyProblem(key);
  const existing = consumers?.find((c) => c.consumer_key === key.trim());

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (consumerKeyProblem(key)) return;
    setSaving(true);
    setSaveError(null);
    try {
      await rpc('save_lti11_consumer', { consumer_key: key.trim(), name, secret: secret || null });
      setKey('');
      setName('');
      setSecret('');
      reload();
    } catch (err) {
      setSaveError(toApiError(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Card
      testId="lti11-consumers"
      title="LTI 1.1 consumers"
      description="LMSs that launch LTI 1.1 tools sign each launch with a consumer key and shared secret. Register them here to verify those launches; the secret is kept in the OS keychain."
    >
      {launchUrl && (
        <p className="with-copy small">
          Launch URL to enter in the LMS: <span className="mono" data-testid="lti11-launch-url">{launchUrl}</span>
          <CopyButton value={launchUrl} variant="ghost" title="Copy the LTI 1.1 launch URL" />
        </p>
      )}
      {error && <ErrorBanner error={error} title="Could not list LTI 1.1 consumers" />}
      {consumers && consumers.length > 0 && (
        <table className="table compact" data-testid="lti11-consumer-list">
          <thead>
            <tr>
              <th>Name</th>
              <th>Consumer key</th>
              <th>Secret</th>
              <th>Updated</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {consumers.map((c) => (
              <ConsumerRow key={c.consumer_key} c={c} onChanged={reload} onEdit={() => { setKey(c.consumer_key); setName(c.name); }} />
            ))}
          </tbody>
        </table>
      )}
      <form className="form-grid" onSubmit={submit} noValidate data-testid="lti11-consumer-form">
        <label className={`field ${keyProblem ? 'has-error' : ''}`}>
          <span className="field-label">
            Consumer key<span className="req"> *</span>
          </span>
          <input className="input mono" value={key} onChange={(e) => setKey(e.target.value)} spellCheck={false} data-testid="lti11-key" />
          {keyProblem ? <span className="field-error">{keyProblem}</span> : <span className="field-help">oauth_consumer_key, as the LMS's tool settings show it.</span>}
        </label>
        <label className="field">
          <span className="field-label">Name</span>
          <input className="input" value={name} onChange={(e) => setName(e.target.value)} placeholder="Moodle 4.3 (test site)" data-testid="lti11-name" />
        </label>
        <label className="field">
          <span className="field-label">Shared secret</span>
          <input className="input mono" type="password" autoComplete="off" value={secret} onChange={(e) => setSecret(e.target.value)} data-testid="lti11-secret" />
          <span className="field-help">{existing?.has_secret ? 'Leave empty to keep the stored secret.' : 'Without it, launches are recorded but cannot be verified.'}</span>
        </label>
        <div className="editor-actions">
          <button type="submit" className="btn btn-primary" disabled={saving || !!keyProblem || key.trim() === ''} data-testid="lti11-save">
            {saving ? 'Saving…' : existing ? 'Save changes' : 'Add consumer'}
          </button>
        </div>
      </form>
      {saveError && <ErrorBanner error={saveError} title="Could not save the consumer" />}
    </Card>
  );
}

function ConsumerRow({ c, onChanged, onEdit }: { c: Lti11Consumer; onChanged: () => void; onEdit: () => void }) {
  const [error, setError] = useState<ApiError | null>(null);
  const remove = async () => {
    try {
      await rpc('delete_lti11_consumer', { consumer_key: c.consumer_key });
      onChanged();
    } catch (e) {
      setError(toApiError(e));
    }
  };
  return (
    <tr data-testid="lti11-consumer" data-key={c.consumer_key}>
      <td>{c.name}</td>
      <td className="mono">{c.consumer_key}</td>
      <td>{c.has_secret ? <Badge tone="green">in keychain</Badge> : <Badge tone="amber">none: cannot verify</Badge>}</td>
      <td className="small muted">{formatDateTime(c.updated_at)}</td>
      <td className="nowrap">
        <button type="button" className="btn btn-sm" onClick={onEdit}>
          Edit
        </button>{' '}
        <ConfirmButton label="Delete" question="Delete this consumer and its secret?" onConfirm={remove} testId="lti11-delete" />
        {error && <ErrorBanner error={error} title="Could not delete" />}
      </td>
    </tr>
  );
}
