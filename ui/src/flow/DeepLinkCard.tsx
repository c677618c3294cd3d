//! The deep linking composer on a captured (or imported) LtiDeepLinkingRequest flow: the
//! request's settings, content items as JSON with one-click presets of every DL 2.0 type and
//! saved templates, each item checked against the settings before anything is signed, the
//! negative switches, and two ways to deliver: from the user's browser (where the LMS session
//! lives) or posted by the inspector (the emulator, loopback platforms). The composer page in
//! the LMS frame does the same without the app.
//! Also: on an emulator flow that accepted content, the link to the course's content preview.

import { useEffect, useMemo, useState } from 'react';
import type { ApiError, Breakage, ComposeMode, ComposeOutcome, ComposerState, FlowDetail } from '../bindings';
import { Badge } from '../shared/Badge';
import { CopyButton } from '../shared/CopyButton';
import { ErrorBanner } from '../shared/ErrorBanner';
import { ExternalLink } from '../shared/ExternalLink';
import { Card } from '../shared/Page';
import { rpc } from '../transport';
import { toApiError } from '../transport/errors';
import { openLaunch } from '../transport/openLaunch';
import { verdictLabel, verdictTone } from './summary';

/** A flow the composer can answer: a deep linking request the tool side received or imported. */
export function canCompose(detail: FlowDetail): boolean {
  return detail.flow.side !== 'emulator' && detail.messages.some((m) => m.message.message_type === 'LtiDeepLinkingRequest' && m.message.raw);
}

/** The items text as a list of items (an object alone is a list of one), or why it is not. */
export function parseItems(text: string): { items: unknown[] } | { problem: string } {
  try {
    const v: unknown = JSON.parse(text);
    if (Array.isArray(v)) return { items: v };
    if (v !== null && typeof v === 'object') return { items: [v] };
    return { problem: 'Items must be a JSON array of content items.' };
  } catch (e) {
    return { problem: e instanceof Error ? e.message : String(e) };
  }
}

