import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

/**
 * Checks answers against docs/customcrm-openapi.yaml, so the document and the reference server
 * cannot drift apart. Other helpers import it to hold their own fakes or recordings to the contract.
 */
export const OPENAPI_PATH = fileURLToPath(new URL('../../../docs/customcrm-openapi.yaml', import.meta.url));

type Json = Record<string, unknown>;
const DOC_ID = 'https://tandem.dev/customcrm-openapi.json';

const doc = parse(readFileSync(OPENAPI_PATH, 'utf8')) as Json;
// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => void;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ ...doc, $id: DOC_ID });
const compiled = new Map<string, ValidateFunction>();

function pointer(parts: string[]): string {
  return '#/' + parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
}

function at(parts: string[]): unknown {
  let node: unknown = doc;
  for (const p of parts) node = node && typeof node === 'object' ? (node as Json)[p] : undefined;
  return node;
}

function schemaCheck(parts: string[], value: unknown, label: string): string[] {
  const ref = pointer(parts);
  let validate = compiled.get(ref);
  if (!validate) {
    validate = ajv.compile({ $ref: DOC_ID + ref });
    compiled.set(ref, validate);
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) =>
    `${label}: ${e.instancePath || '(body)'} ${e.message ?? ''}`.trim(),
  );
}

/**
 * Validates one answer of the API. `pathTemplate` is the OpenAPI path, e.g. `/customers/{id}`
 * (with or without the `/v1` prefix). Returns the list of violations; empty means it conforms.
 * With `headers`, the headers the document marks required must be present.
 */
export function validateResponse(
  method: string,
  pathTemplate: string,
  status: number,
  body: unknown,
  headers?: Headers | Record<string, string>,
): string[] {
  const path = pathTemplate.replace(/^\/v1(?=\/)/, '');
  const label = `${method.toUpperCase()} ${path} ${status}`;
  const op = ['paths', path, method.toLowerCase()];
  if (!at(op)) return [`${label}: operation not in the OpenAPI document`];
  let parts = [...op, 'responses', String(status)];
  if (!at(parts)) return [`${label}: status ${status} is not documented for this operation`];
  const ref = (at(parts) as Json).$ref;
  if (typeof ref === 'string') parts = ref.replace(/^#\//, '').split('/');
  const response = at(parts) as Json;
  const problems: string[] = [];
  if (headers) {
    const get = (n: string) =>
      headers instanceof Headers
        ? headers.get(n)
        : (Object.entries(headers).find(([k]) => k.toLowerCase() === n.toLowerCase())?.[1] ?? null);
    for (const [name, h] of Object.entries((response.headers ?? {}) as Record<string, Json>)) {
      const def = typeof h.$ref === 'string' ? (at(h.$ref.replace(/^#\//, '').split('/')) as Json) : h;
      const value = get(name);
      if (def.required && value === null) problems.push(`${label}: header ${name} is missing`);
      else if (value !== null) {
        const schemaParts =
          typeof h.$ref === 'string'
            ? [...h.$ref.replace(/^#\//, '').split('/'), 'schema']
            : [...parts, 'headers', name, 'schema'];
        problems.push(...schemaCheck(schemaParts, value, `${label} header ${name}`));
      }
    }
  }
  const content = response.content as Record<string, unknown> | undefined;
  if (!content) {
    if (body !== undefined && body !== '')
      problems.push(`${label}: documented without a body, but one was sent`);
    return problems;
  }
  const mediaType = Object.keys(content)[0] as string;
  return [...problems, ...schemaCheck([...parts, 'content', mediaType, 'schema'], body, label)];
}

/** Validates a webhook delivery's body against `webhooks.recordChanged`. */
export function validateWebhookEvent(body: unknown): string[] {
  return schemaCheck(
    ['webhooks', 'recordChanged', 'post', 'requestBody', 'content', 'application/json', 'schema'],
    body,
    'webhook event',
  );
}
