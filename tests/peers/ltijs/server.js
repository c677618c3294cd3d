// An independent LTI 1.3 tool built on ltijs (npm) — an interop peer for LTI Inspector's
// emulator. ltijs does the real tool work: its Dynamic Registration (fetching the platform's
// OpenID configuration, posting the client registration with the registration token, storing
// the platform), the OIDC login, validating the id_token against the platform's JWKS, and the
// keyset. Its store is PostgreSQL through ltijs-sequelize (ltijs's default, MongoDB, is not in
// the registries this setup reaches). This file only wires it up.
//
//   PORT=… PGHOST=127.0.0.1 PGPORT=… PGDATABASE=… node server.js
//
// It prints `ltijs peer listening on http://127.0.0.1:PORT` when ready. A valid launch answers
// 200 "ltijs accepted: <name> as <roles>"; ltijs answers a refused one itself (401, its reason).
// With COMPAT_PLATFORM set it also registers `make compat`'s platform before it says so.

const lti = require('ltijs').Provider;
const Database = require('ltijs-sequelize');

const port = Number(process.env.PORT);
const base = `http://127.0.0.1:${port}`;
const db = new Database(process.env.PGDATABASE, process.env.PGUSER || 'postgres', process.env.PGPASSWORD || '', {
  host: process.env.PGHOST || '127.0.0.1',
  port: Number(process.env.PGPORT),
  dialect: 'postgres',
  logging: false,
});

lti.setup(
  'ltijs-peer-encryption-key-0123456789',
  { plugin: db },
  {
    appRoute: '/',
    loginRoute: '/login',
    keysetRoute: '/keys',
    dynRegRoute: '/register',
    // The DR test runs in dev mode (no state cookie needed); `make compat` measures ltijs as
    // deployed (LTIJS_DEV_MODE=false): the state and session cookies are required.
    devMode: process.env.LTIJS_DEV_MODE !== 'false',
    cookies: { secure: false, sameSite: '' },
    dynReg: {
      url: base,
      name: 'ltijs peer tool',
      logo: `${base}/logo.png`,
      description: 'ltijs 5 registered by Dynamic Registration',
      redirectUris: [],
      customParameters: {},
      autoActivate: true,
    },
  },
);

lti.onConnect((token, req, res) => {
  const roles = (token.platformContext && token.platformContext.roles) || [];
  return res.status(200).send(`ltijs accepted: ${token.userInfo && token.userInfo.name} as ${roles.join(',')}`);
});

// `make compat`: ltijs's NRPS / AGS client reads the answer at ?url= (its access token from the
// registered platform's token endpoint) and answers what the app would get; a refusal is 502
// with ltijs's words. The id token object is the shape ltijs keeps for a launch.
async function compatService(req, res, kind) {
  const p = JSON.parse(process.env.COMPAT_PLATFORM || '{}');
  const token = {
    iss: p.url,
    clientId: p.clientId,
    platformContext: {
      namesRoles: { context_memberships_url: req.query.url },
      endpoint: { lineitems: req.query.url, scope: ['https://purl.imsglobal.org/spec/lti-ags/scope/lineitem'] },
    },
  };
  try {
    const got = kind === 'nrps' ? await lti.NamesAndRoles.getMembers(token) : await lti.Grade.getLineItems(token);
    return res.status(200).json(got);
  } catch (e) {
    return res.status(502).type('text/plain').send(`${e.name}: ${e.message}`);
  }
}
lti.whitelist('/compat/nrps', '/compat/ags');
lti.app.get('/compat/nrps', (req, res) => compatService(req, res, 'nrps'));
lti.app.get('/compat/ags', (req, res) => compatService(req, res, 'ags'));

lti.onDeepLinking((token, req, res) => res.status(200).send('ltijs accepted a deep linking request'));

// `make compat` registers its platform up front (COMPAT_PLATFORM: {url, clientId, jwksUrl,
// authUrl, tokenUrl}) — the way an app registers a platform it was told about by hand.
async function registerCompatPlatform() {
  if (!process.env.COMPAT_PLATFORM) return;
  const p = JSON.parse(process.env.COMPAT_PLATFORM);
  await lti.registerPlatform({
    url: p.url,
    name: 'compat harness',
    clientId: p.clientId,
    authenticationEndpoint: p.authUrl,
    accesstokenEndpoint: p.tokenUrl,
    authConfig: { method: 'JWK_SET', key: p.jwksUrl },
  });
}

lti.deploy({ port, silent: true }).then(registerCompatPlatform).then(
  () => console.log(`ltijs peer listening on ${base}`),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
