// The real app, driven through tauri-driver + WebKitWebDriver under Xvfb, with the real
// Secret Service keyring of the session and a throwaway HOME (see .ci/session).
//
// First launch creates the keyring-keyed vault; the user creates a client and a brand;
// the app restarts; they are still there; Settings shows encryption on. Then the vault
// is re-keyed to a passphrase in Settings, and the next launch asks for it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync, readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import * as awaitZlib from "node:zlib";
import { Builder, By, until } from "selenium-webdriver";

const APP = process.env.APP_BIN;
const CLI = process.env.CLI_BIN;
const ROOT = new URL("../..", import.meta.url).pathname;
// Sign-ins must not try to open a real browser here; the test plays the browser.
process.env.SWITCHBOARD_NO_BROWSER = "1";
const OUT = process.env.SB_TEST_OUT ?? "/tmp/sb-e2e";
const PORT = 4444;
const PASSPHRASE = "CANARY-e2e-passphrase-93b1";
let driverProc;

async function waitForDriver() {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`http://127.0.0.1:${PORT}/status`);
      if (r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("tauri-driver did not start");
}

before(async () => {
  assert.ok(APP && existsSync(APP), `APP_BIN must point at the built app (got ${APP})`);
  mkdirSync(OUT, { recursive: true });
  driverProc = spawn("tauri-driver", ["--port", String(PORT)], { stdio: ["ignore", "inherit", "inherit"] });
  await waitForDriver();
});

after(() => driverProc?.kill());

function appPids() {
  try {
    return execFileSync("pgrep", ["-f", "-x", APP]).toString().trim().split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

// Closing the window keeps Switchboard in the tray (by design), so "quit" means ending
// the process, as the tray's Quit does. Wait until it is gone before the next launch.
async function stopApp(driver) {
  log("quit");
  await driver.quit().catch(() => {});
  log("quit done; pids", appPids());
  for (let i = 0; i < 100 && appPids().length; i++) {
    if (i === 0) for (const p of appPids()) process.kill(Number(p), "SIGTERM");
    if (i === 50) for (const p of appPids()) process.kill(Number(p), "SIGKILL");
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(appPids().length, 0, "the app has exited");
}

async function launch() {
  assert.equal(appPids().length, 0, "no Switchboard is running before a launch");
  const session = new Builder()
    .usingServer(`http://127.0.0.1:${PORT}/`)
    .withCapabilities({ browserName: "wry", "tauri:options": { application: APP } })
    .build();
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("no WebDriver session within 60 s")), 60_000));
  log("launch");
  const driver = await Promise.race([session, timeout]);
  log("session up");
  return { driver };
}

/** Launch the app, run `steps`, screenshot on failure, and always end the app. */
async function withApp(name, steps) {
  const { driver } = await launch();
  try {
    await steps(driver);
  } catch (e) {
    await shot(driver, `failure-${name}`).catch(() => {});
    throw e;
  } finally {
    await stopApp(driver);
  }
}

const byTestId = (id) => By.css(`[data-testid="${id}"]`);

const log = (...a) => console.error(`[e2e ${new Date().toISOString()}]`, ...a);

async function find(driver, id, timeout = 15_000) {
  log("find", id);
  const el = await driver.wait(until.elementLocated(byTestId(id)), timeout, `no element ${id}`);
  await driver.wait(until.elementIsVisible(el), timeout, `${id} not visible`);
  return el;
}

// Finds and clicks, again if React replaced the element in between (a re-render makes the
// handle stale; the fresh element is the same control).
async function click(driver, id, timeout = 15_000) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await (await find(driver, id, timeout)).click();
    } catch (e) {
      if (e?.name !== "StaleElementReferenceError" || attempt >= 4) throw e;
      log("stale, retrying", id);
    }
  }
}

async function texts(driver, id) {
  return driver.executeScript(
    (sel) => [...document.querySelectorAll(sel)].map((e) => e.textContent ?? ""),
    `[data-testid="${id}"]`,
  );
}

