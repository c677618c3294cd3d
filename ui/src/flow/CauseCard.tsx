//! The first thing an invalid (or unverified) flow shows, above its diagram: each failing check
//! with expected vs actual in human terms, the LMS hint, the step it came from (one click marks
//! it in the diagram), and what to do next — register an unknown platform prefilled from the
//! launch, re-check after fixing. A negative test says its failure was intended.

import type { FlowDetail } from '../bindings';
import { navigate } from '../app/router';
import { Badge } from '../shared/Badge';
import { Card } from '../shared/Page';
import { Libraries } from '../compat/Libraries';
import { causesOf, humanMessage, humanTimes, stashPrefill, unknownPlatform } from './cause';

/** The card's element id: the header's error count scrolls here. */
export const CAUSE_ID = 'flow-cause';

export function scrollToCause() {
  document.getElementById(CAUSE_ID)?.scrollIntoView({ behavior: 'smooth', block: 'start' });
}

export function CauseCard({ detail, onShowStep }: { detail: FlowDetail; onShowStep: (step: string) => void }) {
  const causes = causesOf(detail);
  if (causes.length === 0) return null;
  const prefill = unknownPlatform(detail);
  const negative = detail.flow.summary['negative_test'];
  const unverified = causes.every((c) => c.finding.outcome !== 'fail');
  return (
    <div id={CAUSE_ID} className="cause-anchor">
      <Card
        title={unverified ? 'Why this launch is unverified' : `Why this launch failed · ${causes.length} ${causes.length === 1 ? 'error' : 'errors'}`}
        description={
          negative
            ? `A negative test: the launch was broken on purpose (${negative}). Failing here is what a careful tool does.`
            : unverified
              ? 'Every check passed that could run, but the signature was not checked: there was no key to check it with.'
              : 'The checks that made it invalid, first. Everything else the inspector checked is under Messages.'
        }
        testId="flow-cause"
      >
        <ol className="cause-list">
          {causes.map((c, i) => {
            const f = c.finding;
            return (
              <li key={`${c.step}-${f.rule_id}-${i}`} className="cause" data-testid="cause" data-rule={f.rule_id}>
                <div className="cause-head">
                  <Badge tone={f.outcome === 'fail' ? 'red' : 'amber'}>{f.outcome === 'fail' ? f.severity : 'skipped'}</Badge>
                  <span className="mono strong">{f.rule_id}</span>
                  <span className="muted">{f.title}</span>
                </div>
                <p className="cause-message">{humanMessage(f.message)}</p>
                {(f.expected || f.actual) && (
                  <dl className="cause-values">
                    {f.expected && (
                      <>
                        <dt>Expected</dt>
                        <dd className="mono wrap-any">{humanTimes(f.expected)}</dd>
                      </>
                    )}
                    {f.actual && (
                      <>
                        <dt>Actual</dt>
                        <dd className="mono wrap-any">{humanTimes(f.actual)}</dd>
                      </>
                    )}
                  </dl>
                )}
                {f.hint && <p className="cause-hint">{f.hint}</p>}
                <Libraries finding={f} />
                <div className="dl-row">
                  {c.step && (
                    <button type="button" className="btn btn-sm" onClick={() => onShowStep(c.step)} data-testid="cause-step">
                      Show the step ({c.kind.replace(/_/g, ' ')})
                    </button>
                  )}
                  <span className="muted small">
                    {f.spec_section}
                  </span>
                </div>
              </li>
            );
          })}
        </ol>
        <div className="dl-row">
          {prefill && (
            <button
              type="button"
              className="btn btn-primary btn-sm"
              data-testid="cause-register"
              onClick={() => {
                stashPrefill(prefill);
                navigate('platforms');
              }}
            >
              Register this platform ({prefill.issuer})
            </button>
          )}
          <button type="button" className="btn btn-sm" data-testid="cause-recheck" onClick={() => document.querySelector('[data-testid="recheck-card"]')?.scrollIntoView({ behavior: 'smooth' })}>
            Re-check after fixing…
          </button>
        </div>
      </Card>
    </div>
  );
}
