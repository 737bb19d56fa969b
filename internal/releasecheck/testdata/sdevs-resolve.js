// Resolves a Serverless Devs spec's magic variables (${vars.x}, ${env('X')},
// ${config('AccountID')}, ...) with Serverless Devs' own engine, as
// @serverless-devs/parse-spec does: everything but resources against the
// vars as written, then each resource against the resolved vars.
// Usage: node sdevs-resolve.js <path of devs-compile.js> < spec.json
const compile = require(process.argv[2]);
const spec = JSON.parse(require('fs').readFileSync(0, 'utf8'));

// inputs is parse-spec's getInputs: every string compiled, and an object a
// string resolved to walked again.
const inputs = (v, ctx) => {
  if (typeof v === 'string') {
    const r = compile(v, ctx, true, false);
    return r !== null && typeof r === 'object' ? inputs(r, ctx) : r;
  }
  if (Array.isArray(v)) return v.map((e) => inputs(e, ctx));
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, inputs(e, ctx)]));
  }
  return v;
};

const { resources, ...rest } = spec;
const common = { cwd: process.cwd(), vars: spec.vars, __runtime: 'parse', credential: { AccountID: '1234567890123456' } };
const top = inputs(rest, common);
const out = { ...top, resources: {} };
for (const [name, r] of Object.entries(resources)) {
  out.resources[name] = inputs(r, { ...common, vars: top.vars });
}
process.stdout.write(JSON.stringify(out));
