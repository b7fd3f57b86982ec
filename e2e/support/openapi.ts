import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      { responses?: Record<string, { $ref?: string; content?: Record<string, { schema?: object }> }> }
    >
  >;
  components: { responses: Record<string, { content?: Record<string, { schema?: object }> }> };
}

export const openApi = parse(
  fs.readFileSync(path.resolve(__dirname, '../../docs/openapi.yaml'), 'utf8'),
) as OpenApiDocument;

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ ...openApi, $id: 'openapi' } as object, 'openapi');

const pointer = (...parts: string[]): string =>
  parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/** Throws when a JSON response of a documented operation does not match its documented schema. */
export function assertMatchesSpec(method: string, template: string, status: number, body: unknown): void {
  const operation = openApi.paths[template]?.[method.toLowerCase()];
  if (!operation) throw new Error(`${method} ${template} is not in docs/openapi.yaml`);
  const response = operation.responses?.[String(status)];
  if (!response)
    throw new Error(`${method} ${template} answered ${status}, which docs/openapi.yaml does not list`);
  let ref = `openapi#/${pointer('paths', template, method.toLowerCase(), 'responses', String(status))}`;
  let content = response.content;
  if (response.$ref) {
    const name = response.$ref.split('/').pop() as string;
    ref = `openapi#/${pointer('components', 'responses', name)}`;
    content = openApi.components.responses[name]?.content;
  }
  if (!content?.['application/json']?.schema) return;
  const validate = ajv.getSchema(`${ref}/content/application~1json/schema`);
  if (!validate) throw new Error(`no schema at ${ref}`);
  if (!validate(body)) {
    throw new Error(
      `${method} ${template} ${status} does not match docs/openapi.yaml: ${ajv.errorsText(validate.errors)}`,
    );
  }
}
