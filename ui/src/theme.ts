import { createTheme } from '@mantine/core';

// System font stacks only: no remote fonts (strict CSP, offline app).
export const theme = createTheme({
  primaryColor: 'indigo',
  defaultRadius: 'md',
  focusRing: 'auto',
  cursorType: 'pointer',
});
