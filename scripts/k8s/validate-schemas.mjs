// Validates Kubernetes objects against the Kubernetes OpenAPI schemas, offline.
//
// stdin: a JSON array of objects. stdout: a JSON array, one entry per object: null when valid, else the problems.
// The schemas are kubernetes-models' (pinned in package.json; 5.1.0 = the Kubernetes v1.36.0 OpenAPI spec,
// compiled to ajv validators). Like kubeconform, an apiVersion/kind without a schema is an error, not a skip.
// A separate process because kubernetes-models is ESM-only and Jest's CommonJS runtime cannot import it.
//
//   node scripts/k8s/validate-schemas.mjs < objects.json
import { readFileSync } from 'node:fs';

const objects = JSON.parse(readFileSync(0, 'utf8'));
if (!Array.isArray(objects)) throw new TypeError('expected a JSON array of Kubernetes objects');

const models = new Map();
async function modelFor(apiVersion, kind) {
  const key = `${apiVersion}/${kind}`;
  if (!models.has(key)) {
    // kubernetes-models lays out one module per kind: v1/Service, apps/v1/Deployment, networking.k8s.io/v1/Ingress.
    const safe = /^[a-z0-9.]+(\/[a-z0-9]+)?$/.test(apiVersion) && /^[A-Za-z]+$/.test(kind);
    models.set(
      key,
      safe
        ? await import(`kubernetes-models/${apiVersion}/${kind}`).then(
            (m) => m[kind],
            () => null,
          )
        : null,
    );
  }
  return models.get(key);
}

const results = [];
for (const object of objects) {
  const Model = await modelFor(String(object?.apiVersion), String(object?.kind));
  if (!Model) {
    results.push([`no schema for ${object?.apiVersion} ${object?.kind}`]);
    continue;
  }
  try {
    new Model(object).validate();
    results.push(null);
  } catch (err) {
    results.push(
      Array.isArray(err?.errors)
        ? err.errors.map((e) => `${e.instancePath || '/'} ${e.message}`)
        : [String(err?.message ?? err)],
    );
  }
}
process.stdout.write(JSON.stringify(results));
