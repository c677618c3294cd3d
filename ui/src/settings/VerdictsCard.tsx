//! Settings → Verdicts: evidence-based (the default) or strict. By default a MUST of the spec
//! that every measured tool library accepts is reported as a warning that says so; strict makes
//! every MUST an error. Applies to launches captured from now on and to re-checks.

import { useState } from 'react';
import type { ApiError } from '../bindings';
import { ErrorBanner } from '../shared/ErrorBanner';
import { Card } from '../shared/Page';
import { useRpc } from '../shared/useRpc';
import { rpc } from '../transport';
import { toApiError } from '../transport/errors';

export function VerdictsCard() {
  const { data, error, reload } = useRpc('get_verdict_policy', {});
  const [failed, setFailed] = useState<ApiError | null>(null);
  const set = async (strict: boolean) => {
    setFailed(null);
    try {
      await rpc('set_verdict_policy', { strict });
      reload();
    } catch (e) {
      setFailed(toApiError(e));
    }
  };
  return (
    <Card
      title="Verdicts"
      description="Which failed checks make a launch invalid. Applies to launches captured from now on and to re-checks; stored reports keep theirs."
      testId="verdicts-card"
    >
      {error && <ErrorBanner error={error} title="Could not read the verdict policy" />}
      {failed && <ErrorBanner error={failed} title="Could not change the verdict policy" />}
      {data && (
        <label className="check-row">
          <input type="checkbox" checked={data.strict} onChange={(e) => void set(e.target.checked)} data-testid="strict-verdicts" />
          <span>
            <strong>Strict: every MUST of the spec is an error.</strong>{' '}
            <span className="muted">
              Off (the default), a MUST that every measured tool library (PyLTI1p3, ltijs, atomic-lti) accepts is a warning that says so, so a launch that works with real tools is not shown as invalid; signature, audience, time, nonce and state
              checks are errors either way. See the Rules page for what was measured.
            </span>
          </span>
        </label>
      )}
    </Card>
  );
}
