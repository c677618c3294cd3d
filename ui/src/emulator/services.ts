//! The emulator's per-course service URLs (NRPS memberships, AGS line items), for showing to a
//! person. `get_emulator_setup` gives the issuer; the course paths are the emulator's routes
//! (`/courses/<id>/…`), the same URLs every launch carries in its NRPS and AGS claims.

export function serviceUrls(issuer: string, courseId: string): { memberships: string; lineitems: string } {
  const base = `${issuer.replace(/\/+$/, '')}/courses/${encodeURIComponent(courseId)}`;
  return { memberships: `${base}/memberships`, lineitems: `${base}/lineitems` };
}