async function waitText(driver, id, text, timeout = 15_000) {
  log("waitText", id);
  const deadline = Date.now() + timeout;
  let seen = [];
  while (Date.now() < deadline) {
    seen = await texts(driver, id);
    if (seen.some((t) => t.includes(text))) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`no ${id} containing "${text}" within ${timeout} ms (saw ${JSON.stringify(seen)})`);
}

async function bodyHas(driver, text, timeout = 15_000) {
  await driver.wait(
    async () => (await driver.executeScript(() => document.body.textContent ?? "")).includes(text),
    timeout,
    `the app shows "${text}"`,
  );
}

async function shot(driver, name) {
  writeFileSync(join(OUT, `${name}.png`), await driver.takeScreenshot(), "base64");
}

async function openClient(driver, name) {
  for (const row of await driver.findElements(byTestId("client-row"))) {
    if ((await row.getText()).includes(name)) return (await row.findElement(byTestId("client-open"))).click();
  }
  throw new Error(`no client row with ${name}`);
}

test("first launch creates a keyring vault; a client and brand survive a restart", async () => {
  await withApp("01", async (driver) => {
    await click(driver, "nav-clients");
    const name = await find(driver, "new-client-name");
    await name.sendKeys("Northwind Outfitters");
    await click(driver, "new-client-submit");
    await waitText(driver, "client-row", "Northwind Outfitters");
    await openClient(driver, "Northwind Outfitters");
    const brand = await find(driver, "new-brand-name");
    await brand.sendKeys("Northwind Trail");
    await click(driver, "new-brand-submit");
    await waitText(driver, "brand-row", "Northwind Trail");
    await shot(driver, "01-client-and-brand");
  });

  await withApp("02", async (driver) => {
    await click(driver, "nav-clients");
    await waitText(driver, "client-row", "Northwind Outfitters");
    await openClient(driver, "Northwind Outfitters");
    await waitText(driver, "brand-row", "Northwind Trail");
    await click(driver, "nav-settings");
    await waitText(driver, "vault-encryption-status", "Encrypted");
    await waitText(driver, "vault-key-mode", "OS keyring");
    const schema = await (await find(driver, "vault-schema-version")).getText();
    assert.match(schema, /2026\d{10}/, `schema version shown: ${schema}`);
    await click(driver, "vault-integrity-run");
    await waitText(driver, "vault-integrity-result", "OK");
    await shot(driver, "02-settings-vault");
  });
  const home = process.env.HOME;
  const vaultDir = join(home, ".local/share/switchboard");
  assert.ok(existsSync(join(vaultDir, "vault.db")), `vault in the OS app-data dir (${vaultDir})`);
  assert.ok(readdirSync(join(vaultDir, "backups")).length >= 1, "the daily backup was taken");
});

test("re-keying to a passphrase in Settings makes the next launch ask for it", async () => {
  await withApp("03", async (driver) => {
    await click(driver, "nav-settings");
    await waitText(driver, "vault-key-mode", "OS keyring");
    await click(driver, "rekey-mode-passphrase");
    await (await find(driver, "rekey-passphrase")).sendKeys(PASSPHRASE);
    await (await find(driver, "rekey-passphrase-confirm")).sendKeys(PASSPHRASE);
    await click(driver, "rekey-start");
    await click(driver, "confirm-ok");
    await waitText(driver, "vault-key-mode", "Passphrase", 30_000);
    await shot(driver, "03-rekeyed-to-passphrase");
  });

  await withApp("04", async (driver) => {
    const input = await find(driver, "unlock-passphrase");
    await input.sendKeys("not the passphrase at all");
    await click(driver, "unlock-submit");
    await bodyHas(driver, "does not unlock"); // a wrong passphrase is refused with a message
    await input.clear();
    await input.sendKeys(PASSPHRASE);
    await click(driver, "unlock-submit");
    await click(driver, "nav-clients");
    await waitText(driver, "client-row", "Northwind Outfitters");
    await click(driver, "nav-settings");
    await waitText(driver, "vault-encryption-status", "Encrypted");
    await waitText(driver, "vault-key-mode", "Passphrase");
    await shot(driver, "04-unlocked-with-passphrase");
  });
});

