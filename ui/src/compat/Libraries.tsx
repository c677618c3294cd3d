//! "Real tool libraries": what each measured library does when a finding's rule is broken the
//! way the finding says (compat_evidence), shown under the finding.

import type { Finding } from '../bindings';
import { evidenceFor, stanceText, useCompatEvidence } from './evidence';

export function Libraries({ finding }: { finding: Finding }) {
  const evidence = evidenceFor(useCompatEvidence(), finding);
  if (!evidence) return null;
  return (
    <div className="finding-libs" data-testid="finding-libraries" title="Measured by make compat: launches that break this rule, sent to each library's tool over loopback">
      <span className="hint-label">Real tool libraries</span>
      <ul>
        {evidence.libraries.map((l) => (
          <li key={l.library} className={`lib-stance lib-${l.stance}`} data-library={l.library} data-stance={l.stance}>
            <strong>
              {l.library} {l.version}
            </strong>{' '}
            {stanceText(l)}
          </li>
        ))}
      </ul>
    </div>
  );
}
