import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'public', 'test-results', 'playwright-report', '.gpu-kit'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The pure core: tfjs and other core modules only (its tsconfig keeps the DOM and Node out too).
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/*.test.ts', 'src/core/**/*.testing.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['../../*', '!../../core', '!../../core/**'], message: 'src/core imports only core modules and tfjs.' },
          { group: ['../../../*'], message: 'src/core imports only core modules and tfjs.' },
          { group: ['node:*', 'react', 'react-dom', 'comlink', 'recharts'], message: 'src/core runs anywhere: no Node, React or worker libraries.' },
        ],
      }],
    },
  },
  {
    // The training kernels and prepareBackend run in the app's worker, the
    // benchmark's and under Node: core modules, tfjs and each other only;
    // what differs per platform comes from the caller (BackendEnvironment).
    files: ['src/kernels/**/*.ts'],
    ignores: ['src/kernels/**/*.test.ts', 'src/kernels/**/*.testing.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/app', '**/app/**', '**/worker', '**/worker/**', '**/bench', '**/bench/**', '**/scripts/**'], message: 'src/kernels imports only core modules, kernels and tfjs.' },
          { group: ['node:*', 'react', 'react-dom', 'comlink', 'recharts'], message: 'src/kernels runs in browsers and Node: no Node, React or worker libraries.' },
        ],
      }],
    },
  },
  {
    // The page talks to the worker through its protocol only.
    files: ['src/app/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          group: ['**/worker/*', '!**/worker/protocol'],
          message: 'The app may import only the worker protocol; the worker runs in its own thread.',
        }],
      }],
    },
  },
);
