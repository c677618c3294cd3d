//! Roles as readable badges: the role's name, its vocabulary (context, institution, system), a
//! sub-role's principal, and a flag with the note for deprecated forms. The URI is the tooltip.

import type { RoleBadge, RoleKind } from '../bindings';
import { Badge, type Tone } from '../shared/Badge';

const KIND: Record<RoleKind, { label: string; tone: Tone }> = {
  context: { label: 'context', tone: 'blue' },
  institution: { label: 'institution', tone: 'violet' },
  system: { label: 'system', tone: 'teal' },
  lti_system: { label: 'LTI system', tone: 'teal' },
  unknown: { label: 'unknown', tone: 'amber' },
};

export function RoleBadges({ roles }: { roles: readonly RoleBadge[] }) {
  if (roles.length === 0) return <span className="muted small">No roles (an empty roles claim is allowed).</span>;
  return (
    <ul className="roles" data-testid="roles">
      {roles.map((r, i) => {
        const kind = KIND[r.kind] ?? KIND.unknown;
        return (
          <li key={`${r.uri}-${i}`} className={`role ${r.deprecated ? 'role-deprecated' : ''} ${!r.known ? 'role-unknown' : ''}`} title={r.uri}>
            <span className="role-name">
              {r.sub_role_of && !r.name.includes(r.sub_role_of) ? `${r.sub_role_of} › ` : ''}
              {r.name}
            </span>
            <Badge tone={kind.tone}>{kind.label}</Badge>
            {!r.known && <Badge tone="amber">not in the LTI vocabulary</Badge>}
            {r.deprecated && (
              <Badge tone="amber" title={r.deprecation_note ?? 'Deprecated form'}>
                deprecated
              </Badge>
            )}
            {r.deprecated && r.deprecation_note && <span className="role-note">{r.deprecation_note}</span>}
          </li>
        );
      })}
    </ul>
  );
}
