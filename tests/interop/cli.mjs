// Shared plumbing of the interop scripts: options from --name value pairs (or environment
// variables), JSON on stdout, and a non-zero exit with a JSON error on stderr.

/** Reads `--name value` pairs; a missing option falls back to the environment variable `env`. */
export function options(spec) {
  const args = process.argv.slice(2);
  const values = {};
  for (let i = 0; i < args.length; i += 2) {
    if (!args[i].startsWith("--") || i + 1 >= args.length) {
      fail(`Arguments are --name value pairs; '${args[i]}' is not.`);
    }
    values[args[i].slice(2)] = args[i + 1];
  }
  const result = {};
  for (const [name, { env, required, fallback }] of Object.entries(spec)) {
    const value = values[name] ?? (env ? process.env[env] : undefined) ?? fallback;
    if (value === undefined && required) {
      fail(`Option --${name}${env ? ` (or environment variable ${env})` : ""} is required.`);
    }
    result[name] = value;
  }
  for (const name of Object.keys(values)) {
    if (!(name in spec)) {
      fail(`Unknown option --${name}; known: ${Object.keys(spec).map((n) => `--${n}`).join(", ")}.`);
    }
  }
  return result;
}

/** Extra HTTP headers (for example the audit API key) from a JSON object in INTEROP_HTTP_HEADERS. */
export function extraHttpHeaders() {
  const text = process.env.INTEROP_HTTP_HEADERS;
  if (!text) {
    return {};
  }
  const headers = JSON.parse(text);
  if (typeof headers !== "object" || headers === null || Array.isArray(headers)) {
    fail("INTEROP_HTTP_HEADERS must be a JSON object of header names to values.");
  }
  return headers;
}

/** Reads all of stdin as JSON. */
export async function readStdinJson() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    fail(`stdin is not JSON: ${error.message}`);
  }
}

/** Writes the result as one JSON document on stdout. */
export function succeed(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Writes the error as JSON on stderr and exits with status 1. */
export function fail(message, details) {
  process.stderr.write(`${JSON.stringify({ error: message, ...(details ?? {}) })}\n`);
  process.exit(1);
}

/** An event's attributes and data as plain JSON (binary data as base64 in data_base64). */
export function describeEvent(event) {
  const json = { ...event.toJSON() };
  if (json.data instanceof Uint8Array || Buffer.isBuffer(json.data)) {
    json.data_base64 = Buffer.from(json.data).toString("base64");
    delete json.data;
  }
  return json;
}
