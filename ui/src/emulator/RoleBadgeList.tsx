//! A member's context roles as compact badges (TeachingAssistant, Mentor, TestUser…), the URI as
//! the tooltip. Roles are stored data: shown as text.

import { Badge } from '../shared/Badge';
import { roleView } from './roles';

export function RoleBadgeList({ roles }: { roles: readonly string[] }) {
  if (roles.length === 0) return <span className="muted small">no roles</span>;
  return (
    <span className="badge-list" data-testid="member-roles">
      {roles.map((r, i) => {
        const v = roleView(r);
        return (
          <Badge key={`${r}-${i}`} tone={v.tone} title={v.other ? `${v.uri} (not one of the roles the form offers)` : v.uri}>
            {v.label}
          </Badge>
        );
      })}
    </span>
  );
}

const STATUS_TONE = { Active: 'green', Inactive: 'amber', Deleted: 'red' } as const;

export function StatusBadge({ status }: { status: string }) {
  const tone = (STATUS_TONE as Record<string, 'green' | 'amber' | 'red'>)[status] ?? 'neutral';
  return <Badge tone={tone}>{status || '—'}</Badge>;
}
