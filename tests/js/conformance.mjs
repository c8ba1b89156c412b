// A second, independent implementation of the write semantics, written from
// metadata_semantics/vectors/README.md alone, run against every vector.
// Node's standard library only:  node tests/js/conformance.mjs
// Exit status 0 when every vector it can express passes, 1 otherwise.

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const VECTORS = join(HERE, "..", "..", "metadata_semantics", "vectors", "vectors.json");
const FIELDS = ["public_metadata", "private_metadata", "unsafe_metadata"];
const CAMEL = {
  publicMetadata: "public_metadata",
  privateMetadata: "private_metadata",
  unsafeMetadata: "unsafe_metadata",
};
// JSON.parse reads every number as a double: these cases cannot be expressed.
const HAZARDS = new Set(["integer-beyond-2^53", "integral-float"]);

class SpecError extends Error {
  constructor(code, path) {
    super(`${code} at ${JSON.stringify(path)}`);
    this.code = code;
    this.path = path;
  }
}

// -- plain JSON helpers; keys such as "__proto__" must stay ordinary keys --

const hasOwn = (object, key) => Object.prototype.hasOwnProperty.call(object, key);
const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

function put(object, key, value) {
  Object.defineProperty(object, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

function clone(value) {
  if (Array.isArray(value)) return value.map(clone);
  if (isObject(value)) {
    const copy = {};
    for (const key of Object.keys(value)) put(copy, key, clone(value[key]));
    return copy;
  }
  return value;
}

function same(a, b) {
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => same(item, b[i]));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => hasOwn(b, key) && same(a[key], b[key]));
  }
  return Object.is(a, b);
}

function pointer(...keys) {
  return keys.map((key) => "/" + String(key).replaceAll("~", "~0").replaceAll("/", "~1")).join("");
}

// -- RFC 7396 -------------------------------------------------------------

function mergePatch(target, patch) {
  if (!isObject(patch)) return clone(patch);
  const result = isObject(target) ? clone(target) : {};
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) {
      delete result[key];
    } else {
      put(result, key, mergePatch(hasOwn(result, key) ? result[key] : undefined, value));
    }
  }
  return result;
}

// -- the two writes -------------------------------------------------------

function write(op, stored, body) {
  // Every request field is checked before anything is written.
  for (const field of FIELDS) {
    if (hasOwn(body, field) && body[field] !== null && !isObject(body[field])) {
      throw new SpecError("invalid_field", pointer(field));
    }
  }
  const result = {};
  for (const field of FIELDS) {
    if (!hasOwn(body, field)) {
      const kept = stored[field];
      if (kept !== null && !isObject(kept)) throw new SpecError("invalid_field", pointer(field));
      result[field] = clone(kept);
    } else if (body[field] === null) {
      result[field] = null;
    } else if (op === "replace") {
      result[field] = clone(body[field]);
    } else {
      result[field] = mergePatch(stored[field], body[field]);
    }
  }
  return result;
}

// -- strict JSON text -----------------------------------------------------

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

function parseJson(text) {
  let at = 0;
  const path = [];
  const fail = (code, where = path) => {
    throw new SpecError(code, pointer(...where));
  };
  const skip = () => {
    while (at < text.length && WHITESPACE.has(text[at])) at += 1;
  };
  const expect = (char) => {
    skip();
    if (text[at] !== char) fail("invalid_json");
    at += 1;
  };

  function string() {
    at += 1; // the opening quote
    let out = "";
    for (;;) {
      if (at >= text.length) fail("invalid_json");
      const char = text[at];
      if (char === '"') {
        at += 1;
        return out;
      }
      if (char < " ") fail("invalid_json");
      if (char !== "\\") {
        out += char;
        at += 1;
        continue;
      }
      const escape = text[at + 1];
      at += 2;
      const simple = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
      if (hasOwn(simple, escape)) {
        out += simple[escape];
      } else if (escape === "u") {
        const hex = text.slice(at, at + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("invalid_json");
        out += String.fromCharCode(parseInt(hex, 16));
        at += 4;
      } else {
        fail("invalid_json");
      }
    }
  }

  // A lone surrogate has no UTF-8 form, so it cannot be stored.
  const loneSurrogate = (s) => /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

  function value() {
    skip();
    const char = text[at];
    if (char === "{") {
      at += 1;
      const object = {};
      skip();
      if (text[at] === "}") {
        at += 1;
        return object;
      }
      for (;;) {
        skip();
        if (text[at] !== '"') fail("invalid_json");
        const key = string();
        if (loneSurrogate(key)) fail("invalid_string", [...path, key]);
        if (hasOwn(object, key)) fail("duplicate_key");
        expect(":");
        path.push(key);
        put(object, key, value());
        path.pop();
        skip();
        if (text[at] === ",") {
          at += 1;
          continue;
        }
        expect("}");
        return object;
      }
    }
    if (char === "[") {
      at += 1;
      const array = [];
      skip();
      if (text[at] === "]") {
        at += 1;
        return array;
      }
      for (;;) {
        path.push(array.length);
        array.push(value());
        path.pop();
        skip();
        if (text[at] === ",") {
          at += 1;
          continue;
        }
        expect("]");
        return array;
      }
    }
    if (char === '"') {
      const s = string();
      if (loneSurrogate(s)) fail("invalid_string");
      return s;
    }
    for (const [word, literal] of [["true", true], ["false", false], ["null", null]]) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return literal;
      }
    }
    for (const word of ["NaN", "Infinity", "-Infinity"]) {
      if (text.startsWith(word, at)) fail("non_finite_number");
    }
    NUMBER.lastIndex = at;
    const match = NUMBER.exec(text);
    if (match === null) fail("invalid_json");
    at += match[0].length;
    const number = Number(match[0]);
    if (!Number.isFinite(number)) fail("non_finite_number");
    return number;
  }

  skip();
  if (at >= text.length) fail("empty_input");
  const result = value();
  skip();
  if (at < text.length) fail("trailing_data");
  return result;
}

