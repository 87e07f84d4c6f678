// Lint for the whole repo (flat config): typescript-eslint recommended everywhere, React hooks in
// the renderer, and the architecture rules: raw ipcMain/ipcRenderer only inside the two wrappers
// (main/ipc.ts, main/preload.ts), and no electron import anywhere in the engine.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const rawIpc = {
  name: 'electron',
  importNames: ['ipcMain', 'ipcRenderer'],
  message: 'Use the typed contract: main/ipc.ts (main side) and main/preload.ts (renderer side) are the only IPC wrappers.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'coverage/**', '.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [rawIpc] }],
      // One-line UserErrors deliberately replace driver errors; flag, do not fail.
      'preserve-caught-error': 'warn',
    },
  },
  {
    files: ['main/ipc.ts', 'main/preload.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['main/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The engine never imports electron: it runs in plain Node (CLI, browser mode, tests).' }],
        patterns: [{ group: ['electron/*'], message: 'The engine never imports electron.' }],
      }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The renderer talks to the host only through renderer/api (the ConsoleApi).' }],
        patterns: [{ group: ['**/main/**'], message: 'The renderer may import shared/ only; the host lives behind the ConsoleApi.' }],
      }],
    },
  },
);
