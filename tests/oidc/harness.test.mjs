// Self-tests of the OIDC harness: `cd tests && node --test oidc/`
//
// Starts server.mjs as a child process exactly as the Rust tests do (first stdout line = JSON)
// and drives real authorization-code + PKCE flows through it with approve.mjs.

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { ApproveError, approve } from './approve.mjs';

const SERVER = fileURLToPath(new URL('./server.mjs', import.meta.url));
const APPROVE = fileURLToPath(new URL('./approve.mjs', import.meta.url));
const ACCESS_TTL = 120;
const NATIVE = 'switchboard-native';
const CONFIDENTIAL = 'switchboard-confidential';
const SECRET = 'CANARY-oidc-client-secret-7c2a';
const LOOPBACK_REDIRECT = 'http://127.0.0.1:54321/callback/oidc_test';
const SCOPE = 'openid profile email offline_access';

// --- helpers ----------------------------------------------------------------------------------

/**
 * Spawns server.mjs; resolves with { child, issuer, discovery, stderr() } once it printed its line.
 * A server that has not printed it in 15 s is killed and started once more.
 */
// why: once in many runs a fresh node process stalled before its first line (main thread
// parked on a futex with 0.7 s of CPU, port already bound, nothing on stderr), and the
// suite then waited on the live child forever.
async function startServer(extraArgs = []) {
  try {
    return await startServerOnce(extraArgs);
  } catch (err) {
    if (!err.stalled) throw err;
    // Killed and gone before the second start, which may ask for the same port.
    const gone = once(err.stalled, 'exit');
    err.stalled.kill('SIGKILL');
    await gone;
    process.stderr.write(`${err.message}; killed it, starting it once more\n`);
    return startServerOnce(extraArgs);
  }
}

