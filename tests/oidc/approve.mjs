#!/usr/bin/env node
// Plays the browser for the oidc harness (server.mjs): follows an authorization request through
// oidc-provider's dev interaction pages over plain HTTP, logs in, consents (or denies), and
// returns the final redirect to the client's redirect_uri WITHOUT requesting it.
//
// Library:
//   import { approve } from './approve.mjs';
//   const callback = await approve(authorizeUrl, { login: 'alice', deny: false });
//   // -> 'http://127.0.0.1:54321/callback/oidc_test?code=...&state=...&iss=...'
//
// CLI:
//   node tests/oidc/approve.mjs '<authorize url>' [--login bob] [--deny] [--follow]
//   Prints the final redirect URL on stdout. With --follow, additionally GETs it when it is an
//   http(s) URL (delivering the code to a loopback listener) and prints the response status and
//   body to stderr. Exit status: 0 on success, 1 when the flow failed (e.g. the provider refused
//   the request with an error page instead of redirecting), 2 on bad usage.

import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const MAX_STEPS = 20;

/** Error thrown when the provider answers with something other than a redirect or a known page. */
export class ApproveError extends Error {
  constructor(message, { status, url, body } = {}) {
    super(message);
    this.name = 'ApproveError';
    this.status = status;
    this.url = url;
    this.body = body;
  }
}

// A minimal RFC 6265 cookie jar, enough for oidc-provider's cookies (which are path-scoped, e.g.
// the resume cookie lives under /auth/<uid>). Domain attributes are ignored: one host only.
class CookieJar {
  #cookies = new Map(); // `${path}\0${name}` -> { name, value, path }

