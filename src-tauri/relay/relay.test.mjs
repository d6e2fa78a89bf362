// The relay page's hand-off logic, run from the shipped file itself, and its CSP hash.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import vm from "node:vm";

const html = readFileSync(new URL("./oauth-relay.html", import.meta.url), "utf8");
const script = html.match(/<script>([\s\S]*?)<\/script>/)[1];
const sandbox = { module: { exports: {} }, URL, URLSearchParams };
vm.runInNewContext(script, sandbox);
const { relayTarget } = sandbox.module.exports;
const page = "https://relay.agency.example/switchboard/";

test("forwards code and state to the platform's deep link", () => {
  const r = relayTarget(`${page}?platform=meta&code=AQB%2Fx&state=s1&granted_scopes=ads_read`);
  assert.equal(r.target, "dev.switchboard.app://oauth/callback/meta?code=AQB%2Fx&state=s1");
});

test("forwards to a loopback listener when asked", () => {
  const r = relayTarget(`${page}?platform=linkedin&via=loopback&port=51000&code=c&state=s`);
  assert.equal(r.target, "http://127.0.0.1:51000/callback/linkedin?code=c&state=s");
});

test("forwards provider errors", () => {
  const r = relayTarget(`${page}?platform=meta&error=access_denied&error_description=no&state=s`);
  assert.equal(r.target, "dev.switchboard.app://oauth/callback/meta?error=access_denied&error_description=no&state=s");
});

test("refuses what is not a sign-in answer", () => {
  for (const q of [
    "platform=Meta&code=c&state=s",
    "platform=../x&code=c&state=s",
    "code=c&state=s",
    "platform=meta&code=c",
    "platform=meta&state=s",
    "platform=meta&code=c&error=e&state=s",
    "platform=meta&code=c&code=d&state=s",
    "platform=meta&via=loopback&port=80&code=c&state=s",
  ]) {
    assert.ok(relayTarget(`${page}?${q}`).error, q);
  }
});

test("the CSP allows exactly this script", () => {
  const hash = createHash("sha256").update(script).digest("base64");
  assert.ok(html.includes(`script-src 'sha256-${hash}'`), `CSP must carry sha256-${hash}`);
});
