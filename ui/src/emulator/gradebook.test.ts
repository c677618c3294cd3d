import { describe, expect, it } from 'vitest';
import type { ContentItem, CourseMember, EmulatorCourse, EmulatorUser, GradeCell, Gradebook, LineItem } from '../bindings';
import { buildGrid, contentItemRows, formatScore, resultText, scoreText } from './gradebook';

const M = 'http://purl.imsglobal.org/vocab/lis/v2/membership';
const course: EmulatorCourse = { id: 'c1', context_id: 'ctx', label: 'C1', title: 'Course', types: [], demo: false, created_at: 0 };
const user = (id: string, given: string, family: string): EmulatorUser => ({ id, given_name: given, family_name: family, name: `${given} ${family}`, system_roles: [], institution_roles: [], demo: false });
const member = (u: EmulatorUser, roles: string[], status = 'Active'): CourseMember => ({ user: u, roles, status });
const item = (id: string, max = 10): LineItem => ({ id, course_id: 'c1', tool_id: 't', label: id, score_maximum: max, created_at: 0, updated_at: 0 });
const cell = (li: string, u: string, given: number | null, max: number | null, extra: Partial<GradeCell> = {}): GradeCell => ({
  line_item_id: li,
  user_id: u,
  score_given: given,
  score_maximum: max,
  result_score: given,
  result_maximum: max,
  activity_progress: 'Completed',
  grading_progress: 'FullyGraded',
  timestamp: '2026-11-27T10:00:00Z',
  updated_at: 1,
  ...extra,
});

const ada = user('u-ada', 'Ada', 'Lovelace');
const alan = user('u-alan', 'Alan', 'Turing');
const grace = user('u-grace', 'Grace', 'Hopper');
const kat = user('u-kat', 'Katherine', 'Johnson');

function gb(cells: GradeCell[], members: CourseMember[] = [member(grace, [`${M}#Instructor`]), member(alan, [`${M}#Learner`]), member(ada, [`${M}/Learner#NonCreditLearner`]), member(kat, [`${M}#Mentor`])]): Gradebook {
  return { course, line_items: [{ line_item: item('quiz'), tool_name: 'T' }, { line_item: item('essay', 20), tool_name: 'T' }], members, cells, lti11: [] };
}

describe('buildGrid', () => {
  it('has learners (and Learner sub-roles) as rows, sorted by family name, cells in column order', () => {
    const g = buildGrid(gb([cell('essay', 'u-alan', 15, 20), cell('quiz', 'u-ada', 7.5, 10)]));
    expect(g.rows.map((r) => r.userId)).toEqual(['u-ada', 'u-alan']);
    expect(g.rows[0]?.cells.map((c) => c?.score_given ?? null)).toEqual([7.5, null]);
    expect(g.rows[1]?.cells.map((c) => c?.score_given ?? null)).toEqual([null, 15]);
    expect(g.learnerCount).toBe(2);
    expect(g.stats).toEqual([
      { scored: 1, meanFraction: 0.75 },
      { scored: 1, meanFraction: 0.75 },
    ]);
  });

  it('adds a non-learner with a grade after the learners, and every member on request', () => {
    const g = buildGrid(gb([cell('quiz', 'u-grace', 10, 10)]));
    expect(g.rows.map((r) => [r.userId, r.learner])).toEqual([
      ['u-ada', true],
      ['u-alan', true],
      ['u-grace', false],
    ]);
    expect(buildGrid(gb([]), { allMembers: true }).rows.map((r) => r.userId)).toEqual(['u-ada', 'u-alan', 'u-grace', 'u-kat']);
  });

  it('keeps grades of users who are not members as rows of their own', () => {
    const g = buildGrid(gb([cell('quiz', 'ghost', 1, 10)]));
    const last = g.rows[g.rows.length - 1];
    expect(last).toMatchObject({ userId: 'ghost', user: null, learner: false });
    expect(last?.cells[0]?.score_given).toBe(1);
  });

  it('takes the latest copy of a duplicated cell and counts only scored cells', () => {
    const g = buildGrid(gb([cell('quiz', 'u-alan', 2, 10, { updated_at: 5 }), cell('quiz', 'u-alan', 9, 10, { updated_at: 7 }), cell('essay', 'u-alan', null, null, { activity_progress: 'InProgress' })]));
    const alanRow = g.rows.find((r) => r.userId === 'u-alan');
    expect(alanRow?.cells[0]?.score_given).toBe(9);
    expect(alanRow?.cells[1]?.activity_progress).toBe('InProgress');
    expect(g.stats[1]).toEqual({ scored: 0, meanFraction: null });
  });

  it('lists a member once even when the roster repeats them, and handles an empty gradebook', () => {
    const g = buildGrid(gb([], [member(alan, [`${M}#Learner`]), member(alan, [`${M}#Learner`])]));
    expect(g.rows).toHaveLength(1);
    const empty = buildGrid({ course, line_items: [], members: [], cells: [], lti11: [] });
    expect(empty).toEqual({ columns: [], rows: [], stats: [], learnerCount: 0 });
  });
});

describe('score text', () => {
  it('formats given / maximum and the scaled result only when it differs', () => {
    expect(formatScore(7.5)).toBe('7.5');
    expect(formatScore(2 / 3)).toBe('0.67');
    expect(formatScore(10)).toBe('10');
    expect(formatScore(null)).toBe('—');
    expect(scoreText(7.5, 10)).toBe('7.5 / 10');
    expect(scoreText(3, null)).toBe('3');
    expect(scoreText(null, 10)).toBeNull();
    expect(resultText(cell('q', 'u', 15, 20))).toBeNull();
    expect(resultText(cell('q', 'u', 15, 20, { result_score: 7.5, result_maximum: 10 }))).toBe('7.5 / 10');
  });
});

describe('contentItemRows', () => {
  const ci = (id: number, it: ContentItem['item'], extra: Partial<ContentItem> = {}): ContentItem => ({ id, course_id: 'c1', tool_id: 't', item_type: '', item: it, created_at: id, ...extra });

  it('reads title, url and text as strings, newest first, whatever the tool sent', () => {
    const rows = contentItemRows([
      ci(1, { type: 'ltiResourceLink', title: '<img src=x onerror=alert(1)>', url: 'https://tool/x', lineItem: { scoreMaximum: 5 } }, { item_type: 'ltiResourceLink', resource_link_id: 'rl', line_item_id: 'li' }),
      ci(2, { type: 'link', title: { nested: true }, url: 'javascript:alert(2)' }),
      ci(3, { type: 'html', html: `<script>${'x'.repeat(300)}</script>` }, { item_type: 'html' }),
      ci(4, ['not', 'an', 'object']),
    ]);
    expect(rows.map((r) => r.id)).toEqual([4, 3, 2, 1]);
    expect(rows[3]).toMatchObject({ type: 'ltiResourceLink', title: '<img src=x onerror=alert(1)>', url: 'https://tool/x', resourceLinkId: 'rl', lineItemId: 'li' });
    expect(rows[2]).toMatchObject({ type: 'link', title: '', url: 'javascript:alert(2)' });
    expect(rows[1]?.text.startsWith('<script>')).toBe(true);
    expect(rows[1]?.text.length).toBe(201);
    expect(rows[0]).toMatchObject({ type: '(no type)', title: '', url: '', text: '' });
  });
});
