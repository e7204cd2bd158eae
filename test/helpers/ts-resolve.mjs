// Lets Node run the TypeScript sources as they are (Node 24 strips the types
// itself): an import of "./name.js", as TypeScript's ESM output names it, is
// resolved to "./name.ts" when only that exists. Preloaded with
// `node --import ./test/helpers/ts-resolve.mjs file.ts` by npm test (tap's
// node-arg), the CLI children tests start, the benchmarks and the fuzzer;
// worker threads inherit it with the rest of process.execArgv.
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      const relative = specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('file:');
      if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !relative || !specifier.endsWith('.js')) throw error;
      return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
    }
  },
});
