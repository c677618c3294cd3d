//! LTI 1.1 Basic Outcomes from a captured 1.1 launch (tool side): send replaceResult, readResult
//! or deleteResult to the launch's lis_outcome_service_url, signed with the consumer's secret
//! and a body hash; see the platform's answer. Only from a launch whose signature verified.

import { useState } from 'react';
import type { ApiError, FlowDetail, OutcomeResult } from '../bindings';
import { Badge } from '../shared/Badge';
import { CodeBlock } from '../shared/CodeBlock';
import { ErrorBanner } from '../shared/ErrorBanner';
import { Card } from '../shared/Page';
import { rpc } from '../transport';
import { toApiError } from '../transport/errors';

/** The launch's grade passback: where and whose, and whether it may be used. */
export function passbackOf(detail: FlowDetail): { url: string; sourcedid: string | null; blocked: string | null } | null {
  if (detail.flow.side !== 'tool') return null;
  const launch = [...detail.messages].reverse().find((m) => m.message.kind === 'lti11_launch')?.message;
  const param = (n: string) => launch?.params?.find((p) => p.name === n)?.value || null;
  const url = param('lis_outcome_service_url');
  if (!launch || !url) return null;
  const sourcedid = param('lis_result_sourcedid');
  const blocked =
    launch.verdict !== 'valid'
      ? 'Grades are sent only from a launch whose signature verified against a registered consumer: a forged launch could point them anywhere.'
      : sourcedid === null
        ? 'The launch carried no lis_result_sourcedid (instructors’ launches usually do not): there is no grade to send.'
        : null;
  return { url, sourcedid, blocked };
}

export function Lti11OutcomesCard({ detail }: { detail: FlowDetail }) {
  const passback = passbackOf(detail);
  const [score, setScore] = useState('0.8');
  const [busy, setBusy] = useState<string | null>(null);
  const [result, setResult] = useState<OutcomeResult | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  if (!passback) return null;

  const send = async (operation: 'replace' | 'read' | 'delete') => {
    setBusy(operation);
    setError(null);
    try {
      setResult(await rpc('lti11_outcome', { flow_id: detail.flow.id, operation, score: operation === 'replace' ? Number(score) : null }));
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(null);
    }
  };
  const scoreProblem = Number.isFinite(Number(score)) && score.trim() !== '' ? (Number(score) < 0 || Number(score) > 1 ? 'Outside [0, 1]: sent as is, to see how the platform answers.' : null) : 'A number.';

  return (
    <Card title="Grade passback (LTI 1.1 Basic Outcomes)" description={`POX XML to ${passback.url}, signed with the consumer’s secret and an OAuth body hash.`} testId="lti11-outcomes">
      {passback.blocked ? (
        <p className="muted" data-testid="lti11-outcomes-blocked">
          {passback.blocked}
        </p>
      ) : (
        <div className="emu-toolbar">
          <label className="field">
            <span className="field-label">Score (0–1)</span>
            <input className="input mono" value={score} onChange={(e) => setScore(e.target.value)} data-testid="lti11-outcome-score" />
            {scoreProblem && <span className="field-help">{scoreProblem}</span>}
          </label>
          <button type="button" className="btn btn-primary btn-sm" onClick={() => send('replace')} disabled={busy !== null || Number.isNaN(Number(score))} data-testid="lti11-outcome-replace">
            {busy === 'replace' ? 'Sending…' : 'replaceResult'}
          </button>
          <button type="button" className="btn btn-sm" onClick={() => send('read')} disabled={busy !== null} data-testid="lti11-outcome-read">
            readResult
          </button>
          <button type="button" className="btn btn-sm" onClick={() => send('delete')} disabled={busy !== null} data-testid="lti11-outcome-delete">
            deleteResult
          </button>
        </div>
      )}
      {error && <ErrorBanner error={error} title="The call could not be made" />}
      {result && (
        <div data-testid="lti11-outcome-result">
          <p>
            <Badge tone={result.code_major === 'success' ? 'green' : 'red'}>{result.code_major ?? 'no answer'}</Badge> {result.operation}
            {result.status !== null && result.status !== undefined && <span className="muted"> · HTTP {result.status}</span>}
            {result.description && <span> · {result.description}</span>}
            {result.operation === 'readResult' && <span data-testid="lti11-outcome-read-score"> · score {result.score || '(none)'}</span>}
          </p>
          <CodeBlock title="Request (POX)" code={result.request_xml} copyLabel="request XML" maxHeight={160} />
          <CodeBlock title="Answer" code={result.response_body || '(empty)'} copyLabel="answer" maxHeight={160} />
        </div>
      )}
    </Card>
  );
}
