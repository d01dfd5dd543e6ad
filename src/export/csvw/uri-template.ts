/**
 * The part of URI Templates (RFC 6570) that CSVW metadata uses for `aboutUrl` / `propertyUrl` /
 * `valueUrl`: simple `{var}`, reserved `{+var}` and fragment `{#var}` expansion of single values.
 */

/** Characters kept as they are: unreserved, plus reserved ones and %XX triplets in `+` and `#` expansion. */
const NOT_UNRESERVED = /[^A-Za-z0-9\-._~]/gu;
const NOT_UNRESERVED_OR_RESERVED = /%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/gu;
const utf8 = new TextEncoder();

const percentEncode = (ch: string) => [...utf8.encode(ch)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');

function encode(value: string, allowReserved: boolean): string {
  return value.replace(allowReserved ? NOT_UNRESERVED_OR_RESERVED : NOT_UNRESERVED, percentEncode);
}

export interface TemplateExpansion {
  url: string;
  /** Variables the template names whose value was null (absent or empty): their part of the URL is missing. */
  missing: string[];
}

/** Expands `template` with `values`; a null (undefined) variable expands to nothing, as RFC 6570 says. */
export function expandUriTemplate(template: string, values: Readonly<Record<string, string | null | undefined>>): TemplateExpansion {
  const missing: string[] = [];
  const url = template.replace(/\{([+#]?)([A-Za-z0-9_.%]+)\}/gu, (_m, op: string, name: string) => {
    const value = values[name];
    if (value === undefined || value === null) { missing.push(name); return ''; }
    const encoded = encode(value, op === '+' || op === '#');
    return op === '#' ? `#${encoded}` : encoded;
  });
  return { url, missing };
}

/** The variable names a template refers to. */
export function templateVariables(template: string): string[] {
  return [...template.matchAll(/\{[+#]?([A-Za-z0-9_.%]+)\}/gu)].map((m) => m[1]!);
}