// -- reading a request body -------------------------------------------------

const SNAKE = Object.fromEntries(FIELDS.map((field) => [field, field]));
const SPELLINGS = { snake: SNAKE, camel: CAMEL };

function parseBody(text, naming) {
  if ([...text].every((char) => WHITESPACE.has(char))) return {};
  if (text.startsWith("\ufeff")) throw new SpecError("byte_order_mark", "");
  const body = parseJson(text);
  if (!isObject(body)) throw new SpecError("invalid_body", "");
  const own = SPELLINGS[naming];
  const other = SPELLINGS[naming === "camel" ? "snake" : "camel"];
  const ownKey = Object.fromEntries(Object.entries(own).map(([key, field]) => [field, key]));
  // First every key, then every value, each in body order.
  for (const key of Object.keys(body)) {
    if (hasOwn(own, key)) continue;
    const spelledTwice = hasOwn(other, key) && hasOwn(body, ownKey[other[key]]);
    throw new SpecError(spelledTwice ? "duplicate_field" : "unknown_key", pointer(key));
  }
  const result = {};
  for (const key of Object.keys(body)) {
    const value = body[key];
    if (value !== null && !isObject(value)) throw new SpecError("invalid_field", pointer(key));
    result[own[key]] = value;
  }
  return result;
}

// -- the run ----------------------------------------------------------------

function run(vector) {
  switch (vector.op) {
    case "replace":
    case "merge":
      return write(vector.op, vector.stored, vector.body);
    case "merge_patch":
      return mergePatch(vector.stored, vector.body);
    case "parse":
      return parseBody(vector.body, vector.naming ?? "snake");
    default:
      throw new Error(`unknown op ${vector.op}`);
  }
}

const document = JSON.parse(readFileSync(VECTORS, "utf8"));
let passed = 0;
const skipped = new Map();
const failures = [];
for (const vector of document.cases) {
  const hazards = (vector.hazards ?? []).filter((flag) => HAZARDS.has(flag));
  if (hazards.length > 0) {
    for (const flag of hazards) skipped.set(flag, (skipped.get(flag) ?? 0) + 1);
    skipped.set("total", (skipped.get("total") ?? 0) + 1);
    continue;
  }
  let got;
  try {
    got = { result: run(vector) };
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    got = { error: { code: error.code, path: error.path } };
  }
  const ok =
    "error" in vector
      ? got.error !== undefined && got.error.code === vector.error.code && got.error.path === vector.error.path
      : got.error === undefined && same(got.result, vector.result);
  if (ok) {
    passed += 1;
  } else {
    failures.push(`${vector.id}: expected ${JSON.stringify(vector.error ?? vector.result)}, got ${JSON.stringify(got)}`);
  }
}

const skippedTotal = skipped.get("total") ?? 0;
const reasons = [...skipped].filter(([flag]) => flag !== "total").map(([flag, n]) => `${flag}: ${n}`);
console.log(
  `${document.cases.length} vectors: ${passed} passed, ${failures.length} failed, ` +
    `${skippedTotal} skipped by hazard flag (${reasons.join(", ") || "none"})`,
);
for (const failure of failures) console.log(`FAIL ${failure}`);
process.exitCode = failures.length === 0 && passed + skippedTotal === document.cases.length ? 0 : 1;
