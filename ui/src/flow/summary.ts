//! What a flow's summary map says (platform, user, context, message type, counts), read once
//! into named fields for the flows list, its filter and the flow view's header.

import type { FlowSummary } from '../bindings';
import type { Tone } from '../shared/Badge';

export interface FlowFacts {
  platform: string;
  issuer: string;
  clientId: string;
  user: string;
  context: string;
  messageType: string;
  deploymentId: string;
  /** Failed checks of the flow's launch; null when the flow has no count (no launch reached yet). */
  errors: number | null;
  warnings: number | null;
  /** Rule ids of the failed errors (the first few). */
  failedRules: string[];
  /** The rule a negative test set out to break ('' when the launch was not one). */
  negative: string;
}

function count(v: string | undefined): number | null {
  if (v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

export function flowFacts(f: FlowSummary): FlowFacts {
  const s = f.summary ?? {};
  return {
    platform: s.platform ?? s.issuer ?? '',
    issuer: s.issuer ?? '',
    clientId: s.client_id ?? '',
    user: s.user ?? '',
    context: s.context ?? '',
    messageType: s.message_type ?? '',
    deploymentId: s.deployment_id ?? '',
    errors: count(s.errors),
    warnings: count(s.warnings),
    failedRules: (s.failed_rules ?? '').split(',').filter((r) => r !== ''),
    negative: s.negative_test ?? '',
  };
}

export const VERDICTS = ['valid', 'invalid', 'unverified', 'pending'] as const;

export function verdictTone(verdict: string): Tone {
  switch (verdict) {
    case 'valid':
      return 'green';
    case 'invalid':
      return 'red';
    case 'unverified':
      return 'amber';
    default:
      return 'neutral';
  }
}

export function verdictLabel(verdict: string): string {
  switch (verdict) {
    case 'valid':
      return 'Valid';
    case 'invalid':
      return 'Invalid';
    case 'unverified':
      return 'Unverified';
    case 'pending':
      return 'Pending';
    case 'resent':
      return 'Re-sent';
    default:
      return verdict || 'Unknown';
  }
}

/** What each verdict means, for tooltips. */
export function verdictExplanation(verdict: string): string {
  switch (verdict) {
    case 'valid':
      return 'Every required check passed.';
    case 'invalid':
      return 'At least one check that must pass failed.';
    case 'unverified':
      return 'Well-formed, but the signature could not be checked (no platform key).';
    case 'pending':
      return 'The flow has not reached its launch yet (or it was abandoned).';
    case 'resent':
      return 'A recorded request sent again from this machine; its answer and why are in the flow.';
    default:
      return '';
  }
}

/** How a negative test's flow turned out: it failed the rule it was meant to break, or not. */
export function negativeOutcome(f: FlowFacts): 'intended' | 'missed' | null {
  if (!f.negative) return null;
  // The composer's switches read "label (rule)"; the emulator's are the rule itself.
  const rule = /\(([^()]+)\)\s*$/.exec(f.negative)?.[1] ?? f.negative;
  return f.failedRules.includes(rule) ? 'intended' : 'missed';
}

/**
 * The tool-side flows of a negative test's launch that accepted it (valid): the tool did not
 * notice the broken message. Empty for a launch that was not a negative test.
 */
export function acceptedDespiteNegative(f: FlowFacts, related: readonly FlowSummary[]): FlowSummary[] {
  if (!f.negative) return [];
  return related.filter((r) => r.side === 'tool' && r.verdict === 'valid');
}

export function sideLabel(side: string): string {
  return side === 'tool' ? 'Tool side' : side === 'emulator' ? 'Emulator' : side === 'imported' ? 'Imported' : side;
}
