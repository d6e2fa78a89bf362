import { describe, expect, it } from 'vitest';
import { appCredentialForm, emptyDraft, revocationMessage, scopeStates, type AppCredentialBaseline } from '../lib/connections';

const baseline: AppCredentialBaseline = {
  label: 'Default',
  text: { client_id: 'abc', login_customer_id: '', site_id: '' },
  redirect: '',
  relay_url: '',
};

describe('appCredentialForm', () => {
  it('sends what was typed when creating, and null for empty fields', () => {
    const draft = emptyDraft();
    draft.text.client_id = ' abc ';
    draft.secrets.client_secret = 's3cret';
    expect(appCredentialForm(draft, null)).toEqual({
      label: null,
      client_id: 'abc',
      client_secret: 's3cret',
      developer_token: null,
      login_customer_id: null,
      api_key: null,
      site_id: null,
      redirect: null,
      relay_url: null,
    });
  });

  it('sends only changed fields when editing; an untouched secret stays null', () => {
    const draft = { ...emptyDraft(), ...baseline, text: { ...baseline.text, login_customer_id: '123-456' } };
    const form = appCredentialForm(draft, baseline);
    expect(form.login_customer_id).toBe('123-456');
    expect(form.client_id).toBeNull();
    expect(form.label).toBeNull();
    expect(form.client_secret).toBeNull();
  });

  it('sends "" for a cleared secret and for a redirect set back to the default', () => {
    const draft = { ...emptyDraft(), ...baseline, redirect: '' };
    draft.clear.client_secret = true;
    const form = appCredentialForm(draft, { ...baseline, redirect: 'custom_scheme' });
    expect(form.client_secret).toBe('');
    expect(form.redirect).toBe('');
  });
});

describe('scopeStates', () => {
  it('marks requested scopes granted or missing and lists extra grants last', () => {
    expect(scopeStates({ scopes_requested: ['a', 'b'], scopes_granted: ['a', 'c'] })).toEqual([
      { scope: 'a', state: 'granted' },
      { scope: 'b', state: 'missing' },
      { scope: 'c', state: 'extra' },
    ]);
  });

  it('says unknown when the platform did not report its grant', () => {
    expect(scopeStates({ scopes_requested: ['a'], scopes_granted: null })).toEqual([{ scope: 'a', state: 'unknown' }]);
  });
});

describe('revocationMessage', () => {
  it('explains a failed revocation with its reason', () => {
    const text = revocationMessage('failed: HTTP 503', 'Meta');
    expect(text).toContain('HTTP 503');
    expect(text).toContain('did not confirm');
  });
});