async function startServerOnce(extraArgs) {
  const child = spawn(process.execPath, [SERVER, ...extraArgs], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });

  const lines = createInterface({ input: child.stdout });
  const firstLine = new Promise((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server exited early (${code}): ${stderr}`)));
  });
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      const err = new Error(`server did not start in 15 s: ${stderr}`);
      err.stalled = child;
      reject(err);
    }, 15_000);
    timer.unref();
  });
  const line = await Promise.race([firstLine, timeout]).finally(() => clearTimeout(timer));
  // Anything else on stdout would break the Rust side's contract.
  const extraStdout = [];
  lines.on('line', (l) => extraStdout.push(l));
  return { child, ...JSON.parse(line), line, extraStdout, stderr: () => stderr };
}

async function stopServer(server) {
  if (server.child.exitCode !== null) return server.child.exitCode;
  const exited = once(server.child, 'exit');
  server.child.stdin.end(); // EOF on stdin is the shutdown signal
  const [code] = await exited;
  return code;
}

function pkce() {
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

function authorizeUrl(metadata, params) {
  const url = new URL(metadata.authorization_endpoint);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.href;
}

async function postForm(url, params, { basic } = {}) {
  const headers = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (basic) {
    // RFC 6749 §2.3.1: form-urlencode id and secret before base64.
    const [id, secret] = basic.map(encodeURIComponent);
    headers.authorization = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  }
  const res = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(params) });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, json, text, headers: res.headers };
}

function decodeJwt(jwt) {
  const [header, payload] = jwt.split('.').slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
  return { header, payload };
}

async function verifyIdToken(metadata, idToken) {
  const { header, payload } = decodeJwt(idToken);
  assert.equal(header.alg, 'RS256');
  const { keys } = await (await fetch(metadata.jwks_uri)).json();
  const jwk = keys.find((k) => k.kid === header.kid);
  assert.ok(jwk, 'id_token kid is in the JWKS');
  assert.equal(jwk.d, undefined, 'JWKS exposes public keys only');
  const [h, p, s] = idToken.split('.');
  const ok = crypto.verify('RSA-SHA256', Buffer.from(`${h}.${p}`), crypto.createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(s, 'base64url'));
  assert.ok(ok, 'id_token signature verifies against jwks_uri');
  return payload;
}

// --- tests ------------------------------------------------------------------------------------

describe('oidc harness', () => {
  let server;
  let metadata;

  const events = async () => (await fetch(`${server.issuer}/__test/events`)).json();
  const resetEvents = async () => (await fetch(`${server.issuer}/__test/reset`, { method: 'POST' })).json();

  /** Runs authorize (via approve) + code exchange; returns { tokens, callback, verifier }. */
  async function codeFlow({
    clientId = NATIVE, redirectUri = LOOPBACK_REDIRECT, login = 'alice', basic, scope = SCOPE, extra = {},
  } = {}) {
    const { verifier, challenge } = pkce();
    const state = crypto.randomBytes(8).toString('hex');
    const nonce = crypto.randomBytes(8).toString('hex');
    const callback = new URL(await approve(authorizeUrl(metadata, {
      client_id: clientId,
      response_type: 'code',
      scope,
      redirect_uri: redirectUri,
      state,
      nonce,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    }), { login }));
    assert.equal(callback.searchParams.get('state'), state);
    assert.equal(callback.searchParams.get('iss'), server.issuer, 'RFC 9207 iss parameter');
    const code = callback.searchParams.get('code');
    assert.ok(code, `code in ${callback}`);

    const params = {
      grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier,
    };
    if (!basic) params.client_id = clientId;
    const res = await postForm(metadata.token_endpoint, params, { basic });
    assert.equal(res.status, 200, res.text);
    return {
      tokens: res.json, callback, verifier, nonce,
    };
  }

  before(async () => {
    server = await startServer(['--access-ttl', String(ACCESS_TTL)]);
    metadata = await (await fetch(server.discovery)).json();
  });

  after(async () => {
    if (server) {
      const code = await stopServer(server);
      assert.equal(code, 0);
    }
  });

  test('prints exactly one JSON line with issuer and discovery on loopback', () => {
    assert.match(server.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(Object.keys(JSON.parse(server.line)), ['issuer', 'discovery']);
    assert.equal(server.discovery, `${server.issuer}/.well-known/openid-configuration`);
    assert.deepEqual(server.extraStdout, []);
  });

  test('discovery lists the endpoints and the strict capabilities', () => {
    assert.equal(metadata.issuer, server.issuer);
    for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'revocation_endpoint', 'introspection_endpoint', 'jwks_uri']) {
      assert.ok(metadata[endpoint]?.startsWith(`${server.issuer}/`), `${endpoint}: ${metadata[endpoint]}`);
    }
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(metadata.response_types_supported, ['code']);
    assert.deepEqual(metadata.grant_types_supported.sort(), ['authorization_code', 'refresh_token']);
    for (const scope of SCOPE.split(' ')) assert.ok(metadata.scopes_supported.includes(scope), scope);
    assert.equal(metadata.authorization_response_iss_parameter_supported, true);
  });

  test('native client: code + PKCE with a loopback redirect on an arbitrary port', async () => {
    const { tokens, callback, nonce } = await codeFlow();
    assert.equal(callback.origin, 'http://127.0.0.1:54321');
    assert.equal(callback.pathname, '/callback/oidc_test');

    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(tokens.expires_in, ACCESS_TTL, '--access-ttl is honoured');
    assert.ok(tokens.access_token);
    assert.ok(tokens.refresh_token, 'offline_access yields a refresh token without prompt=consent');
    assert.deepEqual(tokens.scope.split(' ').sort(), SCOPE.split(' ').sort());

    const claims = await verifyIdToken(metadata, tokens.id_token);
    assert.equal(claims.iss, server.issuer);
    assert.equal(claims.aud, NATIVE);
    assert.equal(claims.sub, 'alice');
    assert.equal(claims.nonce, nonce);

    const userinfo = await fetch(metadata.userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(userinfo.status, 200);
    assert.deepEqual(await userinfo.json(), {
      sub: 'alice', name: 'Alice', preferred_username: 'alice', email: 'alice@example.test', email_verified: true,
    });
  });

  test('native client: [::1] loopback on another port and the custom-scheme redirect', async () => {
    const v6 = await codeFlow({ redirectUri: 'http://[::1]:40123/callback/oidc_test', login: 'bob' });
    assert.equal(v6.callback.host, '[::1]:40123');
    assert.equal(decodeJwt(v6.tokens.id_token).payload.sub, 'bob');

    const custom = await codeFlow({ redirectUri: 'dev.switchboard.app://oauth/callback/oidc_test' });
    assert.equal(custom.callback.protocol, 'dev.switchboard.app:');
    assert.ok(custom.callback.href.startsWith('dev.switchboard.app://oauth/callback/oidc_test?code='));
  });

  test('refresh tokens: iff offline_access is requested, whatever the prompt (except none)', async () => {
    const withPromptLogin = await codeFlow({ extra: { prompt: 'login' } });
    assert.ok(withPromptLogin.tokens.refresh_token, 'prompt=login + offline_access');
    assert.ok(withPromptLogin.tokens.scope.split(' ').includes('offline_access'));

    const explicitConsent = await codeFlow({ extra: { prompt: 'consent' } });
    assert.ok(explicitConsent.tokens.refresh_token, 'prompt=consent + offline_access');

    const online = await codeFlow({ scope: 'openid profile email' });
    assert.equal(online.tokens.refresh_token, undefined, 'no offline_access, no refresh token');

    // prompt=none cannot consent: offline_access is dropped, and without a session login_required.
    const { challenge } = pkce();
    const none = new URL(await approve(authorizeUrl(metadata, {
      client_id: NATIVE, response_type: 'code', scope: SCOPE, redirect_uri: LOOPBACK_REDIRECT, state: 'n', prompt: 'none', code_challenge: challenge, code_challenge_method: 'S256',
    })));
    assert.equal(none.searchParams.get('error'), 'login_required');
  });

  test('pushed authorization request (PAR, POST body) with offline_access', async () => {
    const { verifier, challenge } = pkce();
    const par = await postForm(metadata.pushed_authorization_request_endpoint, {
      client_id: NATIVE, response_type: 'code', scope: SCOPE, redirect_uri: LOOPBACK_REDIRECT, state: 'par', code_challenge: challenge, code_challenge_method: 'S256',
    });
    assert.equal(par.status, 201, par.text);
    const callback = new URL(await approve(authorizeUrl(metadata, { client_id: NATIVE, request_uri: par.json.request_uri })));
    assert.equal(callback.searchParams.get('state'), 'par');
    const res = await postForm(metadata.token_endpoint, {
      grant_type: 'authorization_code', code: callback.searchParams.get('code'), redirect_uri: LOOPBACK_REDIRECT, client_id: NATIVE, code_verifier: verifier,
    });
    assert.equal(res.status, 200, res.text);
    assert.ok(res.json.refresh_token);
  });

  test('code is bound to the PKCE verifier and usable once', async () => {
    const { verifier, challenge } = pkce();
    const callback = new URL(await approve(authorizeUrl(metadata, {
      client_id: NATIVE, response_type: 'code', scope: SCOPE, redirect_uri: LOOPBACK_REDIRECT, state: 's', code_challenge: challenge, code_challenge_method: 'S256',
    })));
    const code = callback.searchParams.get('code');
    const exchange = (codeVerifier) => postForm(metadata.token_endpoint, {
      grant_type: 'authorization_code', code, redirect_uri: LOOPBACK_REDIRECT, client_id: NATIVE, code_verifier: codeVerifier,
    });

    const wrong = await exchange(pkce().verifier);
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json.error, 'invalid_grant');
    // A failed verifier check does not burn the code...
    assert.equal((await exchange(verifier)).status, 200);
    // ...but a successful exchange does.
    const replay = await exchange(verifier);
    assert.equal(replay.status, 400);
    assert.equal(replay.json.error, 'invalid_grant');
  });

  test('PKCE is required and S256 is the only method', async () => {
    const base = {
      client_id: NATIVE, response_type: 'code', scope: SCOPE, redirect_uri: LOOPBACK_REDIRECT, state: 'st',
    };
    const missing = new URL(await approve(authorizeUrl(metadata, base)));
    assert.equal(missing.searchParams.get('error'), 'invalid_request');
    assert.equal(missing.searchParams.get('state'), 'st');

    const { verifier } = pkce();
    const plain = new URL(await approve(authorizeUrl(metadata, { ...base, code_challenge: verifier, code_challenge_method: 'plain' })));
    assert.equal(plain.searchParams.get('error'), 'invalid_request');
  });

  test('refresh rotates the refresh token; replaying the old one is detected and kills the grant', async () => {
    const { tokens } = await codeFlow();
    await resetEvents();

    const refresh = (refreshToken) => postForm(metadata.token_endpoint, {
      grant_type: 'refresh_token', refresh_token: refreshToken, client_id: NATIVE,
    });

    const first = await refresh(tokens.refresh_token);
    assert.equal(first.status, 200, first.text);
    assert.ok(first.json.access_token);
    assert.ok(first.json.refresh_token);
    assert.notEqual(first.json.refresh_token, tokens.refresh_token, 'refresh token rotated');
    assert.notEqual(first.json.access_token, tokens.access_token);

    let counts = await events();
    assert.equal(counts['grant.success'], 1);
    assert.equal(counts['refresh_token.consumed'], 1);
    assert.equal(counts['refresh_token.saved'], 1);
    assert.equal(counts['access_token.saved'], 1);
    assert.equal(counts.refresh_token_reuse, 0);

    // Replay of the rotated-away token.
    const reuse = await refresh(tokens.refresh_token);
    assert.equal(reuse.status, 400);
    assert.equal(reuse.json.error, 'invalid_grant');

    counts = await events();
    assert.equal(counts.refresh_token_reuse, 1);
    assert.equal(counts['grant.error'], 1);
    assert.deepEqual(counts.errors['grant.error'], { invalid_grant: 1 });
    assert.equal(counts['grant.revoked'], 1, 'reuse revokes the whole grant');

    // The whole token family is dead now: the current refresh token and the access token too.
    const current = await refresh(first.json.refresh_token);
    assert.equal(current.status, 400);
    assert.equal(current.json.error, 'invalid_grant');
    const userinfo = await fetch(metadata.userinfo_endpoint, { headers: { authorization: `Bearer ${first.json.access_token}` } });
    assert.equal(userinfo.status, 401);

    counts = await events();
    assert.equal(counts.refresh_token_reuse, 1, 'an unknown token is not counted as reuse');
    assert.deepEqual(counts.errors['grant.error'], { invalid_grant: 2 });
  });

  test('confidential client: refresh rotates too', async () => {
    const { tokens } = await codeFlow({ clientId: CONFIDENTIAL, basic: [CONFIDENTIAL, SECRET] });
    const res = await postForm(metadata.token_endpoint, {
      grant_type: 'refresh_token', refresh_token: tokens.refresh_token,
    }, { basic: [CONFIDENTIAL, SECRET] });
    assert.equal(res.status, 200, res.text);
    assert.notEqual(res.json.refresh_token, tokens.refresh_token);
  });

  test('revocation endpoint (RFC 7009) revokes refresh and access tokens', async () => {
    const { tokens } = await codeFlow();
    const revoke = (token, hint) => postForm(metadata.revocation_endpoint, { token, token_type_hint: hint, client_id: NATIVE });

    const introspect = async (token) => (await postForm(metadata.introspection_endpoint, { token, client_id: NATIVE })).json;
    assert.equal((await introspect(tokens.access_token)).active, true);
    assert.equal((await introspect(tokens.refresh_token)).active, true);

    const at = await revoke(tokens.access_token, 'access_token');
    assert.equal(at.status, 200, at.text);
    const userinfo = await fetch(metadata.userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(userinfo.status, 401);

    const rt = await revoke(tokens.refresh_token, 'refresh_token');
    assert.equal(rt.status, 200, rt.text);
    const res = await postForm(metadata.token_endpoint, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: NATIVE });
    assert.equal(res.status, 400);
    assert.equal(res.json.error, 'invalid_grant');
    assert.equal((await introspect(tokens.access_token)).active, false);
    assert.equal((await introspect(tokens.refresh_token)).active, false);

    // Unknown tokens are fine per RFC 7009 §2.2.
    assert.equal((await revoke('not-a-token')).status, 200);
  });

  test('deny yields error=access_denied at the redirect_uri', async () => {
    const { challenge } = pkce();
    const callback = new URL(await approve(authorizeUrl(metadata, {
      client_id: NATIVE, response_type: 'code', scope: SCOPE, redirect_uri: LOOPBACK_REDIRECT, state: 'deny-state', code_challenge: challenge, code_challenge_method: 'S256',
    }), { deny: true }));
    assert.equal(callback.origin + callback.pathname, LOOPBACK_REDIRECT);
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    assert.equal(callback.searchParams.get('state'), 'deny-state');
    assert.equal(callback.searchParams.get('code'), null);
  });

  test('confidential client needs HTTP Basic with the canary secret', async () => {
    const { verifier, challenge } = pkce();
    const callback = new URL(await approve(authorizeUrl(metadata, {
      client_id: CONFIDENTIAL, response_type: 'code', scope: SCOPE, redirect_uri: LOOPBACK_REDIRECT, state: 'c', code_challenge: challenge, code_challenge_method: 'S256',
    })));
    const params = {
      grant_type: 'authorization_code', code: callback.searchParams.get('code'), redirect_uri: LOOPBACK_REDIRECT, code_verifier: verifier,
    };

    const none = await postForm(metadata.token_endpoint, { ...params, client_id: CONFIDENTIAL });
    assert.equal(none.status, 401);
    assert.equal(none.json.error, 'invalid_client');

    const wrong = await postForm(metadata.token_endpoint, params, { basic: [CONFIDENTIAL, 'wrong-secret'] });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.error, 'invalid_client');

    // The registered method is client_secret_basic: the secret in the body is refused.
    const post = await postForm(metadata.token_endpoint, { ...params, client_id: CONFIDENTIAL, client_secret: SECRET });
    assert.equal(post.status, 401);
    assert.equal(post.json.error, 'invalid_client');

    const ok = await postForm(metadata.token_endpoint, params, { basic: [CONFIDENTIAL, SECRET] });
    assert.equal(ok.status, 200, ok.text);
    assert.ok(ok.json.refresh_token);
    assert.equal(decodeJwt(ok.json.id_token).payload.aud, CONFIDENTIAL);
  });

  test('unregistered redirect_uris are refused without redirecting', async () => {
    const { challenge } = pkce();
    for (const redirectUri of [
      'http://127.0.0.1:54321/callback/other', // wrong path
      'http://localhost:54321/callback/oidc_test', // loopback, but not the registered host
      'https://127.0.0.1/callback/oidc_test', // wrong scheme
      'dev.switchboard.app://oauth/other',
    ]) {
      await assert.rejects(approve(authorizeUrl(metadata, {
        client_id: NATIVE, response_type: 'code', scope: SCOPE, redirect_uri: redirectUri, state: 'x', code_challenge: challenge, code_challenge_method: 'S256',
      })), (err) => {
        assert.ok(err instanceof ApproveError, err);
        assert.equal(err.status, 400, redirectUri);
        assert.match(err.message, /invalid_redirect_uri/);
        return true;
      }, redirectUri);
    }
    const counts = await events();
    assert.ok(counts.errors['authorization.error'].invalid_redirect_uri >= 4);
  });

  test('/__test/revoke-grants revokes every grant of an account', async () => {
    const carol1 = await codeFlow({ login: 'carol' });
    const carol2 = await codeFlow({ login: 'carol', clientId: CONFIDENTIAL, basic: [CONFIDENTIAL, SECRET] });
    const dave = await codeFlow({ login: 'dave' });

    const res = await fetch(`${server.issuer}/__test/revoke-grants?sub=carol`, { method: 'POST' });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { sub: 'carol', revoked_grants: 2 });

    const refresh = (tokens, clientId, basic) => postForm(metadata.token_endpoint, {
      grant_type: 'refresh_token', refresh_token: tokens.refresh_token, ...(basic ? {} : { client_id: clientId }),
    }, { basic });
    assert.equal((await refresh(carol1.tokens, NATIVE)).json.error, 'invalid_grant');
    assert.equal((await refresh(carol2.tokens, CONFIDENTIAL, [CONFIDENTIAL, SECRET])).json.error, 'invalid_grant');
    assert.equal((await refresh(dave.tokens, NATIVE)).status, 200, 'other accounts are untouched');

    const missing = await fetch(`${server.issuer}/__test/revoke-grants`, { method: 'POST' });
    assert.equal(missing.status, 400);
  });

  test('/__test/reset zeroes the counters', async () => {
    await codeFlow();
    assert.ok((await events())['grant.success'] > 0);
    const counts = await resetEvents();
    for (const name of ['grant.success', 'grant.error', 'grant.revoked', 'refresh_token.consumed', 'refresh_token.saved', 'access_token.saved', 'server_error', 'refresh_token_reuse']) {
      assert.equal(counts[name], 0, name);
    }
    assert.deepEqual(counts.errors, {});
  });

  test('approve.mjs CLI prints the callback URL, --follow delivers it', async () => {
    const { createServer } = await import('node:http');
    const received = [];
    const listener = createServer((req, res) => {
      received.push(req.url);
      res.end('got it');
    });
    await new Promise((resolve) => { listener.listen(0, '127.0.0.1', resolve); });
    const redirectUri = `http://127.0.0.1:${listener.address().port}/callback/oidc_test`;
    try {
      const { challenge } = pkce();
      const child = spawn(process.execPath, [APPROVE, authorizeUrl(metadata, {
        client_id: NATIVE, response_type: 'code', scope: SCOPE, redirect_uri: redirectUri, state: 'cli', code_challenge: challenge, code_challenge_method: 'S256',
      }), '--login', 'erin', '--follow'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c) => { stdout += c; });
      child.stderr.setEncoding('utf8').on('data', (c) => { stderr += c; });
      const [code] = await once(child, 'exit');
      assert.equal(code, 0, stderr);
      const callback = new URL(stdout.trim());
      assert.equal(callback.searchParams.get('state'), 'cli');
      assert.equal(received.length, 1);
      assert.equal(received[0], callback.pathname + callback.search);
      assert.match(stderr, /^200\ngot it/);
    } finally {
      listener.close();
    }
  });

  test('the server logged no server_error and stayed quiet on stdout', async () => {
    const counts = await events();
    assert.equal(counts['server_error'], 0, JSON.stringify(counts.recent_errors));
    assert.deepEqual(server.extraStdout, []);
    assert.doesNotMatch(server.stderr(), /server_error/);
  });
});

describe('oidc harness lifetime', () => {
  test('exits when stdin closes', async () => {
    const server = await startServer();
    assert.equal(await stopServer(server), 0);
  });

  test('exits on SIGTERM', async () => {
    const server = await startServer();
    const exited = once(server.child, 'exit');
    server.child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0);
  });

  test('honours --port and rejects bad arguments', async () => {
    // Find a free port, release it, then ask the harness for it.
    const { createServer } = await import('node:net');
    const probe = createServer();
    await new Promise((resolve) => { probe.listen(0, '127.0.0.1', resolve); });
    const { port } = probe.address();
    await new Promise((resolve) => { probe.close(resolve); });

    const server = await startServer(['--port', String(port)]);
    try {
      assert.equal(server.issuer, `http://127.0.0.1:${port}`);
    } finally {
      await stopServer(server);
    }

    const bad = spawn(process.execPath, [SERVER, '--access-ttl', 'soon'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    bad.stdout.setEncoding('utf8').on('data', (c) => { out += c; });
    const [code] = await once(bad, 'exit');
    assert.equal(code, 2);
    assert.equal(out, '');
  });
});
