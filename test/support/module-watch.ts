// Loaded with `--import` into a broker process a test starts: writes a line to stderr for every OpenTelemetry module
// the process resolves, whether imported or required (module.registerHooks sees both). A test reads the lines to
// tell that a broker without tracing loaded none, which no log line of the broker itself could prove.
import { registerHooks } from 'node:module';

const WATCHED = /[\\/]node_modules[\\/](?:@opentelemetry|import-in-the-middle|require-in-the-middle)[\\/]/;

registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    if (WATCHED.test(resolved.url)) process.stderr.write(`module-watch: ${resolved.url}\n`);
    return resolved;
  },
});
