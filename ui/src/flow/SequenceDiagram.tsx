//! The flow's sequence diagram: lanes Platform · Browser · Tool (the inspector's lane marked),
//! one row per step with its arrow (dashed where the inspector infers a leg it cannot see),
//! the time offset from the flow start, status and duration. Plain HTML and CSS (no image, no
//! canvas); labels are text. Clicking a row selects the step.

import { memo } from 'react';
import { formatDuration, formatOffset, formatTime } from '../shared/format';
import { LANE_LABELS, LANES, laneIndex, type Lane, type Leg, type Sequence, type SeqStep } from './sequence';

/** Lane centers, in percent of the lanes column. */
const X = LANES.map((_, i) => ((i + 0.5) / LANES.length) * 100);
const x = (l: Lane) => X[laneIndex(l)] ?? 50;

interface Props {
  seq: Sequence;
  /** Steps whose message failed an error check: marked. */
  failedSteps?: Set<string>;
  selectedKey: string | null;
  onSelect: (step: SeqStep) => void;
}

export function SequenceDiagram({ seq, selectedKey, onSelect, failedSteps }: Props) {
  return (
    <div className="seq" data-testid="sequence">
      <div className="seq-row seq-header" aria-hidden="true">
        <span className="seq-offset">Time</span>
        <span className="seq-lanes">
          {LANES.map((l) => (
            <span key={l} className={`seq-lane-head ${l === seq.self ? 'self' : ''}`} style={{ left: `${x(l)}%` }}>
              {LANE_LABELS[l]}
              {l === seq.self && <span className="seq-self">{l === 'browser' ? 'HAR' : 'LTI Inspector'}</span>}
            </span>
          ))}
        </span>
        <span className="seq-meta">Status · time</span>
      </div>
      <div className="seq-body" role="listbox" aria-label="Steps of the flow">
        {seq.steps.map((s) => (
          <StepRow key={s.key} step={s} self={seq.self} selected={s.key === selectedKey} failed={!!s.step && !!failedSteps?.has(s.step)} onSelect={onSelect} />
        ))}
      </div>
      <div className="seq-foot muted small">
        Offsets from the flow start ({formatTime(seq.startedAt)}); the whole flow took {formatDuration(seq.totalMs)}. Dashed legs happen in the
        browser or the platform, out of the inspector&apos;s sight.
      </div>
    </div>
  );
}

const StepRow = memo(function StepRow({ step: s, self, selected, failed, onSelect }: { step: SeqStep; self: Lane; selected: boolean; failed: boolean; onSelect: (s: SeqStep) => void }) {
  const xs = s.legs.flatMap((l) => [x(l.from), x(l.to)]);
  const left = Math.min(...xs);
  const right = Math.max(...xs);
  const tone = s.part === 'response' || s.backChannel ? `out-${s.outcome}` : 'out-request';
  return (
    <button
      type="button"
      role="option"
      aria-selected={selected}
      className={`seq-row seq-step ${selected ? 'selected' : ''} ${tone} ${s.backChannel ? 'back-channel' : ''} ${failed ? 'seq-failed' : ''}`}
      onClick={() => onSelect(s)}
      data-testid="seq-step"
      data-step={s.step}
      data-part={s.part}
      data-failed={failed ? 'true' : undefined}
      title={`${s.label} — ${s.detail}${failed ? ' — a check failed on this step' : ''}`}
    >
      <span className="seq-offset mono">{formatOffset(s.offsetMs)}</span>
      <span className="seq-lanes">
        {LANES.map((l) => (
          <span key={l} className={`lifeline ${l === self ? 'self' : ''}`} style={{ left: `${x(l)}%` }} />
        ))}
        <span className="seq-label" style={{ left: `${left}%`, width: `${right - left}%` }}>
          <span className="seq-label-text">
            {failed && s.part === 'request' && <span className="seq-fail-mark" aria-label="failed">✗ </span>}
            {s.label}
          </span>
          <span className="seq-detail mono">{s.detail}</span>
        </span>
        {s.legs.map((leg, i) => (
          <LegLine key={i} leg={leg} />
        ))}
      </span>
      <span className="seq-meta">
        {s.part === 'request' && !s.backChannel ? (
          <span className="pill pill-neutral mono">{s.detail.split(' ')[0]}</span>
        ) : (
          <span className={`pill mono status-${s.outcome}`} title={s.error ?? undefined}>
            {s.error ? 'ERR' : (s.status ?? '—')}
          </span>
        )}
        {s.durationMs !== null && <span className="seq-dur mono">{formatDuration(s.durationMs)}</span>}
      </span>
    </button>
  );
});

function LegLine({ leg }: { leg: Leg }) {
  const a = x(leg.from);
  const b = x(leg.to);
  const rightward = b > a;
  return (
    <span
      className={`seq-leg ${leg.observed ? '' : 'unseen'} ${rightward ? 'to-right' : 'to-left'}`}
      style={{ left: `${Math.min(a, b)}%`, width: `${Math.abs(b - a)}%` }}
    />
  );
}
