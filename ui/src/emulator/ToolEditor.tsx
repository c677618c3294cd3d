//! Registering a tool in the emulator, or editing one: what an LMS admin enters for an LTI 1.3
//! tool — login initiation URL, redirect URIs (matched exactly), target link URI, deep linking
//! URL, the tool's key (JWKS URL or pasted JWK / JWKS / PEM), custom parameters with
//! substitution variables, granted scopes and a deployment. Engine errors show in the form.

import { useState } from 'react';
import type { ApiError, CourseView, EmulatorTool } from '../bindings';
import { ErrorBanner } from '../shared/ErrorBanner';
import { Field } from '../shared/Field';
import { CloseIcon } from '../shared/icons';
import { rpc } from '../transport';
import { toApiError } from '../transport/errors';
import { SCOPES, toolProblems, toToolInput, type ToolForm } from './toolForm';

interface Props {
  initial: ToolForm;
  editing?: EmulatorTool;
  courses: readonly CourseView[];
  onSaved: (t: EmulatorTool) => void;
  onCancel: () => void;
}

export function ToolEditor({ initial, editing, courses, onSaved, onCancel }: Props) {
  const [form, setForm] = useState<ToolForm>(initial);
  const [tried, setTried] = useState(false);
  const [saving, setSaving] = useState(false);
  const [apiError, setApiError] = useState<ApiError | null>(null);
  const problems = tried ? toolProblems(form) : {};
  const set = (patch: Partial<ToolForm>) => setForm((f) => ({ ...f, ...patch }));
  const hasStoredKey = !!editing?.public_jwks && editing.public_jwks.keys.length > 0;
  const toggleScope = (uri: string) => setForm((f) => ({ ...f, scopes: f.scopes.includes(uri) ? f.scopes.filter((s) => s !== uri) : [...f.scopes, uri] }));

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.keys(toolProblems(form)).length > 0) return;
    setSaving(true);
    setApiError(null);
    try {
      onSaved(await rpc('save_emulator_tool', toToolInput(form)));
    } catch (err) {
      setApiError(toApiError(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="editor" onSubmit={submit} noValidate data-testid="tool-form">
      <div className="editor-head">
        <div>
          <h2 className="card-title">{editing ? `Edit ${editing.name}` : 'Register a tool'}</h2>
          <p className="card-desc">
            What an LMS administrator enters for an LTI 1.3 tool (Canvas: a developer key; Moodle: an external tool). The tool in
            turn registers the emulator with the values on the Overview.
          </p>
        </div>
        <button type="button" className="btn btn-icon btn-ghost" onClick={onCancel} aria-label="Cancel">
          <CloseIcon size={15} />
        </button>
      </div>

      <div className="form-grid">
        <Field label="Name" help="How the tool is shown in courses and flows. Empty: derived from the login URL’s host.">
          <input className="input" value={form.name} onChange={(e) => set({ name: e.target.value })} autoFocus data-testid="tool-name" />
        </Field>
        <Field label="Client ID" help={editing ? 'The client_id the tool was given.' : 'Empty: generated (the tool needs it to register the emulator).'}>
          <input className="input mono" value={form.clientId} onChange={(e) => set({ clientId: e.target.value })} spellCheck={false} data-testid="tool-client_id" />
        </Field>
        <Field label="OIDC login initiation URL" error={problems.login_url} required help="Where the emulator starts each launch (iss, login_hint, lti_message_hint…).">
          <input className="input mono" value={form.loginUrl} onChange={(e) => set({ loginUrl: e.target.value })} spellCheck={false} placeholder="https://tool.example/lti/login" data-testid="tool-login_url" />
        </Field>
        <Field label="Redirect URIs" error={problems.redirect_uris} required help="One per line. The authentication request’s redirect_uri must match one exactly.">
          <textarea className="input mono" rows={2} value={form.redirectUris} onChange={(e) => set({ redirectUris: e.target.value })} spellCheck={false} data-testid="tool-redirect_uris" />
        </Field>
        <Field label="Target link URI" error={problems.target_link_uri} help="Default target of resource link launches. Empty: the first redirect URI.">
          <input className="input mono" value={form.targetLinkUri} onChange={(e) => set({ targetLinkUri: e.target.value })} spellCheck={false} data-testid="tool-target_link_uri" />
        </Field>
        <Field label="Deep linking URL" error={problems.deep_link_url} help="Target of deep linking requests. Empty: the target link URI.">
          <input className="input mono" value={form.deepLinkUrl} onChange={(e) => set({ deepLinkUrl: e.target.value })} spellCheck={false} data-testid="tool-deep_link_url" />
        </Field>

        <div className="field field-wide">
          <span className="field-label">Tool key</span>
          <div className="segmented" role="radiogroup" aria-label="Tool key source">
            <button type="button" role="radio" aria-checked={form.keySource === 'url'} className={form.keySource === 'url' ? 'active' : ''} onClick={() => set({ keySource: 'url' })} data-testid="tool-key-url">
              JWKS URL
            </button>
            <button type="button" role="radio" aria-checked={form.keySource === 'paste'} className={form.keySource === 'paste' ? 'active' : ''} onClick={() => set({ keySource: 'paste' })} data-testid="tool-key-paste">
              Paste public key
            </button>
          </div>
          <span className="field-help">Checks the tool’s client assertions (token endpoint) and deep linking responses.</span>
        </div>
        {form.keySource === 'url' ? (
          <Field label="JWKS URL" error={problems.jwks_url} wide help="Fetched by the emulator when a tool-signed JWT arrives (needs the tool reachable from here).">
            <input className="input mono" value={form.jwksUrl} onChange={(e) => set({ jwksUrl: e.target.value })} spellCheck={false} placeholder="https://tool.example/.well-known/jwks.json" data-testid="tool-jwks_url" />
          </Field>
        ) : (
          <Field
            label="Public key"
            error={problems.public_key}
            wide
            help={hasStoredKey ? 'A key is stored; paste another to replace it, or leave empty to keep it.' : 'A JWK, a JWKS ({"keys": […]}) or a PEM. Used instead of fetching a JWKS URL.'}
          >
            <textarea
              className="input mono"
              rows={5}
              value={form.publicKey}
              onChange={(e) => set({ publicKey: e.target.value })}
              spellCheck={false}
              placeholder={'{"kty":"RSA","kid":"…","n":"…","e":"AQAB"}\nor\n-----BEGIN PUBLIC KEY-----'}
              data-testid="tool-public_key"
            />
          </Field>
        )}
        {form.keySource === 'url' && hasStoredKey && (
          <div className="field-wide note warn">Saving with the JWKS URL selected removes the pasted key stored for this tool.</div>
        )}

        <Field
          label="Custom parameters"
          error={problems.custom}
          help={
            <>
              name=value, one per line; sent in the custom claim of every launch. Values may use substitution variables:{' '}
              <code>$User.id</code>, <code>$Person.name.given</code>, <code>$Context.title</code>, <code>$ResourceLink.id</code>…
            </>
          }
        >
          <textarea className="input mono" rows={4} value={form.custom} onChange={(e) => set({ custom: e.target.value })} spellCheck={false} data-testid="tool-custom" />
        </Field>
        <Field as="div" label="Granted scopes" help="What the token endpoint grants this tool; a token request for another scope gets invalid_scope.">
          <div className="check-list" role="group" aria-label="Granted scopes">
            {SCOPES.map((s) => (
              <label key={s.uri} className="check" title={s.uri}>
                <input type="checkbox" checked={form.scopes.includes(s.uri)} onChange={() => toggleScope(s.uri)} data-testid={`scope-${s.uri.slice(s.uri.lastIndexOf('/') + 1)}`} />
                <span>{s.label}</span>
              </label>
            ))}
          </div>
        </Field>
      </div>

      <details className="advanced" open={!editing}>
        <summary>Deployment</summary>
        <div className="form-grid">
          <Field label={editing ? 'Add a deployment ID' : 'Deployment ID'} help={editing ? `Has: ${editing.deployment_ids.join(', ') || 'none'}. Empty: none added.` : 'Empty: generated.'}>
            <input className="input mono" value={form.deploymentId} onChange={(e) => set({ deploymentId: e.target.value })} spellCheck={false} data-testid="tool-deployment_id" />
          </Field>
          <Field label="Deployed in" help="A course-level deployment is used for launches in that course; otherwise the platform-wide one.">
            <select className="input" value={form.courseId} onChange={(e) => set({ courseId: e.target.value })} data-testid="tool-course">
              <option value="">Every course (platform-wide)</option>
              {courses.map((c) => (
                <option key={c.course.id} value={c.course.id}>
                  {c.course.title}
                </option>
              ))}
            </select>
          </Field>
        </div>
      </details>

      {apiError && <ErrorBanner error={apiError} title={apiError.code === 'bad_request' ? 'The tool was not saved' : undefined} testId="tool-save-error" />}
      {tried && Object.keys(problems).length > 0 && <div className="note warn">Fix the highlighted fields to save.</div>}

      <div className="editor-actions">
        <button type="submit" className="btn btn-primary" disabled={saving} data-testid="tool-save">
          {saving ? 'Saving…' : editing ? 'Save changes' : 'Register tool'}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
