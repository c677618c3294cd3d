//! The gradebook grid derived from `get_gradebook`: line items as columns, learners as rows,
//! one cell per (line item, user) from the latest score. Members who are not learners appear
//! only when a tool posted a grade for them; grades for users no longer in the course are kept
//! as rows of their own (nothing posted is hidden). Also the deep-linked items of a course, read
//! from the tool-returned JSON defensively (every field is attacker-controlled). Pure, tested.

import type { ContentItem, CourseMember, EmulatorUser, GradeCell, Gradebook, GradebookColumn, JsonValue } from '../bindings';
import type { Tone } from '../shared/Badge';
import { isLearnerRole } from './roles';

export interface GridRow {
  userId: string;
  /** Null when the grade belongs to a user who is not (or no longer) a member. */
  user: EmulatorUser | null;
  roles: string[];
  status: string;
  learner: boolean;
  /** One per column, in column order; null where no score was posted. */
  cells: Array<GradeCell | null>;
}

export interface ColumnStats {
  /** Cells with a score. */
  scored: number;
  /** Mean of result_score / result_maximum over scored cells, 0..1; null when none. */
  meanFraction: number | null;
}

export interface Grid {
  columns: GradebookColumn[];
  rows: GridRow[];
  stats: ColumnStats[];
  /** Learners in the course (active or not), for the summary line. */
  learnerCount: number;
}

const key = (lineItemId: string, userId: string) => `${lineItemId}\u0000${userId}`;

function sortName(u: EmulatorUser | null, id: string): string {
  if (!u) return `\uffff${id}`;
  return `${u.family_name} ${u.given_name} ${u.name} ${id}`.toLowerCase();
}

export function buildGrid(gb: Gradebook, opts: { allMembers?: boolean } = {}): Grid {
  const columns = gb.line_items;
  const cells = new Map<string, GradeCell>();
  const graded = new Set<string>();
  for (const c of gb.cells) {
    const k = key(c.line_item_id, c.user_id);
    const held = cells.get(k);
    if (!held || c.updated_at >= held.updated_at) cells.set(k, c);
    graded.add(c.user_id);
  }

  const rows: GridRow[] = [];
  const seen = new Set<string>();
  const rowOf = (userId: string, user: EmulatorUser | null, m: CourseMember | null): GridRow => ({
    userId,
    user,
    roles: m?.roles ?? [],
    status: m?.status ?? '',
    learner: !!m && m.roles.some(isLearnerRole),
    cells: columns.map((col) => cells.get(key(col.line_item.id, userId)) ?? null),
  });

  for (const m of gb.members) {
    if (seen.has(m.user.id)) continue;
    const learner = m.roles.some(isLearnerRole);
    if (!learner && !graded.has(m.user.id) && !opts.allMembers) continue;
    seen.add(m.user.id);
    rows.push(rowOf(m.user.id, m.user, m));
  }
  for (const c of gb.cells) {
    if (seen.has(c.user_id)) continue;
    seen.add(c.user_id);
    rows.push(rowOf(c.user_id, null, null));
  }
  // Learners first, then other members with grades, then unknown users; by name within each.
  const rank = (r: GridRow) => (r.learner ? 0 : r.user ? 1 : 2);
  rows.sort((a, b) => rank(a) - rank(b) || sortName(a.user, a.userId).localeCompare(sortName(b.user, b.userId)));

  const stats = columns.map((_, i): ColumnStats => {
    let scored = 0;
    let sum = 0;
    let fractions = 0;
    for (const r of rows) {
      const c = r.cells[i];
      if (!c || c.score_given === null || c.score_given === undefined) continue;
      scored++;
      const max = c.result_maximum ?? c.score_maximum;
      const got = c.result_score ?? c.score_given;
      if (typeof max === 'number' && max > 0 && typeof got === 'number') {
        sum += got / max;
        fractions++;
      }
    }
    return { scored, meanFraction: fractions > 0 ? sum / fractions : null };
  });

  return { columns, rows, stats, learnerCount: gb.members.filter((m) => m.roles.some(isLearnerRole)).length };
}

/** A score for reading: at most two decimals, no trailing zeros; `—` when absent. */
export function formatScore(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return String(Math.round(n * 100) / 100);
}

/** `7.5 / 10`, or just the given score when the maximum is missing; null without a score. */
export function scoreText(given: number | null | undefined, max: number | null | undefined): string | null {
  if (given === null || given === undefined) return null;
  return max === null || max === undefined ? formatScore(given) : `${formatScore(given)} / ${formatScore(max)}`;
}

/** The result on the line item's scale when it differs from the score as posted. */
export function resultText(c: GradeCell): string | null {
  const posted = scoreText(c.score_given, c.score_maximum);
  const result = scoreText(c.result_score, c.result_maximum);
  return result && result !== posted ? result : null;
}

const ACTIVITY_TONE: Record<string, Tone> = { Initialized: 'neutral', Started: 'blue', InProgress: 'blue', Submitted: 'teal', Completed: 'green' };
const GRADING_TONE: Record<string, Tone> = { NotReady: 'neutral', Failed: 'red', Pending: 'amber', PendingManual: 'amber', FullyGraded: 'green' };

export function activityTone(p: string): Tone {
  return ACTIVITY_TONE[p] ?? 'amber';
}
export function gradingTone(p: string): Tone {
  return GRADING_TONE[p] ?? 'amber';
}

// ── deep-linked items ──────────────────────────────────────────────────────────────────────

export interface ContentItemRow {
  id: number;
  type: string;
  /** The item's title as text ('' when missing or not a string). */
  title: string;
  /** The item's url as sent (any scheme: shown as text, linked only when http(s)). */
  url: string;
  /** Short text of the item (`text`, or the start of `html` — shown as text, never rendered). */
  text: string;
  toolId: string;
  resourceLinkId: string | null;
  lineItemId: string | null;
  flowId: string | null;
  createdAt: number;
}

function str(v: JsonValue | undefined): string {
  return typeof v === 'string' ? v : '';
}

function member(v: JsonValue, name: string): JsonValue | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v[name] : undefined;
}

const TEXT_LIMIT = 200;

export function contentItemRows(items: readonly ContentItem[]): ContentItemRow[] {
  return [...items]
    .sort((a, b) => b.created_at - a.created_at || b.id - a.id)
    .map((it) => {
      const text = str(member(it.item, 'text')) || str(member(it.item, 'html'));
      return {
        id: it.id,
        type: it.item_type || str(member(it.item, 'type')) || '(no type)',
        title: str(member(it.item, 'title')),
        url: str(member(it.item, 'url')),
        text: text.length > TEXT_LIMIT ? `${text.slice(0, TEXT_LIMIT)}…` : text,
        toolId: it.tool_id,
        resourceLinkId: it.resource_link_id ?? null,
        lineItemId: it.line_item_id ?? null,
        flowId: it.flow_id ?? null,
        createdAt: it.created_at,
      };
    });
}
