// Readable messages from ajv's errors, for every schema the collector checks (the wire formats,
// server events, the alerts file): `<field> must be <description>`, the description coming from
// the deepest schema node on the error's path that has one.
import type { ErrorObject } from 'ajv/dist/2020.js';

/** A JSON Schema node, as far as messages need it. */
export interface SchemaNode {
  $ref?: string;
  description?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  $defs?: Record<string, SchemaNode>;
  [keyword: string]: unknown;
}

/** A schema's `$ref`s followed inside its own `$defs`. */
const resolver = (defs: Record<string, SchemaNode>) => {
  const resolve = (node: SchemaNode): SchemaNode => {
    const ref = node.$ref?.replace(/^#\/\$defs\//, '');
    return ref === undefined ? node : resolve({ ...defs[ref], ...node, $ref: undefined });
  };
  return resolve;
};

const label = (path: string[], root: string) =>
  path.reduce((text, key) => (/^\d+$/.test(key) ? `${text}[${key}]` : text ? `${text}.${key}` : key), '') || root;

/**
 * Turns ajv's errors for a value checked against `schema` (a node of a schema whose `$defs` are
 * `defs`) into one readable message: `<field> must be <description>` per error, where the deepest
 * schema node on the error's path that has a description says what the value must be; an unknown
 * field of a closed object reads `<field> is not a field of <object description>`.
 */
export function describeErrors(errors: ErrorObject[] | null | undefined, schema: SchemaNode, defs: Record<string, SchemaNode>, root: string): string {
  const resolve = resolver(defs);
  /** One step down the schema, for a property name or an array index. */
  const child = (node: SchemaNode, key: string): SchemaNode | undefined => {
    const n = resolve(node);
    if (n.properties?.[key]) return n.properties[key];
    if (typeof n.additionalProperties === 'object') return n.additionalProperties;
    return n.items;
  };
  const message = (error: ErrorObject): string => {
    const path = error.instancePath.split('/').slice(1).map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (error.keyword === 'required') path.push((error.params as { missingProperty: string }).missingProperty);
    let node: SchemaNode | undefined = schema;
    let described = { depth: 0, text: resolve(schema).description ?? 'valid' };
    for (let depth = 1; node && depth <= path.length; depth++) {
      node = child(node, path[depth - 1]!);
      const text = node && resolve(node).description;
      if (text) described = { depth, text };
    }
    if (error.keyword === 'additionalProperties' && described.depth === path.length) {
      const field = label([...path, (error.params as { additionalProperty: string }).additionalProperty], root);
      return `${field} is not a field of ${described.text}`;
    }
    return `${label(path.slice(0, described.depth), root)} must be ${described.text}`;
  };
  return [...new Set((errors ?? []).map(message))].join('; ');
}
