import { useEffect, useState } from 'react';

export const PAGES = ['clients', 'connections', 'library', 'compose', 'calendar', 'posts', 'jobs', 'settings'] as const;
export type Page = (typeof PAGES)[number];

function segments(hash: string): string[] {
  return hash.replace(/^#\/?/, '').split('?')[0].split('/');
}

function parse(hash: string): Page {
  const name = segments(hash)[0];
  return (PAGES as readonly string[]).includes(name) ? (name as Page) : 'clients';
}

export function pageHref(page: Page) {
  return `#/${page}`;
}

/** "#/compose/<postId>": the composer with a saved post open. */
export function composeHref(postId: string | null) {
  return postId ? `#/compose/${encodeURIComponent(postId)}` : pageHref('compose');
}

/** Minimal hash router: "#/settings" -> "settings". */
export function useHashRoute(): [Page, (page: Page) => void] {
  const [page, setPage] = useState<Page>(() => parse(window.location.hash));
  useEffect(() => {
    const onChange = () => setPage(parse(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const navigate = (next: Page) => {
    window.location.hash = pageHref(next);
    setPage(next);
  };
  return [page, navigate];
}

/** The part of the route after the page ("#/compose/abc" -> "abc"), or null. */
export function useRouteParam(): string | null {
  const read = () => {
    const value = segments(window.location.hash)[1];
    return value ? decodeURIComponent(value) : null;
  };
  const [param, setParam] = useState<string | null>(read);
  useEffect(() => {
    const onChange = () => setParam(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return param;
}