test("deep links reach the running instance and are validated strictly", async () => {
  await withApp("05", async (driver) => {
    await find(driver, "unlock-passphrase"); // the vault is passphrase-protected by now
    const second = (url) => execFileSync(APP, [url], { timeout: 20_000, stdio: "pipe" });

    // A second launch hands the link to the running instance and exits. While the vault
    // is locked nothing can complete, and the app says why.
    second("dev.switchboard.app://oauth/callback/x?code=CANARY-oauth-code-5f1e&state=abc");
    await bodyHas(driver, "locked");
    second("dev.switchboard.app://oauth/callback/x?code=x&state=y&redirect_to=https%3A%2F%2Fevil.example");
    await bodyHas(driver, "unexpected parameter 'redirect_to'");
    second("dev.switchboard.app://evil/callback/x?code=x&state=y");
    await bodyHas(driver, "unknown destination");
    assert.equal(appPids().length, 1, "still exactly one Switchboard running");
    await shot(driver, "05-deep-link-notices");
    // Linux registers the scheme at run time: a handler .desktop entry that passes the URL.
    const apps = join(process.env.HOME, ".local/share/applications");
    const handler = existsSync(apps) ? readdirSync(apps).find((f) => f.endsWith("-handler.desktop")) : undefined;
    assert.ok(handler, `a scheme handler .desktop file in ${apps}`);
    const entry = readFileSync(join(apps, handler), "utf8");
    assert.match(entry, /MimeType=x-scheme-handler\/dev\.switchboard\.app/, entry);
    assert.match(entry, /Exec=.*%u/, entry);
    const logs = join(process.env.HOME, ".local/state/switchboard/logs");
    assert.ok(existsSync(logs) && readdirSync(logs).length > 0, "the app writes rolling log files");
  });
});

/** The first line a child prints on stdout. */
function firstLine(stream) {
  return new Promise((resolve, reject) => {
    let buf = "";
    stream.setEncoding("utf8");
    stream.on("data", (d) => {
      buf += d;
      const i = buf.indexOf("\n");
      if (i >= 0) resolve(buf.slice(0, i));
    });
    stream.on("end", () => reject(new Error("no line")));
  });
}

test("a sign-in completes through a deep link delivered to the running app", async () => {
  assert.ok(CLI && existsSync(CLI), `CLI_BIN must point at switchboard-cli (got ${CLI})`);
  const oidc = spawn("node", [join(ROOT, "tests/oidc/server.mjs")], { stdio: ["pipe", "pipe", "inherit"] });
  try {
    const { issuer } = JSON.parse(await firstLine(oidc.stdout));
    // The agency's setup, done with the CLI on the same vault before the app starts.
    const cli = (...args) =>
      execFileSync(CLI, args, { env: { ...process.env, SWITCHBOARD_PASSPHRASE: PASSPHRASE }, stdio: "pipe" }).toString();
    cli("provider", "add", "Test", "--discovery", issuer);
    cli("app", "add", "oidc_test", "--client-id", "switchboard-native", "--redirect", "custom_scheme");

    await withApp("06", async (driver) => {
      await (await find(driver, "unlock-passphrase")).sendKeys(PASSPHRASE);
      await click(driver, "unlock-submit");
      await click(driver, "nav-connections");
      await click(driver, "connect-oidc_test");
      await click(driver, "connect-submit");
      const link = await find(driver, "connect-authorize-url", 20_000);
      const authorizeUrl = await link.getAttribute("href");
      assert.match(authorizeUrl, /code_challenge_method=S256/);
      await shot(driver, "06-waiting-for-browser");

      // The browser's part: log in and consent; the provider answers with the deep link.
      const redirect = execFileSync("node", [join(ROOT, "tests/oidc/approve.mjs"), authorizeUrl, "--login", "alice"])
        .toString()
        .trim();
      assert.ok(redirect.startsWith("dev.switchboard.app://oauth/callback/oidc_test?"), redirect);
      // The OS hands the link to a second launch, which passes it to the running app.
      execFileSync(APP, [redirect], { timeout: 20_000, stdio: "pipe" });
      await waitText(driver, "connection-status-oidc_test", "Active", 30_000);
      await waitText(driver, "connection-account-name-oidc_test", "Alice");
      assert.equal(appPids().length, 1, "still exactly one Switchboard running");
      await shot(driver, "06-connected");

      // The same answer again is a replay: refused, nothing changes.
      execFileSync(APP, [redirect], { timeout: 20_000, stdio: "pipe" });
      await bodyHas(driver, "already used");
    });
    const listed = JSON.parse(cli("--json", "connections", "list"));
    assert.equal(listed.length, 1);
    assert.equal(listed[0].account_id, "alice");
    assert.equal(listed[0].status, "active");
  } finally {
    oidc.kill();
  }
});

