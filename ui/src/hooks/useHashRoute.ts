import { useEffect, useState } from 'react';

export const PAGES = ['clients', 'connections', 'library', 'compose', 'calendar', 'jobs', 'settings'] as const;
export type Page = (typeof PAGES)[number];

function parse(hash: string): Page {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return (PAGES as readonly string[]).includes(name) ? (name as Page) : 'clients';
}

export function pageHref(page: Page) {
  return `#/${page}`;
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
