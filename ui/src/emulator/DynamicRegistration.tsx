//! The emulator registers a tool by LTI Dynamic Registration: its window frames the tool's
//! registration URL (with the emulator's configuration and a single-use token), as an LMS does;
//! the tool registers itself and posts `org.imsglobal.lti.close`, which the framing page records
//! as the flow's last step. Negative switches hand the tool a broken token or configuration.

import { useCallback, useState } from 'react';
import { hrefFor } from '../app/router';
import type { ApiError, DrNegative, DrStart } from '../bindings';
import { ErrorBanner } from '../shared/ErrorBanner';
import { Card } from '../shared/Page';
import { useReloadOnFlows, useRpc } from '../shared/useRpc';
import { rpc } from '../transport';
import { toApiError } from '../transport/errors';
import { openLaunch } from '../transport/openLaunch';

const EMULATOR = ['emulator'] as const;

/** Where a registration stands, from its flow's steps. */
export function registrationStage(steps: ReadonlyArray<string | null | undefined>): 'waiting' | 'configuration read' | 'registered' | 'closed' {
  if (steps.includes('dr_close')) return 'closed';
  if (steps.includes('dr_register')) return 'registered';
  if (steps.includes('dr_configuration')) return 'configuration read';
  return 'waiting';
}

export function DynamicRegistration({ defaultUrl }: { defaultUrl?: string | null }) {
  const { data: negatives } = useRpc('list_dr_negative_tests', {});
  const [url, setUrl] = useState(defaultUrl ?? '');
  const [negative, setNegative] = useState<DrNegative | ''>('');
  const [started, setStarted] = useState<DrStart | null>(null);
  const [stage, setStage] = useState<ReturnType<typeof registrationStage>>('waiting');
  const [error, setError] = useState<ApiError | null>(null);
  const flowId = started?.flow_id ?? null;
  const refresh = useCallback(() => {
    if (!flowId) return;
    rpc('get_flow', { id: flowId }).then(
      (d) => setStage(registrationStage(d.exchanges.map((e) => e.step))),
      () => undefined,
    );
  }, [flowId]);
  useReloadOnFlows(EMULATOR, refresh);

  const start = async () => {
    setError(null);
    setStage('waiting');
    try {
      const s = await rpc('dr_start', { registration_url: url.trim(), negative: negative || null });
      setStarted(s);
      await openLaunch(s.url, 'Dynamic Registration');
    } catch (e) {
      setError(toApiError(e));
    }
  };

  return (
    <Card
      testId="dr-card"
      title="Register a tool by Dynamic Registration"
      description="The emulator opens the tool's registration URL with its OpenID configuration and a single-use registration token; the tool registers itself and the new tool appears above."
    >
      <div className="emu-toolbar">
        <input className="input mono" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://tool.example/lti/register" aria-label="Registration URL" data-testid="dr-url" style={{ minWidth: '28rem' }} />
        <select className="input" value={negative} onChange={(e) => setNegative(e.target.value as DrNegative | '')} aria-label="Break on purpose" data-testid="dr-negative">
          <option value="">A valid registration</option>
          {negatives?.map((n) => (
            <option key={n.id} value={n.id}>
              {n.label} ({n.rule_id})
            </option>
          ))}
        </select>
        <button type="button" className="btn btn-primary btn-sm" onClick={start} disabled={url.trim() === ''} data-testid="dr-start">
          Start registration
        </button>
      </div>
      {started && (
        <p className="small" data-testid="dr-started">
          <strong data-testid="dr-stage" data-stage={stage}>
            {stage === 'closed' ? 'The tool registered and said it is done (org.imsglobal.lti.close).' : stage === 'registered' ? 'The tool sent its registration.' : stage === 'configuration read' ? 'The tool read the configuration: finish in its window.' : 'Finish in the registration window.'}
          </strong>{' '}
          <a href={hrefFor('flows', started.flow_id)}>The emulator’s flow of this registration</a>
        </p>
      )}
      {error && <ErrorBanner error={error} title="Could not start the registration" />}
    </Card>
  );
}
