//! An LTI 1.1 launch's OAuth signature, laid out as RFC 5849 builds it: what was checked, and
//! the base string in its parts (method, normalised URL, sorted parameters) to compare with the
//! consumer's own, part by part.

import type { Finding } from '../bindings';
import { Badge } from '../shared/Badge';
import { CopyButton } from '../shared/CopyButton';
import { splitBaseString } from './lti11';

export function Lti11Signature({ findings }: { findings: readonly Finding[] }) {
  const sig = findings.find((f) => f.rule_id === 'lti11.signature');
  const base = findings.find((f) => f.rule_id === 'lti11.base_string')?.actual ?? null;
  const parts = base ? splitBaseString(base) : null;
  if (!sig && !parts) return null;
  const tone = sig?.outcome === 'pass' ? 'green' : sig?.outcome === 'fail' ? 'red' : 'amber';
  const label = sig?.outcome === 'pass' ? 'verifies' : sig?.outcome === 'fail' ? 'does not match' : 'not checked';
  return (
    <section className="msg-section" data-testid="lti11-signature">
      <h3 className="section-title">OAuth signature</h3>
      {sig && (
        <p>
          <Badge tone={tone}>{label}</Badge> {sig.message}
        </p>
      )}
      {sig?.outcome === 'fail' && sig.expected && (
        <dl className="meta-grid">
          <dt>Computed here</dt>
          <dd className="mono">{sig.expected}</dd>
          <dt>Received</dt>
          <dd className="mono">{sig.actual}</dd>
        </dl>
      )}
      {parts && base && (
        <>
          <dl className="meta-grid">
            <dt>Method</dt>
            <dd className="mono">{parts.method}</dd>
            <dt>Normalised URL</dt>
            <dd className="mono" data-testid="lti11-normalized-url">
              {parts.url}
            </dd>
            <dt>Base string</dt>
            <dd className="with-copy">
              <span className="muted small">{base.length} characters</span>
              <CopyButton value={base} label="Copy base string" title="Copy the signature base string" variant="ghost" />
            </dd>
          </dl>
          <table className="table compact" data-testid="lti11-base-params">
            <thead>
              <tr>
                <th>Signed parameter (sorted)</th>
                <th>Value</th>
              </tr>
            </thead>
            <tbody>
              {parts.params.map((p, i) => (
                <tr key={`${p.name}-${i}`}>
                  <td className="mono">{p.name}</td>
                  <td className="mono wrap-any">{p.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
