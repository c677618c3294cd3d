//! Where each value of the Setup page goes in the registration forms of common LMSs. Data, not
//! markup: reviewed like code, rendered as text.

export type SetupValue = 'base' | 'login' | 'launch' | 'target' | 'deep_link' | 'jwks' | 'jwk' | 'pem' | 'registration' | 'lti11';

export interface LmsGuide {
  lms: string;
  /** Where the registration form is. */
  path: string;
  /** `also`: further values the field takes, one per line (copied together). */
  fields: Array<{ field: string; value: SetupValue | null; also?: SetupValue[]; note?: string }>;
}

export const VALUE_LABELS: Record<SetupValue, string> = {
  base: 'Tool base URL',
  login: 'Login initiation URL',
  launch: 'Redirect / launch URL',
  target: 'Target link URI',
  deep_link: 'Deep linking URL',
  jwks: 'JWKS URL',
  jwk: 'Public JWK',
  pem: 'Public key (PEM)',
  registration: 'Dynamic Registration URL',
  lti11: 'LTI 1.1 launch URL',
};

export const LMS_GUIDES: LmsGuide[] = [
  {
    lms: 'Canvas',
    path: 'Admin → Developer Keys → + Developer Key → LTI Key',
    fields: [
      { field: 'Redirect URIs', value: 'launch', also: ['deep_link'], note: 'and the deep linking URL, one per line' },
      { field: 'Target Link URI', value: 'target' },
      { field: 'OpenID Connect Initiation Url', value: 'login' },
      { field: 'JWK Method → Public JWK', value: 'jwk', note: 'paste the JSON; no reachability needed' },
      { field: 'JWK Method → Public JWK URL', value: 'jwks', note: 'only if Canvas can reach it' },
    ],
  },
  {
    lms: 'Moodle',
    path: 'Site administration → Plugins → External tool → Manage tools → configure a tool manually (or paste the Dynamic Registration URL into “Tool URL” and Add LTI Advantage)',
    fields: [
      { field: 'Tool URL', value: 'target' },
      { field: 'LTI version', value: null, note: 'LTI 1.3' },
      { field: 'Public key type → RSA key', value: 'pem', note: 'paste the PEM' },
      { field: 'Public key type → Keyset URL', value: 'jwks', note: 'only if Moodle can reach it' },
      { field: 'Initiate login URL', value: 'login' },
      { field: 'Redirection URI(s)', value: 'launch', also: ['deep_link'], note: 'and the deep linking URL, one per line' },
      { field: 'Content Selection URL (Deep Linking)', value: 'deep_link' },
    ],
  },
  {
    lms: 'Blackboard',
    path: 'developer.blackboard.com → My Apps → Register a new application',
    fields: [
      { field: 'Login Initiation URL', value: 'login' },
      { field: 'Tool Redirect URL(s)', value: 'launch', note: 'add the deep linking URL' },
      { field: 'Tool JWKS URL', value: 'jwks', note: 'a URL only: see the reachability note' },
      { field: 'Placement → Target Link URI', value: 'target' },
    ],
  },
  {
    lms: 'Brightspace (D2L)',
    path: 'Admin Tools → Manage Extensibility → LTI Advantage → Register Tool (Standard)',
    fields: [
      { field: 'Domain', value: 'base' },
      { field: 'Redirect URLs', value: 'launch', note: 'add the deep linking URL' },
      { field: 'OpenID Connect Login URL', value: 'login' },
      { field: 'Target Link URI', value: 'target' },
      { field: 'Keyset URL', value: 'jwks', note: 'a URL only: see the reachability note' },
    ],
  },
];
