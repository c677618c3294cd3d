//! A message's findings, for reading: failed checks first, by severity, each with its rule id,
//! title, message, path, expected vs actual, the LMS-specific hint and the spec section; then
//! skipped checks with the reason; passed checks collapsed to a count.

import { useState } from 'react';
import type { Finding, Severity } from '../bindings';
import { Badge, type Tone } from '../shared/Badge';
import { ExternalLink } from '../shared/ExternalLink';
import { AlertIcon, CheckIcon, ChevronIcon, InfoIcon } from '../shared/icons';
import { groupFindings, SEVERITY_LABELS } from './findings';
import { Libraries } from '../compat/Libraries';

const SEV_TONE: Record<Severity, Tone> = { error: 'red', warning: 'amber', info: 'blue' };

export function FindingsView({ findings }: { findings: readonly Finding[] }) {
  const g = groupFindings(findings);
  const [showSkipped, setShowSkipped] = useState(g.failedCount === 0 && g.skipped.length <= 6);
  const [showPassed, setShowPassed] = useState(false);

  return (
    <div className="findings" data-testid="findings">
      <div className="findings-summary">
        {g.failed.map((grp) => (
          <span key={grp.severity} className={`fsum fsum-${grp.severity}`}>
            {grp.findings.length} {grp.findings.length === 1 ? SEVERITY_LABELS[grp.severity].one : SEVERITY_LABELS[grp.severity].many.toLowerCase()}
          </span>
        ))}
        {g.failedCount === 0 && (
          <span className="fsum fsum-ok">
            <CheckIcon size={13} /> No failed checks
          </span>
        )}
        <span className="fsum fsum-muted" data-testid="findings-passed-count">
          {g.passed.length} passed
        </span>
        {g.skipped.length > 0 && <span className="fsum fsum-muted">{g.skipped.length} skipped</span>}
      </div>

      {g.failed.map((grp) => (
        <section key={grp.severity} className="fgroup" data-testid={`findings-${grp.severity}`}>
          <h4 className={`fgroup-title sev-${grp.severity}`}>
            {grp.severity === 'info' ? <InfoIcon size={14} /> : <AlertIcon size={14} />}
            {SEVERITY_LABELS[grp.severity].many} <span className="tab-count">{grp.findings.length}</span>
          </h4>
          {grp.findings.map((f, i) => (
            <FindingCard key={`${f.rule_id}-${i}`} f={f} />
          ))}
        </section>
      ))}

      {g.skipped.length > 0 && (
        <section className="fgroup">
          <button type="button" className="fgroup-toggle" onClick={() => setShowSkipped(!showSkipped)} aria-expanded={showSkipped}>
            <ChevronIcon size={13} className={`chev ${showSkipped ? 'open' : ''}`} />
            Skipped <span className="tab-count">{g.skipped.length}</span>
            <span className="muted small">checks that did not apply or could not run, with the reason</span>
          </button>
          {showSkipped && (
            <table className="table table-compact flist-compact" data-testid="findings-skipped">
              <tbody>
                {g.skipped.map((f, i) => (
                  <tr key={`${f.rule_id}-${i}`}>
                    <td className="mono rule-id-cell">{f.rule_id}</td>
                    <td>
                      <span className="ftitle-sm">{f.title}</span>
                      <span className="muted"> — {f.message}</span>
                    </td>
                    <td className="spec-cell">
                      <ExternalLink href={f.spec_url} className="spec-link">
                        {f.spec_section}
                      </ExternalLink>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}

      {g.passed.length > 0 && (
        <section className="fgroup">
          <button type="button" className="fgroup-toggle" onClick={() => setShowPassed(!showPassed)} aria-expanded={showPassed} data-testid="findings-passed-toggle">
            <ChevronIcon size={13} className={`chev ${showPassed ? 'open' : ''}`} />
            Passed <span className="tab-count">{g.passed.length}</span>
          </button>
          {showPassed && (
            <table className="table table-compact flist-compact" data-testid="findings-passed">
              <tbody>
                {g.passed.map((f, i) => (
                  <tr key={`${f.rule_id}-${i}`}>
                    <td className="mono rule-id-cell">
                      <CheckIcon size={12} className="pass-icon" /> {f.rule_id}
                    </td>
                    <td>
                      <span className="ftitle-sm">{f.title}</span>
                      <span className="muted"> — {f.message}</span>
                    </td>
                    <td className="spec-cell">
                      <ExternalLink href={f.spec_url} className="spec-link">
                        {f.spec_section}
                      </ExternalLink>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
    </div>
  );
}

export function FindingCard({ f }: { f: Finding }) {
  const compare = f.expected !== null || f.actual !== null;
  return (
    <article className={`finding finding-${f.severity}`} data-testid="finding" data-rule={f.rule_id}>
      <div className="finding-head">
        <Badge tone={SEV_TONE[f.severity] ?? 'red'}>{f.severity}</Badge>
        <code className="rule-id">{f.rule_id}</code>
        <span className="finding-title">{f.title}</span>
        <span className="finding-spec">
          <ExternalLink href={f.spec_url} className="spec-link" testId="finding-spec-link">
            {f.spec_section}
          </ExternalLink>
        </span>
      </div>
      <div className="finding-message">{f.message}</div>
      {f.path && (
        <div className="finding-path">
          <span className="muted">at</span> <code>{f.path}</code>
        </div>
      )}
      {compare && (
        <div className="compare">
          <div className="compare-col">
            <div className="compare-label">Expected</div>
            <pre className="compare-val mono">{f.expected ?? '—'}</pre>
          </div>
          <div className="compare-col compare-actual">
            <div className="compare-label">Actual</div>
            <pre className="compare-val mono">{f.actual ?? '—'}</pre>
          </div>
        </div>
      )}
      {f.hint && (
        <div className="hint" data-testid="finding-hint">
          <span className="hint-label">Hint</span>
          {f.hint}
        </div>
      )}
      <Libraries finding={f} />
    </article>
  );
}
