//! Adding or editing a platform registration. Adding starts with a preset (Canvas, Moodle,
//! Blackboard, Brightspace…) or Custom; the form then asks only what the preset needs — the site,
//! the client ID, deployments — and shows the endpoints the preset fills (editable under
//! "Endpoints"). The platform's key is its JWKS URL or a pasted JWK, JWKS or PEM. Errors from
//! `save_platform` are shown in the form.

import { useState, type ReactNode } from 'react';
import type { ApiError, LmsProfile, Platform } from '../bindings';
import { Badge } from '../shared/Badge';
import { ErrorBanner } from '../shared/ErrorBanner';
import { CloseIcon } from '../shared/icons';
import { Spinner } from '../shared/Page';
import { useRpc } from '../shared/useRpc';
import { rpc } from '../transport';
import { toApiError } from '../transport/errors';
import {
  ENDPOINT_LABELS,
  formFromPlatform,
  formProblems,
  newForm,
  normalizeSite,
  typedProblems,
  prefilledForm,
  parseDeploymentIds,
  presetNeedsSite,
  presetValue,
  shownEndpoint,
  toPlatformInput,
  type EndpointField,
  type PlatformForm,
} from './form';

interface Props {
  /** The registration being edited; absent when adding. */
  editing?: Platform;
  /** Adding from a failed launch: issuer, client id and deployment filled in. */
  prefill?: { issuer: string; clientId: string; deploymentId: string } | null;
  onSaved: (p: Platform) => void;
  onCancel: () => void;
}

export function PlatformEditor({ editing, prefill, onSaved, onCancel }: Props) {
  const { data: presets, error } = useRpc('list_platform_presets', {});
  // undefined: still choosing; null: custom.
  const [preset, setPreset] = useState<LmsProfile | null | undefined>(editing ? undefined : undefined);

  if (error) return <ErrorBanner error={error} title="Could not load the LMS presets" />;
  if (!presets) return <Spinner />;

  if (editing) {
    const p = presets.find((x) => x.id === editing.preset) ?? null;
    return <Form key={editing.id} initial={formFromPlatform(editing)} preset={p} onSaved={onSaved} onCancel={onCancel} editing={editing} />;
  }
  if (prefill && preset === undefined) return <Form key="prefill" initial={prefilledForm(prefill)} preset={null} onSaved={onSaved} onCancel={onCancel} />;
  if (preset === undefined) return <PresetPicker presets={presets} onPick={setPreset} onCancel={onCancel} />;
  return <Form key={preset?.id ?? 'custom'} initial={newForm(preset)} preset={preset} onSaved={onSaved} onCancel={() => setPreset(undefined)} cancelLabel="Back" />;
}

function PresetPicker({ presets, onPick, onCancel }: { presets: LmsProfile[]; onPick: (p: LmsProfile | null) => void; onCancel: () => void }) {
  return (
    <div className="editor" data-testid="preset-picker">
      <div className="editor-head">
        <div>
          <h2 className="card-title">Add a platform — which LMS?</h2>
          <p className="card-desc">A preset knows the LMS&apos;s fixed endpoints and asks only for the parts specific to your institution.</p>
        </div>
        <button type="button" className="btn btn-icon btn-ghost" onClick={onCancel} aria-label="Cancel">
          <CloseIcon size={15} />
        </button>
      </div>
      <div className="preset-grid">
        {presets.map((p) => (
          <button key={p.id} type="button" className="preset-card" onClick={() => onPick(p)} data-testid={`preset-${p.id}`}>
            <span className="preset-name">{p.name}</span>
            <span className="preset-iss mono">{p.issuer}</span>
            <span className="preset-asks">{presetNeedsSite(p) ? `Asks for: ${p.site_parameter ?? 'the site'}` : 'Asks for the client ID and deployments only'}</span>
          </button>
        ))}
        <button type="button" className="preset-card preset-custom" onClick={() => onPick(null)} data-testid="preset-custom">
          <span className="preset-name">Custom</span>
          <span className="preset-iss">Any other platform</span>
          <span className="preset-asks">Enter the issuer and every endpoint yourself.</span>
        </button>
      </div>
    </div>
  );
}

type Problems = ReturnType<typeof formProblems>;

