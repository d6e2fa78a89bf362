// Words and colours for connection facts, kept apart from the components that show them.
import type { AppCredentialForm, Connection } from '../backend';

type StatusLook = { label: string; color: string };

const STATUS: Record<string, StatusLook> = {
  active: { label: 'Active', color: 'teal' },
  expiring: { label: 'Expiring soon', color: 'yellow' },
  needs_reconnect: { label: 'Needs reconnect', color: 'orange' },
  revoked: { label: 'Revoked', color: 'red' },
  error: { label: 'Error', color: 'red' },
};

export function statusLook(status: string): StatusLook {
  return STATUS[status] ?? { label: status, color: 'gray' };
}

/** Statuses that stop Switchboard from using a connection until the user acts. */
export const ATTENTION_STATUSES: ReadonlySet<string> = new Set(['needs_reconnect', 'revoked', 'error']);

export type ScopeState = { scope: string; state: 'granted' | 'missing' | 'unknown' | 'extra' };

/**
 * The requested scopes, each granted, missing or unknown (the platform did not say), then
 * any scopes granted beyond the request.
 */
export function scopeStates(c: Pick<Connection, 'scopes_requested' | 'scopes_granted'>): ScopeState[] {
  const granted = c.scopes_granted;
  if (granted === null) return c.scopes_requested.map((scope) => ({ scope, state: 'unknown' }));
  const requested: ScopeState[] = c.scopes_requested.map((scope) => ({ scope, state: granted.includes(scope) ? 'granted' : 'missing' }));
  const extra: ScopeState[] = granted.filter((s) => !c.scopes_requested.includes(s)).map((scope) => ({ scope, state: 'extra' }));
  return [...requested, ...extra];
}

/** What a DisconnectReport's `revocation` means, for a person. */
export function revocationMessage(revocation: string, platform: string): string {
  if (revocation === 'revoked_at_provider') return `${platform} confirmed that Switchboard's access was revoked.`;
  if (revocation === 'not_supported')
    return `${platform} cannot revoke access from outside. The tokens were deleted here; remove Switchboard in your ${platform} account settings to be sure.`;
  if (revocation === 'no_tokens') return 'There were no tokens left to revoke; the connection was removed.';
  const reason = revocation.replace(/^failed:\s*/, '');
  return `${platform} did not confirm the revocation (${reason}). The tokens were deleted here; remove Switchboard in your ${platform} account settings to be sure.`;
}

export function revocationSucceeded(revocation: string): boolean {
  return revocation === 'revoked_at_provider' || revocation === 'no_tokens';
}

const REDIRECTS: Record<string, string> = {
  loopback: 'This computer (loopback)',
  custom_scheme: 'App link (dev.switchboard.app://)',
  https_relay: 'HTTPS relay',
};

export function redirectLabel(kind: string): string {
  return REDIRECTS[kind] ?? kind;
}

const CAPABILITIES: Record<string, string> = {
  read_campaigns: 'Read campaigns and reports',
  manage_campaigns: 'Create and change campaigns and ads',
  publish: 'Publish posts',
  read_search_data: 'Read search analytics',
  read_profile: 'Read the profile (to notice a switch to another account)',
};

export function capabilityLabel(capability: string): string {
  return CAPABILITIES[capability] ?? capability.replace(/_/g, ' ');
}

/** "Acme Ads (act_123)", or whichever part is known. */
export function accountLabel(name: string | null, id: string | null): string {
  if (name && id && name !== id) return `${name} (${id})`;
  return name ?? id ?? 'an account the platform does not name';
}

const BREAKERS: Record<string, StatusLook> = {
  closed: { label: 'Calls go through', color: 'teal' },
  half_open: { label: 'Testing again', color: 'yellow' },
  open: { label: 'Paused after failures', color: 'red' },
};

export function breakerLook(state: string): StatusLook {
  return BREAKERS[state] ?? { label: state, color: 'gray' };
}

// ---- app credentials -------------------------------------------------------

export type CredentialField = 'client_id' | 'client_secret' | 'developer_token' | 'login_customer_id' | 'api_key' | 'site_id';
export type SecretField = 'client_secret' | 'developer_token' | 'api_key';
export type TextField = Exclude<CredentialField, SecretField>;

export const SECRET_FIELDS: readonly SecretField[] = ['client_secret', 'developer_token', 'api_key'];

export function isSecretField(field: string): field is SecretField {
  return (SECRET_FIELDS as readonly string[]).includes(field);
}

const FIELD_LABELS: Record<string, string> = {
  client_id: 'Client id',
  client_secret: 'Client secret',
  developer_token: 'Developer token',
  login_customer_id: 'Login customer id (manager account)',
  api_key: 'API key',
  site_id: 'Site id',
};

export function credentialFieldLabel(field: string): string {
  return FIELD_LABELS[field] ?? field.replace(/_/g, ' ');
}

/** The app credentials form as typed. Secrets start empty: the UI never receives them. */
export type AppCredentialDraft = {
  label: string;
  text: Record<TextField, string>;
  secrets: Record<SecretField, string>;
  /** Secrets to delete ("" sent to the backend). */
  clear: Record<SecretField, boolean>;
  /** "" is the platform's default. */
  redirect: string;
  relay_url: string;
};

/** What an existing app looks like in the form (never any secret value). */
export type AppCredentialBaseline = {
  label: string;
  text: Record<TextField, string>;
  redirect: string;
  relay_url: string;
};

export function emptyDraft(): AppCredentialDraft {
  return {
    label: '',
    text: { client_id: '', login_customer_id: '', site_id: '' },
    secrets: { client_secret: '', developer_token: '', api_key: '' },
    clear: { client_secret: false, developer_token: false, api_key: false },
    redirect: '',
    relay_url: '',
  };
}

/**
 * The form to send. Creating sends what was typed; editing sends only what changed, so
 * an untouched secret stays as it is (null) and a cleared one is deleted ("").
 */
export function appCredentialForm(draft: AppCredentialDraft, baseline: AppCredentialBaseline | null): AppCredentialForm {
  const text = (value: string, before: string | undefined): string | null => {
    const v = value.trim();
    if (before === undefined) return v || null;
    return v === before ? null : v;
  };
  const secret = (field: SecretField): string | null => {
    if (baseline && draft.clear[field]) return '';
    return draft.secrets[field].trim() || null;
  };
  return {
    label: text(draft.label, baseline?.label),
    client_id: text(draft.text.client_id, baseline?.text.client_id),
    login_customer_id: text(draft.text.login_customer_id, baseline?.text.login_customer_id),
    site_id: text(draft.text.site_id, baseline?.text.site_id),
    client_secret: secret('client_secret'),
    developer_token: secret('developer_token'),
    api_key: secret('api_key'),
    redirect: text(draft.redirect, baseline?.redirect),
    relay_url: text(draft.relay_url, baseline?.relay_url),
  };
}
