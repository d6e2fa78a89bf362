#!/usr/bin/env node
// Standards-strict OAuth 2.0 / OpenID Connect authorization server for Switchboard's
// Rust and end-to-end tests, built on `oidc-provider` (panva).
//
//   node tests/oidc/server.mjs [--port N] [--access-ttl SECONDS] [--refresh-ttl SECONDS]
//                              [--ignore-stdin]
//
// Contract (see README.md):
//   * binds 127.0.0.1 only; --port 0 (default) lets the OS pick a free port;
//   * once listening, prints exactly ONE line to stdout:
//       {"issuer":"http://127.0.0.1:PORT","discovery":"http://127.0.0.1:PORT/.well-known/openid-configuration"}
//     and nothing else ever goes to stdout (everything else goes to stderr);
//   * runs until SIGTERM / SIGINT, or until its stdin reaches EOF (so a parent test process
//     holding the write end of a stdin pipe takes the server down when it dies), unless
//     --ignore-stdin is given (for running it by hand in the background).
//
// Test-only admin surface on the same origin, under /__test/:
//   GET  /__test/events                 counters of provider events (see README.md)
//   POST /__test/reset                  zero all counters
//   POST /__test/revoke-grants?sub=ID   revoke every grant (and its tokens) of account ID

import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { parseArgs } from 'node:util';

// ---------------------------------------------------------------------------------------------
// stdout hygiene. oidc-provider prints its "NOTICE"s with console.info (i.e. to stdout) and its
// "WARNING"s with console.warn; both are expected for a dev-only harness (in-memory adapter,
// devInteractions, Node 20 not being an LTS it lists as supported, ...). Route all console output
// to stderr and drop those notices unless OIDC_HARNESS_VERBOSE=1. This has to happen before
// oidc-provider is loaded (it warns at import time), hence the dynamic import below.
// ---------------------------------------------------------------------------------------------
const verbose = process.env.OIDC_HARNESS_VERBOSE === '1';
for (const method of ['log', 'info', 'debug', 'warn']) {
  console[method] = (...args) => {
    const first = typeof args[0] === 'string' ? args[0] : '';
    // oidc-provider colours its notices on a TTY, so match anywhere in the first argument.
    if (!verbose && /oidc-provider (WARNING|NOTICE):|^ {2}- |Breaking changes between/.test(first)) {
      return;
    }
    console.error(...args);
  };
}

const { default: Provider, errors } = await import('oidc-provider');

// ---------------------------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------------------------
function usage(message) {
  process.stderr.write(`${message}\nusage: node tests/oidc/server.mjs [--port N] [--access-ttl SECONDS] [--refresh-ttl SECONDS] [--ignore-stdin]\n`);
  process.exit(2);
}

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      'access-ttl': { type: 'string', default: '3600' },
      'refresh-ttl': { type: 'string', default: String(14 * 24 * 60 * 60) },
      'ignore-stdin': { type: 'boolean', default: false },
    },
    strict: true,
  }));
} catch (err) {
  usage(err.message);
}

function intArg(name, min, max) {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < min || value > max) {
    usage(`--${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(args[name])}`);
  }
  return value;
}
const port = intArg('port', 0, 65535);
const accessTtl = intArg('access-ttl', 1, 10 * 365 * 24 * 60 * 60);
const refreshTtl = intArg('refresh-ttl', 1, 10 * 365 * 24 * 60 * 60);

// ---------------------------------------------------------------------------------------------
// Clients
// ---------------------------------------------------------------------------------------------
// Native-app redirect URIs (RFC 8252). For loopback IP redirects (§7.3) oidc-provider ignores the
// port when comparing a request's redirect_uri with these registered ones, as long as the client
// is `application_type: 'native'` -- no option needed (checked by harness.test.mjs).
const REDIRECT_URIS = [
  'http://127.0.0.1/callback/oidc_test',
  'http://[::1]/callback/oidc_test',
  'dev.switchboard.app://oauth/callback/oidc_test', // private-use URI scheme (RFC 8252 §7.1)
];

const COMMON_CLIENT = {
  application_type: 'native',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: REDIRECT_URIS,
  scope: 'openid profile email offline_access',
};

const CLIENTS = [
  {
    ...COMMON_CLIENT,
    client_id: 'switchboard-native',
    client_name: 'Switchboard (public native client)',
    token_endpoint_auth_method: 'none',
  },
  {
    ...COMMON_CLIENT,
    client_id: 'switchboard-confidential',
    client_name: 'Switchboard (confidential client)',
    client_secret: 'CANARY-oidc-client-secret-7c2a',
    token_endpoint_auth_method: 'client_secret_basic',
  },
];

