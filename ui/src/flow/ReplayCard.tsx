//! Replay a launch through the emulator (re-mint): its claims — as captured, or edited here —
//! sent to a tool registered in the emulator, in a new window. The emulator keeps what makes
//! the token its own (issuer, audience, deployment, nonce, times, service endpoints); the card
//! lists exactly what will be rewritten before anything is sent.

import { useEffect, useMemo, useState } from 'react';
import type { ApiError, FlowDetail, Remint } from '../bindings';
import { ErrorBanner } from '../shared/ErrorBanner';
import { Card } from '../shared/Page';
import { useRpc } from '../shared/useRpc';
import { rpc } from '../transport';
import { toApiError } from '../transport/errors';
import { openLaunch } from '../transport/openLaunch';

export function canReplay(detail: FlowDetail): boolean {
  return detail.messages.some((m) => (m.message.kind === 'id_token' || m.message.kind === 'claims') && m.message.raw);
}

/** The edited text as a claims object, or why it is not one. */
export function parseClaims(text: string): { claims: Record<string, unknown> } | { problem: string } {
  try {
    const v: unknown = JSON.parse(text);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return { problem: 'The claims must be a JSON object.' };
    return { claims: v as Record<string, unknown> };
  } catch (e) {
    return { problem: e instanceof Error ? e.message : String(e) };
  }
}

export function ReplayCard({ detail }: { detail: FlowDetail }) {
  const tools = useRpc('list_emulator_tools', {});
  const [toolId, setToolId] = useState('');
  const [text, setText] = useState('');
  const [preview, setPreview] = useState<Remint | null>(null);
  const [result, setResult] = useState<Remint | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [open, setOpen] = useState(false);

  useEffect(() => {
    if (!toolId && tools.data?.[0]) setToolId(tools.data[0].id);
  }, [tools.data, toolId]);
  useEffect(() => {
    if (!open || !toolId || preview) return;
    rpc('remint', { flow_id: detail.flow.id, tool_id: toolId, preview: true }).then(
      (p) => {
        setPreview(p);
        setText(JSON.stringify(p.claims, null, 2));
      },
      (e: unknown) => setError(toApiError(e)),
    );
  }, [open, toolId, detail.flow.id, preview]);

  const parsed = useMemo(() => parseClaims(text), [text]);

  const launch = async () => {
    if (!('claims' in parsed)) return;
    setError(null);
    try {
      const r = await rpc('remint', { flow_id: detail.flow.id, tool_id: toolId, claims: parsed.claims });
      setResult(r);
      if (r.launch) await openLaunch(r.launch.url, 'Replayed launch');
    } catch (e) {
      setError(toApiError(e));
    }
  };

  return (
    <Card
      title="Replay through the emulator"
      description="Send this launch's claims — the user, roles, context, custom and vendor claims — from the built-in emulator to a tool registered there (for example your tool running locally)."
      testId="replay-card"
    >
      {!open ? (
        <button type="button" className="btn btn-sm" onClick={() => setOpen(true)} data-testid="replay-open">
          Edit and replay…
        </button>
      ) : (
        <div className="import-body">
          <label className="recheck-controls">
            Into the tool{' '}
            <select value={toolId} onChange={(e) => setToolId(e.target.value)} data-testid="replay-tool">
              {(tools.data ?? []).map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name} ({t.client_id})
                </option>
              ))}
            </select>
          </label>
          <textarea className="mono" rows={14} value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} data-testid="replay-claims" />
          {'problem' in parsed && text && (
            <p className="sev-error" data-testid="replay-problem">
              {parsed.problem}
            </p>
          )}
          {preview && (
            <div>
              <p className="muted small">Rewritten by the emulator (not sent as captured):</p>
              <ul className="import-notes" data-testid="replay-rewrites">
                {preview.rewrites.map((r) => (
                  <li key={r.claim}>
                    <span className="mono">{r.claim.split('/').pop()}</span>: {r.captured === undefined || r.captured === null ? '—' : JSON.stringify(r.captured)} → {r.sent}
                  </li>
                ))}
              </ul>
            </div>
          )}
          <div className="import-actions">
            <span className="muted small">{result?.launch ? `Launched: flow ${result.launch.flow_id} on the emulator side.` : ''}</span>
            <button type="button" className="btn btn-primary btn-sm" disabled={!toolId || !('claims' in parsed)} onClick={() => void launch()} data-testid="replay-launch">
              Launch in a new window
            </button>
          </div>
        </div>
      )}
      {error && <ErrorBanner error={error} title="Could not replay" />}
    </Card>
  );
}