/** Play the browser at the emulator: approve the consent page; the redirect it answers. */
async function approveAtEmulator(authorizeUrl) {
  const page = await fetch(authorizeUrl);
  assert.equal(page.status, 200, `consent page for ${authorizeUrl}`);
  const html = await page.text();
  const request = html.match(/name="request" value="([^"]+)"/)?.[1];
  assert.ok(request, "the consent page carries its request id");
  const origin = new URL(authorizeUrl).origin;
  const decided = await fetch(`${origin}/__emulator/consent`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ request, decision: "approve", account: "" }).toString(),
    redirect: "manual",
  });
  const location = decided.headers.get("location");
  assert.ok(location, `the consent answered a redirect (HTTP ${decided.status})`);
  return location;
}

async function clickHidden(driver, el) {
  await driver.executeScript((e) => e.click(), el);
}

async function waitFor(driver, what, fn, timeout = 30_000) {
  log("waitFor", what);
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await driver.executeScript(fn);
    if (last) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what} (last ${JSON.stringify(last)})`);
}

// Counts matching elements inside the page, so a React re-render between "find" and "make a
// handle" cannot surface as a StaleElementReferenceError (it did, in CI).
async function waitCount(driver, selector, ok, timeout, what) {
  const deadline = Date.now() + timeout;
  let n;
  while (Date.now() < deadline) {
    n = await driver.executeScript((sel) => document.querySelectorAll(sel).length, selector);
    if (ok(n)) return n;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what} (${selector}: ${n})`);
}

test("Demo mode: connect Meta, import, browse offline, find an ad by its copy, see its image", async () => {
  await withApp("07", async (driver) => {
    await (await find(driver, "unlock-passphrase")).sendKeys(PASSPHRASE);
    await click(driver, "unlock-submit");
    await click(driver, "nav-settings");
    await clickHidden(driver, await driver.wait(until.elementLocated(byTestId("demo-mode-switch")), 15_000));
    await find(driver, "demo-mode-on", 30_000);

    // Connect Meta: the emulator plays Facebook's consent; its redirect reaches the app's
    // loopback listener.
    await click(driver, "nav-connections");
    await click(driver, "connect-meta");
    await click(driver, "connect-submit");
    const authorizeUrl = await (await find(driver, "connect-authorize-url", 20_000)).getAttribute("href");
    const redirect = await approveAtEmulator(authorizeUrl);
    assert.match(redirect, /^http:\/\/127\.0\.0\.1:\d+\/callback\/meta\?/, redirect);
    await fetch(redirect);
    await waitText(driver, "connection-status-meta", "Active", 30_000);
    await shot(driver, "07-meta-connected");

    // Import the first ad account, everything, and wait for the job to complete.
    await click(driver, "nav-library");
    await click(driver, "library-import-button");
    await waitCount(driver, '[data-testid="import-account-select"] option', (n) => n > 0, 20_000, "the connection's ad accounts are listed");
    await click(driver, "import-submit");
    await waitCount(driver, '[data-testid="import-submit"]', (n) => n === 0, 20_000, "the import started");
    await click(driver, "nav-jobs");
    await find(driver, "jobs-row", 20_000);
    const state = await waitFor(
      driver,
      "the import to end",
      () => {
        const s = document.querySelector('[data-testid^="job-state-"]')?.getAttribute("data-state");
        return s && !["queued", "running"].includes(s) ? s : null;
      },
      120_000,
    );
    await shot(driver, "07-import-done");
    assert.equal(state, "completed");

    // Offline: Demo mode off stops the emulator; the library stays browsable.
    await click(driver, "nav-settings");
    await clickHidden(driver, await driver.wait(until.elementLocated(byTestId("demo-mode-switch")), 15_000));
    await waitCount(driver, '[data-testid="demo-mode-on"]', (n) => n === 0, 30_000, "Demo mode off");
    const emulatorGone = await fetch(authorizeUrl).then(() => false, () => true);
    assert.ok(emulatorGone, "the emulator no longer answers");

    await click(driver, "nav-library");
    await find(driver, "library-row", 20_000);
    const search = await find(driver, "library-search-input");
    await search.sendKeys("zephyr10");
    await find(driver, "library-search-hit", 20_000);
    await click(driver, "library-search-hit");
    const image = await find(driver, "creative-image", 20_000);
    const loaded = await driver.wait(
      async () => driver.executeScript((img) => img.complete && img.naturalWidth > 0 && img.naturalWidth, image),
      20_000,
      "the creative image renders from the vault",
    );
    assert.ok(loaded >= 100, `image width ${loaded}`);
    assert.match(await image.getAttribute("src"), /^(sbasset:\/\/localhost|http:\/\/sbasset\.localhost)\//);
    await shot(driver, "07-offline-creative");
  });
});

// A small real PNG (zlib-compressed scanlines), written for the media picker.
function writePng(path) {
  const { deflateSync, crc32 } = awaitZlib;
  const width = 64, height = 64;
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0;
    for (let x = 0; x < width; x++) raw.set([x * 4, y * 4, 160], y * (width * 3 + 1) + 1 + x * 3);
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4); ihdr[8] = 8; ihdr[9] = 2;
  writeFileSync(path, Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0)),
  ]));
}

