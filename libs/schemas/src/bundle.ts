/**
 * A schema file may name a type defined in another file (e.g. "spine.common.EventMetadata").
 * The registry gets one self-contained schema per subject, so any language's Confluent client can
 * read it without schema references: the first use of a foreign name is replaced by its definition,
 * later uses stay names (Avro's own rule for named types).
 */

export type AvroJson = string | AvroJson[] | { [key: string]: AvroJson };

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const NAMED = new Set(['record', 'error', 'enum', 'fixed']);

export function fullName(name: string, namespace: string | undefined): string {
  return name.includes('.') || !namespace ? name : `${namespace}.${name}`;
}

/** The full names a schema defines (including nested named types), in definition order. */
export function definedNames(schema: AvroJson, namespace?: string, out: string[] = []): string[] {
  if (Array.isArray(schema)) {
    for (const branch of schema) definedNames(branch, namespace, out);
  } else if (schema && typeof schema === 'object') {
    const type = schema.type;
    let ns = namespace;
    if (typeof type === 'string' && NAMED.has(type) && typeof schema.name === 'string') {
      const name = fullName(schema.name, typeof schema.namespace === 'string' ? schema.namespace : namespace);
      out.push(name);
      ns = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : undefined;
    }
    if (type && typeof type !== 'string') definedNames(type, ns, out);
    if (Array.isArray(schema.fields)) {
      for (const field of schema.fields) if (field && typeof field === 'object' && !Array.isArray(field)) definedNames(field.type ?? 'null', ns, out);
    }
    if (schema.items) definedNames(schema.items, ns, out);
    if (schema.values) definedNames(schema.values, ns, out);
  }
  return out;
}

/**
 * Returns `schema` with every reference to a type of `library` (full name -> defining schema) inlined
 * once. Throws naming the missing type when a reference cannot be resolved.
 */
export function bundle(schema: AvroJson, library: ReadonlyMap<string, AvroJson>, origin: string): AvroJson {
  const defined = new Set<string>();

  const visit = (node: AvroJson, namespace: string | undefined): AvroJson => {
    if (typeof node === 'string') {
      if (PRIMITIVES.has(node)) return node;
      const name = fullName(node, namespace);
      if (defined.has(name)) return name;
      const definition = library.get(name) ?? library.get(node);
      if (!definition) throw new Error(`${origin}: type "${node}" is not defined in this file nor in any schema file`);
      return visit(definition, undefined);
    }
    if (Array.isArray(node)) return node.map((branch) => visit(branch, namespace));
    const copy: { [key: string]: AvroJson } = { ...node };
    let ns = namespace;
    if (typeof node.type === 'string' && NAMED.has(node.type) && typeof node.name === 'string') {
      const name = fullName(node.name, typeof node.namespace === 'string' ? node.namespace : namespace);
      defined.add(name);
      ns = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : undefined;
      // Inlined definitions are written with full names so they keep their identity in any namespace.
      copy.name = name;
      delete copy.namespace;
    }
    if (node.type !== undefined && typeof node.type !== 'string') copy.type = visit(node.type, ns);
    else if (typeof node.type === 'string' && !NAMED.has(node.type) && !['array', 'map'].includes(node.type)) copy.type = visit(node.type, ns);
    if (Array.isArray(node.fields)) {
      copy.fields = node.fields.map((field) =>
        field && typeof field === 'object' && !Array.isArray(field) && field.type !== undefined
          ? { ...field, type: visit(field.type, ns) }
          : field,
      );
    }
    if (node.items !== undefined) copy.items = visit(node.items, ns);
    if (node.values !== undefined) copy.values = visit(node.values, ns);
    return copy;
  };

  return visit(schema, undefined);
}
