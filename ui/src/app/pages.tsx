//! Which component renders each section, and its nav icon. Adding a page: an entry in `nav.ts`
//! and one here; the nav, the routes and the shortcuts follow.

import type { ComponentType, ReactNode } from 'react';
import { EmulatorPage } from '../emulator/EmulatorPage';
import { FlowPage } from '../flow/FlowPage';
import { KeysPage } from '../keys/KeysPage';
import { PlatformsPage } from '../platforms/PlatformsPage';
import { RulesPage } from '../rules/RulesPage';
import { SettingsPage } from '../settings/SettingsPage';
import { SetupPage } from '../setup/SetupPage';
import { EmulatorIcon, KeyIcon, PlatformsIcon, RulesIcon, SettingsIcon, SetupIcon, TimelineIcon } from '../shared/icons';
import { TimelinePage } from '../timeline/TimelinePage';
import type { PageId } from './nav';
import type { Route } from './router';

export interface PageView {
  icon: (p: { size?: number }) => ReactNode;
  component: ComponentType<{ route: Route }>;
}

export const PAGE_VIEWS: Record<PageId, PageView> = {
  timeline: { icon: TimelineIcon, component: TimelinePage },
  flows: { icon: TimelineIcon, component: FlowPage },
  setup: { icon: SetupIcon, component: SetupPage },
  platforms: { icon: PlatformsIcon, component: PlatformsPage },
  emulator: { icon: EmulatorIcon, component: EmulatorPage },
  keys: { icon: KeyIcon, component: KeysPage },
  rules: { icon: RulesIcon, component: RulesPage },
  settings: { icon: SettingsIcon, component: SettingsPage },
};