  store(setCookieHeaders, requestUrl) {
    for (const header of setCookieHeaders) {
      const [pair, ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();

      let path = defaultPath(requestUrl);
      let expired = false;
      for (const attribute of attributes) {
        const [key, ...rest] = attribute.split('=');
        const attrValue = rest.join('=').trim();
        switch (key.trim().toLowerCase()) {
          case 'path':
            if (attrValue.startsWith('/')) path = attrValue;
            break;
          case 'max-age':
            if (Number(attrValue) <= 0) expired = true;
            break;
          case 'expires':
            if (Date.parse(attrValue) <= Date.now()) expired = true;
            break;
          default:
            break;
        }
      }

      const key = `${path}\0${name}`;
      if (expired) this.#cookies.delete(key);
      else this.#cookies.set(key, { name, value, path });
    }
  }

  header(requestUrl) {
    const { pathname } = new URL(requestUrl);
    return [...this.#cookies.values()]
      .filter(({ path }) => pathMatches(pathname, path))
      // Longer paths first, as browsers do.
      .sort((a, b) => b.path.length - a.path.length)
      .map(({ name, value }) => `${name}=${value}`)
      .join('; ');
  }
}

function defaultPath(requestUrl) {
  const { pathname } = new URL(requestUrl);
  const slash = pathname.lastIndexOf('/');
  return slash <= 0 ? '/' : pathname.slice(0, slash);
}

function pathMatches(requestPath, cookiePath) {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

function unescapeHtml(s) {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_, hex) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

// Reads oidc-provider's devInteractions page: which prompt it is, where the form posts to, and
// where the "[ Cancel ]" (abort -> access_denied) link points.
function parseInteractionPage(html, pageUrl) {
  const prompt = html.match(/<input[^>]*name="prompt"[^>]*value="([^"]+)"/)?.[1];
  const action = html.match(/<form[^>]*action="([^"]+)"/)?.[1];
  const abort = html.match(/<a href="([^"]*\/abort[^"]*)"/)?.[1];
  return {
    prompt,
    action: action && new URL(unescapeHtml(action), pageUrl).href,
    abort: abort && new URL(unescapeHtml(abort), pageUrl).href,
  };
}

/**
 * Drives an authorization request to completion.
 *
 * @param {string} authorizeUrl full authorization endpoint URL with its query
 * @param {{ login?: string, deny?: boolean }} [options] account to log in as; deny = log in and
 *   then refuse consent, which must yield `error=access_denied`
 * @returns {Promise<string>} the redirect URL aimed at the client's redirect_uri (code/state/iss,
 *   or error/error_description/state/iss); it is not requested
 */
export async function approve(authorizeUrl, { login = 'alice', deny = false } = {}) {
  const providerOrigin = new URL(authorizeUrl).origin;
  const jar = new CookieJar();

  let url = authorizeUrl;
  let method = 'GET';
  let body;
  let loggedIn = false;

  for (let step = 0; step < MAX_STEPS; step += 1) {
    const headers = { accept: 'text/html' };
    const cookie = jar.header(url);
    if (cookie) headers.cookie = cookie;
    if (body) headers['content-type'] = 'application/x-www-form-urlencoded';

    const res = await fetch(url, {
      method, headers, body, redirect: 'manual',
    });
    jar.store(res.headers.getSetCookie(), url);

    if (res.status >= 300 && res.status < 400) {
      const location = res.headers.get('location');
      await res.body?.cancel();
      if (!location) throw new ApproveError(`redirect without Location from ${url}`, { status: res.status, url });
      const next = new URL(location, url);
      // Leaving the provider means we are being sent to the client's redirect_uri: done.
      if (next.origin !== providerOrigin) return next.href;
      url = next.href;
      method = 'GET';
      body = undefined;
      continue;
    }

    const text = await res.text();
    const page = res.ok ? parseInteractionPage(text, url) : {};

    if (page.prompt === 'login' && page.action) {
      url = page.action;
      method = 'POST';
      body = new URLSearchParams({ prompt: 'login', login, password: 'any-password' }).toString();
      loggedIn = true;
      continue;
    }

    if (page.prompt === 'consent' && page.action) {
      if (deny) {
        if (!page.abort) throw new ApproveError('consent page has no abort link', { status: res.status, url, body: text });
        url = page.abort;
        method = 'GET';
        body = undefined;
      } else {
        url = page.action;
        method = 'POST';
        body = new URLSearchParams({ prompt: 'consent' }).toString();
      }
      continue;
    }

    // Anything else is the provider refusing the request with its error page (e.g. an
    // unregistered redirect_uri, which must never be redirected to).
    const detail = text.match(/<pre>([\s\S]*?)<\/pre>/)?.[1];
    throw new ApproveError(
      `authorization did not complete: HTTP ${res.status} at ${url}${loggedIn ? ' (after login)' : ''}`
        + (detail ? `: ${unescapeHtml(detail).replace(/\s+/g, ' ')}` : ''),
      { status: res.status, url, body: text },
    );
  }

  throw new ApproveError(`gave up after ${MAX_STEPS} steps`, { url });
}

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------
async function main() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        login: { type: 'string', default: 'alice' },
        deny: { type: 'boolean', default: false },
        follow: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    parsed = { error: err.message };
  }
  if (parsed.error || parsed.positionals.length !== 1) {
    process.stderr.write(`${parsed.error ?? 'exactly one authorize URL expected'}\n`
      + "usage: node tests/oidc/approve.mjs '<authorize url>' [--login ID] [--deny] [--follow]\n");
    process.exit(2);
  }
  const { values, positionals: [authorizeUrl] } = parsed;

  let callback;
  try {
    callback = await approve(authorizeUrl, { login: values.login, deny: values.deny });
  } catch (err) {
    process.stderr.write(`approve: ${err.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`${callback}\n`);

  if (values.follow && /^https?:$/.test(new URL(callback).protocol)) {
    try {
      const res = await fetch(callback, { redirect: 'manual' });
      process.stderr.write(`${res.status}\n${await res.text()}\n`);
    } catch (err) {
      process.stderr.write(`approve: --follow GET ${callback} failed: ${err.cause?.message ?? err.message}\n`);
      process.exit(1);
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  await main();
}
