import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(__dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|js|jsx|mjs)$/.test(name) ? [path] : [];
  });
}

/** Every module specifier in `import ... from 'x'`, `export ... from 'x'`, `import('x')`, `import 'x'`. */
function specifiers(code: string): string[] {
  const found: string[] = [];
  const patterns = [/\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /\bimport\s+['"]([^'"]+)['"]/g, /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const re of patterns) for (const m of code.matchAll(re)) found.push(m[1]);
  return found;
}

const TAURI_PACKAGE = ['@tauri-apps', 'api'].join('/');
const isBindings = (spec: string) => /(^|\/)bindings(\.ts)?$/.test(spec);
const isTauriApi = (spec: string) => spec === TAURI_PACKAGE || spec.startsWith(`${TAURI_PACKAGE}/`);

describe('backend boundary', () => {
  const files = sourceFiles(SRC).map((f) => relative(SRC, f).split(sep).join('/'));

  it('finds the source files', () => {
    expect(files).toContain('backend.ts');
    expect(files).toContain('App.tsx');
    expect(files.length).toBeGreaterThan(20);
  });

  it('only src/backend.ts imports ./bindings or @tauri-apps/api', () => {
    const offenders: string[] = [];
    for (const file of files) {
      if (file === 'backend.ts' || file === 'bindings.ts') continue;
      const specs = specifiers(readFileSync(join(SRC, file), 'utf8'));
      for (const spec of specs) if (isBindings(spec) || isTauriApi(spec)) offenders.push(`${file} -> ${spec}`);
    }
    expect(offenders).toEqual([]);
  });

  it('backend.ts really is the module that imports the generated bindings', () => {
    const specs = specifiers(readFileSync(join(SRC, 'backend.ts'), 'utf8'));
    expect(specs.some(isBindings)).toBe(true);
  });

  it('the scanner catches a forbidden import', () => {
    // Built by concatenation so this file itself does not contain the forbidden import.
    const sample = ['import { commands } ' + "from './bind" + "ings';", "const m = await import('" + TAURI_PACKAGE + "/core');"].join('\n');
    expect(specifiers(sample).filter((s) => isBindings(s) || isTauriApi(s))).toHaveLength(2);
  });
});