function Form({
  initial,
  preset,
  onSaved,
  onCancel,
  editing,
  cancelLabel = 'Cancel',
}: {
  initial: PlatformForm;
  preset: LmsProfile | null;
  onSaved: (p: Platform) => void;
  onCancel: () => void;
  editing?: Platform;
  cancelLabel?: string;
}) {
  const [form, setForm] = useState(initial);
  const [tried, setTried] = useState(false);
  const [saving, setSaving] = useState(false);
  const [apiError, setApiError] = useState<ApiError | null>(null);
  // Formats and limits show as you type; missing required values once Save was tried.
  const problems: Problems = tried ? formProblems(form, preset) : typedProblems(form, preset);
  const needsSite = !!preset && presetNeedsSite(preset) && !editing;
  const deployments = parseDeploymentIds(form.deployments);
  const hasStoredKey = !!editing?.public_jwks && editing.public_jwks.keys.length > 0;

  const set = (patch: Partial<PlatformForm>) => setForm((f) => ({ ...f, ...patch }));
  const setEndpoint = (f: EndpointField, value: string) =>
    setForm((s) => ({ ...s, endpoints: { ...s.endpoints, [f]: value }, touched: { ...s.touched, [f]: true } }));
  const resetEndpoint = (f: EndpointField) => setForm((s) => ({ ...s, endpoints: { ...s.endpoints, [f]: '' }, touched: { ...s.touched, [f]: false } }));

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.keys(formProblems(form, preset)).length > 0) return;
    setSaving(true);
    setApiError(null);
    try {
      onSaved(await rpc('save_platform', toPlatformInput(form, preset)));
    } catch (err) {
      setApiError(toApiError(err));
    } finally {
      setSaving(false);
    }
  };

  const endpointRow = (f: EndpointField, help?: ReactNode, required = false) => {
    const pv = preset ? presetValue(preset, f, form.site) : null;
    const value = shownEndpoint(form, preset, f);
    const fromPreset = !!preset && !form.touched[f];
    return (
      <Field
        key={f}
        label={ENDPOINT_LABELS[f]}
        error={problems[f]}
        required={required}
        help={
          <>
            {fromPreset && pv && !pv.complete ? <span>Filled from the site once you enter it. </span> : null}
            {fromPreset && pv?.complete ? <span>From the {preset?.name} preset. </span> : null}
            {preset && form.touched[f] && !editing ? (
              <button type="button" className="linklike small" onClick={() => resetEndpoint(f)}>
                Use the preset&apos;s value
              </button>
            ) : null}
            {help}
          </>
        }
      >
        <input
          className={`input mono ${fromPreset ? 'from-preset' : ''}`}
          value={value}
          placeholder={f === 'token_audience' ? 'the token endpoint (default)' : 'https://…'}
          onChange={(e) => setEndpoint(f, e.target.value)}
          spellCheck={false}
          data-testid={`field-${f}`}
        />
      </Field>
    );
  };

  return (
    <form className="editor" onSubmit={submit} data-testid="platform-form" noValidate>
      <div className="editor-head">
        <div>
          <h2 className="card-title">
            {editing ? `Edit ${editing.name}` : preset ? `Add ${preset.name}` : 'Add a custom platform'}
            {preset && <Badge tone="accent">{preset.id}</Badge>}
          </h2>
          <p className="card-desc">
            {preset
              ? 'Only the values that differ between institutions are asked; the preset fills the rest.'
              : 'Copy each value from the platform’s tool registration (the LMS shows them after you add the tool).'}
          </p>
        </div>
        <button type="button" className="btn btn-icon btn-ghost" onClick={onCancel} aria-label="Cancel">
          <CloseIcon size={15} />
        </button>
      </div>

      {preset && preset.notes.length > 0 && (
        <div className="preset-notes">
          <div className="preset-notes-title">About {preset.name}</div>
          <ul>
            {preset.notes.map((n, i) => (
              <li key={i}>{n}</li>
            ))}
          </ul>
        </div>
      )}

      <div className="form-grid">
        {needsSite && (
          <Field label="Site" error={problems.site} help={preset?.site_parameter ?? undefined} required>
            <input className="input mono" value={form.site} onChange={(e) => set({ site: e.target.value })} placeholder="school.example.edu" spellCheck={false} autoFocus data-testid="field-site" />
          </Field>
        )}
        {!preset && endpointRow('issuer', <span>The exact `iss` of the platform&apos;s id_tokens.</span>, true)}
        {!preset && endpointRow('auth_endpoint', <span>Where the browser is sent after login initiation.</span>, true)}
        <Field label="Client ID" error={problems.client_id} help="The id the platform assigned to this tool (Canvas: the developer key id)." required>
          <input className="input mono" value={form.clientId} onChange={(e) => set({ clientId: e.target.value })} spellCheck={false} autoFocus={!needsSite} data-testid="field-client_id" />
        </Field>
        <Field
          label="Deployment IDs"
          error={problems.deployments}
          help={
            deployments.length > 0
              ? `${deployments.length} deployment${deployments.length === 1 ? '' : 's'}. Launches with another deployment_id fail lti.deployment_known.`
              : 'Comma or line separated. Empty: accept any deployment and report the one each launch uses.'
          }
        >
          <textarea className="input mono" rows={2} value={form.deployments} onChange={(e) => set({ deployments: e.target.value })} spellCheck={false} data-testid="field-deployments" />
        </Field>
        <Field label="Name" help="How the platform is shown in flows. Empty: derived from the preset and site, or the issuer.">
          <input className="input" value={form.name} onChange={(e) => set({ name: e.target.value })} placeholder={preset ? `${preset.name}${normalizeSite(form.site) ? ` — ${normalizeSite(form.site)}` : ''}` : 'My LMS'} data-testid="field-name" />
        </Field>

        <div className="field field-wide">
          <span className="field-label">Platform key</span>
          <div className="segmented" role="radiogroup" aria-label="Platform key source">
            <button type="button" role="radio" aria-checked={form.keySource === 'url'} className={form.keySource === 'url' ? 'active' : ''} onClick={() => set({ keySource: 'url' })} data-testid="key-url">
              JWKS URL
            </button>
            <button type="button" role="radio" aria-checked={form.keySource === 'paste'} className={form.keySource === 'paste' ? 'active' : ''} onClick={() => set({ keySource: 'paste' })} data-testid="key-paste">
              Paste public key
            </button>
          </div>
        </div>
        {form.keySource === 'url' ? (
          <>
            {endpointRow('jwks_url', <span>The inspector fetches it to check signatures (cached; re-fetched when a new kid appears).</span>, !preset)}
            {hasStoredKey && (
              <div className="field-wide note warn">Saving with the JWKS URL selected removes the pasted key stored for this platform.</div>
            )}
          </>
        ) : (
          <Field
            label="Public key"
            error={problems.public_key}
            help={hasStoredKey ? 'A key is stored; paste another one to replace it, or leave empty to keep it.' : 'The platform’s public key as a JWK, a JWKS ({"keys": […]}) or a PEM. Used instead of fetching a JWKS URL.'}
            wide
          >
            <textarea
              className="input mono"
              rows={6}
              value={form.publicKey}
              onChange={(e) => set({ publicKey: e.target.value })}
              placeholder={'{"kty":"RSA","kid":"…","n":"…","e":"AQAB"}\nor\n-----BEGIN PUBLIC KEY-----'}
              spellCheck={false}
              data-testid="field-public_key"
            />
          </Field>
        )}
      </div>

      <details className="advanced" open={!!editing}>
        <summary>{preset ? 'Endpoints (filled by the preset — edit only if yours differ)' : 'Service endpoints (optional)'}</summary>
        <div className="form-grid">
          {preset && endpointRow('issuer')}
          {preset && endpointRow('auth_endpoint', <span>Where the browser is sent after login initiation.</span>)}
          {endpointRow('token_endpoint', <span>For service calls (AGS, NRPS) later.</span>)}
          {endpointRow('token_audience', <span>Only when the token assertion&apos;s aud is not the token endpoint (Brightspace).</span>)}
        </div>
      </details>

      {apiError && (
        <ErrorBanner error={apiError} title={apiError.code === 'bad_request' ? 'The platform was not saved' : undefined} testId="platform-save-error" />
      )}
      {tried && Object.keys(problems).length > 0 && <div className="note warn">Fix the highlighted fields to save.</div>}

      <div className="editor-actions">
        <button type="submit" className="btn btn-primary" disabled={saving} data-testid="platform-save">
          {saving ? 'Saving…' : editing ? 'Save changes' : 'Add platform'}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          {cancelLabel}
        </button>
      </div>
    </form>
  );
}

function Field({ label, help, error, required, wide, children }: { label: string; help?: ReactNode; error?: string; required?: boolean; wide?: boolean; children: ReactNode }) {
  return (
    <label className={`field ${wide ? 'field-wide' : ''} ${error ? 'has-error' : ''}`}>
      <span className="field-label">
        {label}
        {required && <span className="req"> *</span>}
      </span>
      {children}
      {error ? <span className="field-error">{error}</span> : help ? <span className="field-help">{help}</span> : null}
    </label>
  );
}