function show(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (Array.isArray(v)) return v.length ? v.join(', ') : '(empty)';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function DeepLinkCard({ detail }: { detail: FlowDetail }) {
  const flowId = detail.flow.id;
  const [state, setState] = useState<ComposerState | null>(null);
  const [text, setText] = useState('[]');
  const [msgs, setMsgs] = useState({ msg: '', log: '', errormsg: '', errorlog: '' });
  const [breakage, setBreakage] = useState<Breakage | ''>('');
  const [outcome, setOutcome] = useState<ComposeOutcome | null>(null);
  const [outcomeMode, setOutcomeMode] = useState<ComposeMode>('check');
  const [templateName, setTemplateName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    let live = true;
    rpc('get_dl_composer', { flow_id: flowId }).then(
      (s) => {
        if (!live) return;
        setState(s);
        setText(JSON.stringify(s.draft, null, 2));
      },
      (e: unknown) => live && setError(toApiError(e)),
    );
    return () => {
      live = false;
    };
  }, [flowId]);

  const parsed = useMemo(() => parseItems(text), [text]);

  const setItems = (items: unknown[]) => {
    setText(JSON.stringify(items, null, 2));
    setOutcome(null);
  };

  const run = async (mode: ComposeMode) => {
    if (!('items' in parsed)) return;
    setBusy(true);
    setError(null);
    const opt = (s: string) => (s.trim() ? s : null);
    try {
      const out = await rpc('compose_dl_response', {
        flow_id: flowId,
        draft: { items: parsed.items, msg: opt(msgs.msg), log: opt(msgs.log), errormsg: opt(msgs.errormsg), errorlog: opt(msgs.errorlog) },
        breakage: breakage || null,
        mode,
      });
      setOutcome(out);
      setOutcomeMode(mode);
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  const saveTemplate = async () => {
    if (!('items' in parsed) || !templateName.trim() || !state) return;
    try {
      const templates = await rpc('save_dl_template', { name: templateName, items: parsed.items });
      setState({ ...state, templates });
      setTemplateName('');
    } catch (e) {
      setError(toApiError(e));
    }
  };

  const s = state?.settings;
  const failed = outcome?.message.report.findings.filter((f) => f.outcome === 'fail') ?? [];
  const flagged = outcome?.items.filter((i) => i.findings.length > 0) ?? [];

  return (
    <Card
      title="Deep linking composer"
      description="Answer this deep linking request as a tool would: content items checked against the request's settings, signed with the inspector's tool key, recorded in this flow. Items that break the settings are flagged; you may still send them, to test the platform."
      testId="dl-composer-card"
    >
      {!state && !error && <p className="muted">Reading the request…</p>}
      {s && (
        <div className="import-body">
          <table className="table table-compact kv-table" data-testid="dl-settings">
            <tbody>
              <tr><th>Platform</th><td className="mono">{state.platform}</td></tr>
              <tr><th>Return URL</th><td className="mono">{show(s.deep_link_return_url)}</td></tr>
              <tr><th>accept_types</th><td>{show(s.accept_types)}</td></tr>
              <tr><th>accept_presentation_document_targets</th><td>{show(s.accept_presentation_document_targets)}</td></tr>
              <tr><th>accept_media_types</th><td>{show(s.accept_media_types)}</td></tr>
              <tr><th>accept_multiple</th><td>{show(s.accept_multiple)}</td></tr>
              <tr><th>accept_lineitem</th><td>{show(s.accept_lineitem)}</td></tr>
              <tr><th>auto_create</th><td>{show(s.auto_create)}</td></tr>
              <tr><th>title / text</th><td>{show(s.title)} / {show(s.text)}</td></tr>
              <tr><th>data</th><td className="mono">{show(s.data)}</td></tr>
            </tbody>
          </table>
          <div className="dl-row" data-testid="dl-presets">
            <span className="muted small">Add an item:</span>
            {state.presets.map((p) => (
              <button
                key={p.item_type}
                type="button"
                className="btn btn-sm"
                data-testid={`dl-preset-${p.item_type}`}
                onClick={() => setItems([...('items' in parsed ? parsed.items : []), p.item])}
              >
                {p.item_type}
              </button>
            ))}
            <button type="button" className="btn btn-sm" onClick={() => setItems([])} data-testid="dl-clear">
              Clear
            </button>
          </div>
          <label className="muted small" htmlFor="dl-items">
            Content items (JSON array)
          </label>
          <textarea
            id="dl-items"
            className="mono"
            rows={16}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              setOutcome(null);
            }}
            spellCheck={false}
            data-testid="dl-items"
          />
          {'problem' in parsed && (
            <p className="sev-error" data-testid="dl-items-problem">
              {parsed.problem}
            </p>
          )}
          <div className="form-grid dl-msgs">
            {(['msg', 'log', 'errormsg', 'errorlog'] as const).map((k) => (
              <label key={k}>
                <span className="muted small">{k}</span>
                <input value={msgs[k]} onChange={(e) => setMsgs({ ...msgs, [k]: e.target.value })} data-testid={`dl-${k}`} />
              </label>
            ))}
          </div>
          <label className="recheck-controls">
            Negative test{' '}
            <select value={breakage} onChange={(e) => setBreakage(e.target.value as Breakage | '')} data-testid="dl-breakage">
              <option value="">none: a correct response</option>
              {state.breakages.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.label} ({b.rule_id})
                </option>
              ))}
            </select>
          </label>
          <div className="dl-row">
            <select
              value=""
              onChange={(e) => {
                const t = state.templates.find((x) => x.name === e.target.value);
                if (t) setItems(t.items);
              }}
              data-testid="dl-template-load"
              disabled={state.templates.length === 0}
            >
              <option value="">{state.templates.length ? 'Load a template…' : 'No saved templates'}</option>
              {state.templates.map((t) => (
                <option key={t.name} value={t.name}>
                  {t.name} ({t.items.length})
                </option>
              ))}
            </select>
            <input placeholder="Template name" value={templateName} onChange={(e) => setTemplateName(e.target.value)} data-testid="dl-template-name" />
            <button type="button" className="btn btn-sm" disabled={!templateName.trim() || !('items' in parsed)} onClick={() => void saveTemplate()} data-testid="dl-template-save">
              Save items as template
            </button>
          </div>
          <div className="dl-row">
            <button type="button" className="btn btn-sm" disabled={busy || !('items' in parsed)} onClick={() => void run('check')} data-testid="dl-check">
              Check
            </button>
            <button type="button" className="btn btn-sm" disabled={busy || !('items' in parsed)} onClick={() => void run('sign')} data-testid="dl-sign">
              Sign, then send from the browser
            </button>
            <button type="button" className="btn btn-primary btn-sm" disabled={busy || !('items' in parsed)} onClick={() => void run('post')} data-testid="dl-post">
              Sign and post from the inspector
            </button>
          </div>
          <p className="muted small">
            A real LMS accepts the response only with your session: use “send from the browser” (it opens in the browser that holds the LMS session). The emulator and test platforms take it either way.
          </p>
        </div>
      )}
      {outcome && (
        <div className="stack" data-testid="dl-outcome">
          <p>
            {outcomeMode === 'check' ? 'Checked (nothing signed or sent)' : 'Signed and recorded in this flow'}:{' '}
            <Badge tone={verdictTone(outcome.message.verdict)}>{verdictLabel(outcome.message.verdict)}</Badge> {outcome.message.counts.passed} passed · {outcome.message.counts.errors}{' '}
            errors · {outcome.message.counts.warnings} warnings
          </p>
          {failed.length > 0 && (
            <ul className="import-notes" data-testid="dl-failed">
              {failed.map((f, i) => (
                <li key={i} className={f.severity === 'error' ? 'sev-error' : 'sev-warning'}>
                  <span className="mono">{f.rule_id}</span> {f.message}
                </li>
              ))}
            </ul>
          )}
          {flagged.length > 0 && (
            <ul className="import-notes" data-testid="dl-item-flags">
              {flagged.map((it) => (
                <li key={it.index}>
                  Item {it.index + 1}: {it.findings.map((f) => `${f.rule_id} — ${f.message}`).join('; ')}
                </li>
              ))}
            </ul>
          )}
          {outcome.send_url && (
            <p data-testid="dl-send">
              <ExternalLink href={outcome.send_url} testId="dl-send-link">
                Send to the platform from the browser
              </ExternalLink>{' '}
              <span className="muted small">(one use, within an hour) — or post it to {outcome.return_url} yourself as form field JWT:</span>{' '}
              {outcome.jwt && <CopyButton value={outcome.jwt} label="Copy JWT" />}
            </p>
          )}
          {outcome.answer && (
            <p data-testid="dl-answer">
              The platform answered{' '}
              {outcome.answer.status !== null && outcome.answer.status !== undefined ? (
                <Badge tone={outcome.answer.status < 400 ? 'green' : 'red'}>HTTP {outcome.answer.status}</Badge>
              ) : (
                <span className="sev-error">{outcome.answer.error}</span>
              )}{' '}
              <span className="muted small">(recorded in this flow’s sequence).</span>
            </p>
          )}
        </div>
      )}
      {error && <ErrorBanner error={error} title="Composer" />}
    </Card>
  );
}

/** An emulator flow whose response placed content: a link to the course's content page. */
export function previewUrl(detail: FlowDetail): string | null {
  const u = detail.flow.summary['dl_preview'];
  return u && /^https?:\/\//.test(u) ? u : null;
}

export function DlPreviewCard({ url }: { url: string }) {
  return (
    <Card
      title="Content placed in the course"
      description="The items this deep linking response added, rendered as the course shows them: link cards, images, sandboxed HTML, files and launchable activities."
      testId="dl-preview-card"
    >
      <button type="button" className="btn btn-sm" onClick={() => void openLaunch(url, 'Course content')} data-testid="dl-preview-open">
        Open the course content preview
      </button>{' '}
      <span className="mono small muted">{url}</span>
    </Card>
  );
}
