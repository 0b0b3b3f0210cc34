// Lint: typescript-eslint's recommended rules on sources; tests and generated code follow the same rules
// except where noted. Type checking itself is `tsc -b`'s job.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'libs/schemas/src/generated/**', '.spine/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Stage handlers and Avro values are dynamic at the edges; `any` is allowed where a type cannot exist.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
