// A consumer's signed LTI 1.1 launch (RFC 5849, HMAC-SHA1) for the browser and desktop tests,
// written from the RFC rather than taken from the code under test.
import crypto from 'node:crypto';

/** RFC 5849 percent-encoding. */
export const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** A consumer's signed launch (HMAC-SHA1), as an LMS's form would post it. */
export function signedLaunch(url, key, secret, extra = {}) {
  const params = {
    lti_message_type: 'basic-lti-launch-request',
    lti_version: 'LTI-1p0',
    resource_link_id: 'browser-link',
    user_id: 'u-browser',
    roles: 'Instructor',
    lis_person_name_full: 'Katherine <i>Johnson</i>',
    context_title: 'Orbital Mechanics',
    launch_presentation_return_url: 'https://lms.example/return',
    oauth_consumer_key: key,
    oauth_signature_method: 'HMAC-SHA1',
    oauth_timestamp: String(Math.floor(Date.now() / 1000)),
    oauth_nonce: crypto.randomUUID(),
    oauth_version: '1.0',
    ...extra,
  };
  const normalized = Object.entries(params)
    .map(([k, v]) => [enc(k), enc(v)])
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const base = `POST&${enc(url)}&${enc(normalized)}`;
  params.oauth_signature = crypto.createHmac('sha1', `${enc(secret)}&`).update(base).digest('base64');
  return params;
}