// ---------------------------------------------------------------------------------------------
// Accounts: any login id exists; `sub` is the login itself.
// ---------------------------------------------------------------------------------------------
async function findAccount(_ctx, id) {
  if (typeof id !== 'string' || id === '') return undefined;
  return {
    accountId: id,
    async claims() {
      return {
        sub: id,
        name: id.charAt(0).toUpperCase() + id.slice(1),
        preferred_username: id,
        email: `${id}@example.test`,
        email_verified: true,
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Event counters (served by GET /__test/events)
// ---------------------------------------------------------------------------------------------
// Always present in the JSON, even when still zero.
const BASE_EVENTS = [
  'grant.success',
  'grant.error',
  'grant.revoked',
  'refresh_token.consumed',
  'refresh_token.saved',
  'access_token.saved',
  'authorization.success',
  'authorization.error',
  'server_error',
];

let counters;
function resetCounters() {
  counters = {
    events: Object.fromEntries(BASE_EVENTS.map((name) => [name, 0])),
    errors: {}, // event name -> { oauth error code -> count }
    recentErrors: [], // last few "event: code (detail)" strings, for debugging failing tests
    refreshTokenReuse: 0,
  };
}
resetCounters();

// oidc-provider answers a rotated (already consumed) refresh token being presented again by
// destroying it, revoking the whole grant and failing with InvalidGrant('refresh token already
// used') -- see lib/actions/grants/refresh_token.js. By the time that error is thrown the
// presented token has been put on ctx.oidc.entities.RefreshToken with its `consumed` timestamp
// set, which is what we look at; the detail string is a fallback should that ever change.
function isRefreshTokenReuse(ctx, err) {
  if (!(err instanceof errors.InvalidGrant)) return false;
  if (ctx?.oidc?.params?.grant_type !== 'refresh_token') return false;
  return Boolean(ctx.oidc.entities?.RefreshToken?.consumed)
    || err.error_detail === 'refresh token already used';
}

function recordEvent(name, args) {
  counters.events[name] = (counters.events[name] ?? 0) + 1;

  if (name.endsWith('.error') || name === 'server_error') {
    const [ctx, err] = args;
    const code = err?.error ?? err?.name ?? 'unknown';
    const perEvent = (counters.errors[name] ??= {});
    perEvent[code] = (perEvent[code] ?? 0) + 1;

    counters.recentErrors.push(`${name}: ${code}${err?.error_detail ? ` (${err.error_detail})` : ''}`);
    if (counters.recentErrors.length > 50) counters.recentErrors.shift();

    if (name === 'grant.error' && isRefreshTokenReuse(ctx, err)) {
      counters.refreshTokenReuse += 1;
    }
    if (name === 'server_error') {
      console.error('oidc harness: server_error', err);
    }
  }
}

function eventsSnapshot() {
  return {
    ...counters.events,
    refresh_token_reuse: counters.refreshTokenReuse,
    errors: counters.errors,
    recent_errors: counters.recentErrors,
  };
}

// Grant ids per account, so /__test/revoke-grants can find them (the in-memory adapter has no
// index by account). Maintained from the model events.
const grantsByAccount = new Map();
function trackGrants(name, args) {
  const [model] = args;
  if (name === 'grant.saved' && model?.accountId) {
    if (!grantsByAccount.has(model.accountId)) grantsByAccount.set(model.accountId, new Set());
    grantsByAccount.get(model.accountId).add(model.jti);
  } else if (name === 'grant.destroyed' && model?.accountId) {
    grantsByAccount.get(model.accountId)?.delete(model.jti);
  }
}

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------
// Listen first so that the issuer can carry the port the OS picked; requests are only handled
// once the provider exists (nobody knows the port before the JSON line is printed anyway).
const server = http.createServer();
try {
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
} catch (err) {
  process.stderr.write(`oidc harness: cannot listen on 127.0.0.1:${port}: ${err.message}\n`);
  process.exit(1);
}
const issuer = `http://127.0.0.1:${server.address().port}`;

// A fresh signing key per run (tests fetch the JWKS from jwks_uri); RS256 is the OIDC default
// id_token algorithm.
const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = {
  ...privateKey.export({ format: 'jwk' }),
  kid: `harness-${crypto.randomBytes(4).toString('hex')}`,
  alg: 'RS256',
  use: 'sig',
};

const provider = new Provider(issuer, {
  clients: CLIENTS,
  jwks: { keys: [signingKey] },
  findAccount,

  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
  },
  scopes: ['openid', 'profile', 'email', 'offline_access'],
  responseTypes: ['code'],
  // A redirect_uri must always be sent, even by clients with a single registered one.
  allowOmittingSingleRegisteredRedirectUri: false,

  // PKCE (RFC 7636) for every client and every authorization request. oidc-provider 9 only
  // implements the S256 method (`plain` is rejected; discovery advertises ["S256"]).
  pkce: { required: () => true },

  // Refresh tokens whenever offline_access was requested (and so granted, see
  // offlineAccessImpliesConsent below for why no `prompt=consent` is needed).
  issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token')
    && code.scopes.has('offline_access'),
  // Rotate on every refresh, for public and confidential clients alike.
  rotateRefreshToken: true,

  ttl: {
    AccessToken: accessTtl,
    AuthorizationCode: 60,
    IdToken: 3600,
    RefreshToken: refreshTtl,
    Interaction: 3600,
    Session: 14 * 24 * 60 * 60,
    Grant: 14 * 24 * 60 * 60,
  },

  features: {
    devInteractions: { enabled: true }, // login + consent pages, driven by approve.mjs
    userinfo: { enabled: true },
    revocation: {
      enabled: true, // RFC 7009
      // Same as the library default, minus its "you SHOULD change this" notice.
      allowedPolicy: async (_ctx, client, token) => {
        if (token.clientId !== client.clientId) {
          if (client.clientAuthMethod === 'none') return false; // silently ignored (200)
          throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
        }
        return true;
      },
    },
    introspection: {
      enabled: true, // RFC 7662, handy for asserting token state
      allowedPolicy: async (ctx, client, token) => !(client.clientAuthMethod === 'none'
        && token.clientId !== ctx.oidc.client.clientId),
    },
    // Access tokens stay opaque and meant for userinfo; no resource servers in this harness.
    resourceIndicators: { enabled: false },
  },

  // Same as the library default (public clients may call from their redirect_uri origins).
  clientBasedCORS: (ctx, origin, client) => {
    if (origin === 'null') return false;
    if (ctx.oidc.route === 'userinfo' || client.clientAuthMethod === 'none') {
      return client.redirectUris.some((uri) => URL.parse(uri)?.origin === origin);
    }
    return false;
  },

  // Minimal error page for browsers (the default one pulls in a web font and logs a notice).
  renderError: async (ctx, out) => {
    const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    ctx.type = 'html';
    ctx.body = `<!DOCTYPE html><html><head><title>oops! something went wrong</title></head><body>`
      + `<h1>oops! something went wrong</h1><pre>${escape(JSON.stringify(out, null, 2))}</pre></body></html>`;
  },

  cookies: {
    keys: ['switchboard-oidc-harness-cookie-key-1', 'switchboard-oidc-harness-cookie-key-2'],
  },
});

// Count every event the provider emits (model events like `refresh_token.saved` included), no
// matter who listens.
const emit = provider.emit.bind(provider);
provider.emit = (name, ...eventArgs) => {
  try {
    recordEvent(name, eventArgs);
    trackGrants(name, eventArgs);
  } catch (err) {
    console.error('oidc harness: event bookkeeping failed', err);
  }
  return emit(name, ...eventArgs);
};

// Client authentication strictness: oidc-provider accepts client_secret_post from a client
// registered for client_secret_basic (and vice versa). The harness does not: a secret in the
// request body of a client_secret_basic client fails with invalid_client, through the provider's
// normal error path (so it is counted as e.g. grant.error {invalid_client}).
const { compareClientSecret } = provider.Client.prototype;
provider.Client.prototype.compareClientSecret = function strictCompareClientSecret(actual) {
  const ctx = Provider.ctx; // the request being processed (AsyncLocalStorage)
  if (this.clientAuthMethod === 'client_secret_basic' && ctx?.oidc?.params?.client_secret !== undefined) {
    throw new errors.InvalidClientAuth(
      'client_secret in the request body, but the client is registered for client_secret_basic',
    );
  }
  return compareClientSecret.call(this, actual);
};

// offline_access without prompt=consent. OIDC Core §11 says the prompt parameter MUST contain
// `consent` for offline_access "unless other conditions for processing the request permitting
// offline access to the requested resources are in place", and oidc-provider implements only the
// first half: it silently drops offline_access from any authorization request whose prompt lacks
// `consent` (lib/actions/authorization/scopes.js). In this harness every authorization of these
// native clients goes through the consent page anyway, so an authorization request (GET/POST
// /auth, or a pushed one at /request) asking for offline_access is treated as if it also
// carried prompt=consent. prompt=none is left alone (no consent can happen then), and so are
// requests with duplicated parameters (which the provider rejects on its own).
const OFFLINE_ACCESS_PATHS = new Set([
  provider.pathFor('authorization'),
  provider.pathFor('pushed_authorization_request'),
]);

function addConsentForOfflineAccess(params) {
  const scopes = params.getAll('scope');
  const prompts = params.getAll('prompt');
  if (scopes.length !== 1 || prompts.length > 1) return false;
  if (!scopes[0].split(' ').includes('offline_access')) return false;
  const prompt = prompts[0]?.split(' ').filter(Boolean) ?? [];
  if (prompt.includes('consent') || prompt.includes('none')) return false;
  params.set('prompt', [...prompt, 'consent'].join(' '));
  return true;
}

async function readBody(req, limit = 64 * 1024) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function offlineAccessImpliesConsent(ctx) {
  if (!OFFLINE_ACCESS_PATHS.has(ctx.path)) return;
  if (ctx.method === 'GET') {
    const params = new URLSearchParams(ctx.querystring);
    if (addConsentForOfflineAccess(params)) ctx.querystring = params.toString();
  } else if (ctx.method === 'POST' && ctx.is('application/x-www-form-urlencoded')) {
    // Reading the stream here makes oidc-provider fall back to ctx.request.body (a supported,
    // if noisy, path: its "already parsed request body" warning is filtered above).
    const params = new URLSearchParams(await readBody(ctx.req));
    addConsentForOfflineAccess(params);
    ctx.request.body = params.toString();
  }
}

// Revoke a grant the way oidc-provider's own revoke helper does: every token minted from it
// plus the grant itself.
async function revokeGrant(grantId) {
  await Promise.all([
    provider.AccessToken.revokeByGrantId(grantId),
    provider.RefreshToken.revokeByGrantId(grantId),
    provider.AuthorizationCode.revokeByGrantId(grantId),
    provider.Grant.adapter.destroy(grantId),
  ]);
  provider.emit('grant.revoked', undefined, grantId);
}

// Mounted in front of oidc-provider's router by provider.use(): the /__test/ admin surface, and
// the offline_access request rewrite for everything else.
provider.use(async (ctx, next) => {
  if (!ctx.path.startsWith('/__test/')) {
    await offlineAccessImpliesConsent(ctx);
    return next();
  }
  ctx.set('cache-control', 'no-store');

  if (ctx.path === '/__test/events' && ctx.method === 'GET') {
    ctx.body = eventsSnapshot();
  } else if (ctx.path === '/__test/reset' && ctx.method === 'POST') {
    resetCounters();
    ctx.body = eventsSnapshot();
  } else if (ctx.path === '/__test/revoke-grants' && ctx.method === 'POST') {
    const sub = ctx.query.sub;
    if (typeof sub !== 'string' || sub === '') {
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: 'sub query parameter required' };
      return;
    }
    const grantIds = [...(grantsByAccount.get(sub) ?? [])];
    for (const grantId of grantIds) await revokeGrant(grantId);
    grantsByAccount.delete(sub);
    ctx.body = { sub, revoked_grants: grantIds.length };
  } else {
    ctx.status = 404;
    ctx.body = { error: 'not_found' };
  }
});

server.on('request', provider.callback());

// ---------------------------------------------------------------------------------------------
// Lifetime
// ---------------------------------------------------------------------------------------------
let stopping = false;
function shutdown() {
  if (stopping) return;
  stopping = true;
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

if (!args['ignore-stdin']) {
  // EOF (or an error) on stdin means the parent is gone: exit. Whatever is written is ignored.
  process.stdin.on('data', () => {});
  process.stdin.on('end', shutdown);
  process.stdin.on('close', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}

// The one and only stdout line, printed last: a parent may signal us the moment it reads
// it, so the signal handlers above must already be installed.
process.stdout.write(`${JSON.stringify({
  issuer,
  discovery: `${issuer}/.well-known/openid-configuration`,
})}\n`);

