//! The top of the flow view: verdict, title, who/where/what (platform, user, context, message
//! type, deployment), when it started, its counts, and the copy buttons.

import { useState } from 'react';
import { hrefFor, navigate } from '../app/router';
import { ExportDialog } from '../import/ExportDialog';
import { FlowTidy } from './FlowTidy';
import type { FlowDetail } from '../bindings';
import { CopyButton } from '../shared/CopyButton';
import { scrollToCause } from './CauseCard';
import { formatDateTime } from '../shared/format';
import { BackIcon } from '../shared/icons';
import { acceptedDespiteNegative, flowFacts, negativeOutcome, sideLabel, verdictExplanation, verdictLabel, verdictTone } from './summary';
import { Badge, sideTone } from '../shared/Badge';
import { useCompatEvidence, wouldRejectBy } from '../compat/evidence';

export function FlowHeader({ detail }: { detail: FlowDetail }) {
  const [exporting, setExporting] = useState(false);
  const f = detail.flow;
  const x = flowFacts(f);
  const idToken = detail.messages.find((m) => m.message.kind === 'id_token')?.message.raw ?? null;
  // Every message's checks (login, auth request, id_token), not only the launch's.
  const totals = detail.messages.reduce(
    (t, m) => ({
      passed: t.passed + m.message.counts.passed,
      errors: t.errors + m.message.counts.errors,
      warnings: t.warnings + m.message.counts.warnings,
    }),
    { passed: 0, errors: 0, warnings: 0 },
  );
  // What an engineer needs from the findings: would a tool built on a real library refuse it?
  const rejection = wouldRejectBy(
    detail.messages.flatMap((m) => m.message.report.findings),
    useCompatEvidence(),
  );
  // The launch's own checks, as the landing page in the LMS frame counts them.
  const launchCounts = [...detail.messages].reverse().find((m) => m.message.kind === 'id_token')?.message.counts ?? null;
  const facts: Array<[string, string, string?]> = [
    ['Platform', x.platform, x.issuer && x.issuer !== x.platform ? x.issuer : undefined],
    ['User', x.user],
    ['Context', x.context],
    ['Message type', x.messageType],
    ['Deployment', x.deploymentId],
    ['Client ID', x.clientId],
  ];
  return (
    <header className="flow-header" data-testid="flow-header">
      {exporting && <ExportDialog target={{ flowIds: [f.id], label: 'this flow' }} onClose={() => setExporting(false)} />}
      <div className="flow-topline">
        <a href={hrefFor('timeline')} className="back-link" title="Back to the flows (Esc)">
          <BackIcon size={14} /> Flows
        </a>
        <span className="muted mono small">flow {f.id}</span>
      </div>
      <div className="flow-titleline">
        <span className={`verdict-lg tone-${verdictTone(f.verdict)}`} data-testid="flow-verdict" data-verdict={f.verdict} title={verdictExplanation(f.verdict)}>
          {verdictLabel(f.verdict)}
        </span>
        <Badge tone={sideTone(f.side)} title="Which side of the connection recorded this flow">
          {sideLabel(f.side)}
        </Badge>
        <h1 className="flow-title">{f.title}</h1>
        <div className="flow-actions">
          {f.kind !== 'lti11_launch' && <CopyButton value={idToken ?? ''} label="Copy id_token" title="Copy the id_token (compact JWT)" disabled={!idToken} />}
          <CopyButton value={f.id} label="Copy flow id" title="Copy the flow id" />
          <a className="btn btn-sm" href={hrefFor('timeline', 'exchanges', `flow:${f.id}`)} title="This flow's exchanges in the Timeline">
            Exchanges
          </a>
          <select
            className="btn btn-sm"
            value=""
            aria-label="Compare with"
            data-testid="flow-compare"
            onChange={(e) => {
              const v = e.target.value;
              if (v === 'id') {
                const other = window.prompt('Compare with the flow id:')?.trim();
                if (other) navigate('flows', f.id, 'compare', other);
              } else if (v) navigate('flows', f.id, 'compare', v);
            }}
          >
            <option value="">Compare…</option>
            <option value="previous_user">with this user&apos;s previous launch</option>
            <option value="previous_platform">with this platform&apos;s previous launch</option>
            <option value="id">with a flow id…</option>
          </select>
          <button type="button" className="btn btn-sm" onClick={() => setExporting(true)} data-testid="flow-export" title="Export as HAR or bundle (redacted by default)">
            Export…
          </button>
        </div>
      </div>
      <dl className="flow-facts">
        {facts
          .filter(([, v]) => v)
          .map(([k, v, sub]) => (
            <div key={k} className="fact">
              <dt>{k}</dt>
              <dd title={sub ?? v}>
                {v}
                {sub && <span className="fact-sub mono">{sub}</span>}
              </dd>
            </div>
          ))}
        <div className="fact">
          <dt>{f.side === 'imported' ? 'Recorded' : 'Started'}</dt>
          <dd title={new Date(f.started_at).toISOString()}>{formatDateTime(f.started_at)}</dd>
        </div>
        {rejection.measured && (
          <div className="fact fact-libs" data-testid="flow-rejected-by" title="Measured by make compat: launches breaking each rule, sent to each library's tool (docs/RULES.md, Verdicts)">
            <dt>Real tool libraries</dt>
            <dd className={rejection.rejectedBy.length ? 'sev-error' : undefined}>
              {rejection.rejectedBy.length
                ? `would be rejected by: ${rejection.rejectedBy.join(', ')}`
                : `accepted by every measured library (${rejection.libraries.join(', ')}) despite its failed checks`}
            </dd>
          </div>
        )}
        {f.side === 'imported' && (
          <div className="fact fact-wide" data-testid="flow-imported">
            <dt>Imported</dt>
            <dd>
              from {f.summary.imported_from ?? 'a file'}
              {f.summary.har_entries ? `, HAR entries ${f.summary.har_entries}` : ''}
              {f.summary.imported_at ? ` · ${formatDateTime(Date.parse(f.summary.imported_at))}` : ''} · validated as of the recorded time
            </dd>
          </div>
        )}
        {f.kind === 'resend' && (
          <div className="fact fact-wide" data-testid="flow-resend">
            <dt>Re-send</dt>
            <dd>
              of {f.summary.resent_from ?? 'a recorded exchange'}
              {f.summary.status ? ` · answered ${f.summary.status}` : ''}
              {f.summary.explanations && (
                <ul className="import-notes">
                  {f.summary.explanations.split('\n').map((x) => (
                    <li key={x}>{x}</li>
                  ))}
                </ul>
              )}
            </dd>
          </div>
        )}
        {detail.related.length > 0 && (
          <div className="fact fact-wide" data-testid="flow-related">
            <dt>Other side of this launch</dt>
            <dd>
              {detail.related.map((r) => (
                <a key={r.id} href={hrefFor('flows', r.id)} className="related-link" data-testid="flow-related-link" data-id={r.id}>
                  <Badge tone={sideTone(r.side)}>{sideLabel(r.side)}</Badge> <Badge tone={verdictTone(r.verdict)}>{verdictLabel(r.verdict)}</Badge> {r.title}
                </a>
              ))}
            </dd>
          </div>
        )}
        {x.negative && (
          <div className="fact fact-wide" data-testid="flow-negative">
            <dt>Negative test</dt>
            <dd>
              Broken on purpose to fail <span className="mono">{x.negative}</span>:{' '}
              {negativeOutcome(x) === 'intended' ? (
                <span className="strong">failed as intended</span>
              ) : (
                <span className="sev-error strong">that rule did not fail here</span>
              )}
              {acceptedDespiteNegative(x, detail.related).length > 0 && (
                <span className="sev-error strong" data-testid="flow-negative-accepted">
                  {' '}
                  — yet the tool side accepted it (its flow is valid)
                </span>
              )}
            </dd>
          </div>
        )}
        <div className="fact fact-wide">
          <dt>Checks</dt>
          <dd className="fact-counts" data-testid="flow-counts">
            {totals.errors > 0 ? (
              <button type="button" className="link-button sev-error strong" onClick={scrollToCause} data-testid="flow-errors-link" title="Why this launch failed">
                {plural(totals.errors, 'error')}
              </button>
            ) : (
              <span className="muted">{plural(totals.errors, 'error')}</span>
            )}
            <span className={totals.warnings > 0 ? 'sev-warning strong' : 'muted'}>{plural(totals.warnings, 'warning')}</span>
            <span className="muted" title="Checks of every message of the flow (login, authentication request, id_token…)">
              {totals.passed} passed in {plural(detail.messages.length, 'message')}
            </span>
            {launchCounts && detail.messages.length > 1 && (
              <span className="muted" data-testid="flow-counts-id-token" title="The id_token's own checks: what the landing page counts">
                (id_token: {plural(launchCounts.errors, 'error')} · {launchCounts.passed} passed)
              </span>
            )}
            <span className="muted">{plural(detail.exchanges.length, 'exchange')}</span>
          </dd>
        </div>
      </dl>
      <FlowTidy flow={f} />
    </header>
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
