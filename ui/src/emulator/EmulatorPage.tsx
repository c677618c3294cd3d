//! Emulator: the platform side, a small LMS inside the inspector. Sub-views, each routed
//! (`#/emulator/<tab>/<course id>`): Overview ("Launch demo", the emulator's issuer and
//! endpoints), Courses (roster editing, resource links), Tools (the tool registry), Launch
//! ("Launch as <user>" with message type and negative tests) and Gradebook (line items ×
//! learners, live, and the deep-linked items).

import type { Route } from '../app/router';
import { PageHeader } from '../shared/Page';
import { CoursesView } from './CoursesView';
import { GradebookView } from './GradebookView';
import { LaunchView } from './LaunchView';
import { OverviewView } from './OverviewView';
import { EMULATOR_TABS, emulatorHref, tabOf } from './routes';
import { ToolsView } from './ToolsView';

export function EmulatorPage({ route }: { route: Route }) {
  const tab = tabOf(route);
  const courseId = route.rest[1];
  return (
    <div className="page-scroll emulator-page" data-testid="emulator-page">
      <PageHeader
        title="Emulator"
        subtitle="The platform side: a small LMS that launches into tools over loopback — courses, roles, signed launches, roster and gradebook services — with no LMS account needed."
      />
      <div className="tabs tabs-inline emu-tabs" role="tablist" aria-label="Emulator views">
        {EMULATOR_TABS.map((t) => (
          <a
            key={t.id}
            href={emulatorHref(t.id, t.id === 'overview' || t.id === 'tools' ? undefined : courseId)}
            role="tab"
            aria-selected={tab === t.id}
            className={tab === t.id ? 'active' : ''}
            data-testid={`emu-tab-${t.id}`}
          >
            {t.label}
          </a>
        ))}
      </div>
      <div className="emu-body" key={tab}>
        {tab === 'overview' && <OverviewView />}
        {tab === 'courses' && <CoursesView courseId={courseId} />}
        {tab === 'tools' && <ToolsView />}
        {tab === 'launch' && <LaunchView courseId={courseId} toolId={route.rest[2]} />}
        {tab === 'gradebook' && <GradebookView courseId={courseId} />}
      </div>
    </div>
  );
}
