// Library images and videos come straight from the vault through the `sbasset:` protocol
// the shell registers; nothing is ever loaded from the network.

/** Tauri serves custom protocols as http://<scheme>.localhost on Windows (WebView2). */
function onWindows(): boolean {
  return typeof navigator !== 'undefined' && navigator.userAgent.includes('Windows');
}

/** Address of a library asset; `thumb` asks for its thumbnail. */
export function assetUrl(clientId: string, assetId: string, thumb: boolean): string {
  const base = onWindows() ? 'http://sbasset.localhost' : 'sbasset://localhost';
  const path = `${base}/${encodeURIComponent(clientId)}/${encodeURIComponent(assetId)}`;
  return thumb ? `${path}?thumb=1` : path;
}
