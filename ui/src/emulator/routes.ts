//! The emulator's sub-views and their routes: `#/emulator` (overview) and
//! `#/emulator/<tab>[/<course id>[/<tool id>]]`.

import { hrefFor, type Route } from '../app/router';

export const EMULATOR_TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'courses', label: 'Courses' },
  { id: 'tools', label: 'Tools' },
  { id: 'launch', label: 'Launch' },
  { id: 'gradebook', label: 'Gradebook' },
] as const;

export type EmulatorTab = (typeof EMULATOR_TABS)[number]['id'];

export function tabOf(route: Route): EmulatorTab {
  const t = route.rest[0];
  return EMULATOR_TABS.some((x) => x.id === t) ? (t as EmulatorTab) : 'overview';
}

/** `#/emulator/<tab>[/<course id>[/<more>…]]` (the overview is `#/emulator`). */
export function emulatorHref(tab: EmulatorTab, courseId?: string, ...more: string[]): string {
  if (tab === 'overview') return hrefFor('emulator');
  return courseId ? hrefFor('emulator', tab, courseId, ...more) : hrefFor('emulator', tab);
}