/** Wall-clock `YYYY-MM-DDTHH:MM` of an instant in an IANA zone. */
function wallIn(zone, date) {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(date).map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

async function connectPlatform(driver, platform) {
  await click(driver, "nav-connections");
  await click(driver, `connect-${platform}`);
  await click(driver, "connect-submit");
  const authorizeUrl = await (await find(driver, "connect-authorize-url", 20_000)).getAttribute("href");
  const redirect = await approveAtEmulator(authorizeUrl);
  await fetch(redirect);
  await waitText(driver, `connection-status-${platform}`, "Active", 30_000);
  return new URL(authorizeUrl).origin;
}

async function publishedAt(origin, marker) {
  const posts = await (await fetch(`${origin}/__emulator/published`)).json();
  return posts.filter((p) => p.kind === "post" && p.text.includes(marker));
}

test("Demo mode: compose for LinkedIn and X with an image, schedule two minutes ahead, published once, on the calendar", async () => {
  await withApp("08", async (driver) => {
    await (await find(driver, "unlock-passphrase")).sendKeys(PASSPHRASE);
    await click(driver, "unlock-submit");
    await click(driver, "nav-settings");
    await clickHidden(driver, await driver.wait(until.elementLocated(byTestId("demo-mode-switch")), 15_000));
    await find(driver, "demo-mode-on", 30_000);
    const xOrigin = await connectPlatform(driver, "x");
    const liOrigin = await connectPlatform(driver, "linkedin");
    await shot(driver, "08-connected");

    // Compose: the X account and a LinkedIn company page, one text, one image.
    await click(driver, "nav-compose");
    await waitCount(driver, '[data-testid="compose-target"][data-platform="x"]', (n) => n > 0, 30_000, "the X destination is listed");
    await waitCount(driver, '[data-testid="compose-target"][data-platform="linkedin"][data-destination-id*="organization"]', (n) => n > 0, 30_000, "a LinkedIn page is listed");
    await driver.executeScript(() => {
      document.querySelector('[data-testid="compose-target"][data-platform="x"]').click();
      document.querySelector('[data-testid="compose-target"][data-platform="linkedin"][data-destination-id*="organization"]').click();
    });
    const marker = `e2e-${Date.now().toString(36)}`;
    await (await find(driver, "compose-body")).sendKeys(`Winter boots are back ${marker}`);
    await waitCount(driver, '[data-testid="compose-count"]', (n) => n >= 2, 20_000, "a live counter per platform");
    const image = join(OUT, "08-boots.png");
    writePng(image);
    const input = await driver.wait(until.elementLocated(byTestId("compose-media-input")), 15_000);
    await driver.executeScript((e) => { e.hidden = false; e.style.display = "block"; }, input);
    await waitFor(driver, "the media input to be enabled", () => !document.querySelector('[data-testid="compose-media-input"]').disabled, 20_000);
    await input.sendKeys(image);
    await waitCount(driver, '[data-testid="compose-media-item"]', (n) => n === 1, 30_000, "the image is attached");

    // Two minutes ahead, in the client's zone as the page shows it.
    const zone = (await (await find(driver, "compose-zone")).getText()).split(" ")[0];
    const due = new Date(Date.now() + 2 * 60_000 + 30_000);
    const wall = wallIn(zone, due);
    await driver.executeScript((v) => {
      const el = document.querySelector('[data-testid="compose-when"]');
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set.call(el, v);
      el.dispatchEvent(new Event("input", { bubbles: true }));
      el.dispatchEvent(new Event("change", { bubbles: true }));
    }, wall);
    await find(driver, "compose-due", 20_000);
    await click(driver, "compose-schedule");
    await waitCount(driver, '[data-testid="compose-target-state"][data-state="scheduled"]', (n) => n === 2, 30_000, "both targets scheduled");
    await shot(driver, "08-scheduled");
    assert.equal((await publishedAt(xOrigin, marker)).length, 0, "nothing on X before its time");

    // The in-process scheduler publishes it at its time: once on each platform.
    const deadline = Date.now() + 5 * 60_000;
    let x = [], li = [];
    while (Date.now() < deadline) {
      [x, li] = await Promise.all([publishedAt(xOrigin, marker), publishedAt(liOrigin, marker)]);
      if (x.length && li.length) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    assert.equal(x.length, 1, `one post on X: ${JSON.stringify(x)}`);
    assert.equal(li.length, 1, `one post on LinkedIn: ${JSON.stringify(li)}`);
    assert.equal(x[0].media.length, 1, "the X post carries the image");
    assert.equal(li[0].media.length, 1, "the LinkedIn post carries the image");
    // The wall time has minute precision: the post is due at the start of that minute.
    const dueAt = new Date(Math.floor(due.getTime() / 60_000) * 60_000);
    assert.ok(new Date(x[0].created) >= new Date(dueAt.getTime() - 1000), `not published early (${x[0].created} vs due ${dueAt.toISOString()})`);
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal((await publishedAt(xOrigin, marker)).length, 1, "still one on X");
    assert.equal((await publishedAt(liOrigin, marker)).length, 1, "still one on LinkedIn");

    // The calendar shows it published.
    await click(driver, "nav-calendar");
    await waitCount(driver, '[data-testid="calendar-post"][data-state="published"]', (n) => n >= 1, 30_000, "the calendar shows the post published");
    await shot(driver, "08-calendar");

    // Start at login: the OS entry appears (in the tray: --minimized) and goes again.
    await click(driver, "nav-settings");
    const autostart = await driver.wait(until.elementLocated(byTestId("autostart-switch")), 15_000);
    const entries = () => {
      const dir = join(process.env.HOME, ".config", "autostart");
      return existsSync(dir) ? readdirSync(dir).map((f) => readFileSync(join(dir, f), "utf8")) : [];
    };
    await waitFor(driver, "the start-at-login switch", () => !document.querySelector('[data-testid="autostart-switch"]').disabled, 15_000);
    await clickHidden(driver, autostart);
    await waitFor(driver, "start at login on", () => document.querySelector('[data-testid="autostart-switch"]').checked, 15_000);
    const on = entries();
    assert.equal(on.length, 1, "one autostart entry");
    assert.match(on[0], /--minimized/, "it starts Switchboard in the tray");
    await clickHidden(driver, autostart);
    await waitFor(driver, "start at login off", () => !document.querySelector('[data-testid="autostart-switch"]').checked, 15_000);
    assert.equal(entries().length, 0, "the autostart entry is gone");
  });
});
