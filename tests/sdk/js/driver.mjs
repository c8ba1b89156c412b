// Runs metadata writes through the real @clerk/backend SDK against a live
// reference server and prints what came back, as JSON on standard output.
//
// Input (JSON, from the file named by the first argument, or standard input):
//   { "apiUrl": "http://127.0.0.1:PORT", "secretKey": "...",
//     "cases": [ { "name": "...", "userId": "user_...", "method": "PUT" | "PATCH",
//                  "params": { "publicMetadata": ..., ... },
//                  "undefined": ["privateMetadata", ...] } ] }
// "params" is handed to the SDK as it is; every name in "undefined" is added
// to it with the value undefined, which JSON itself cannot say.
//
// Output: { "sdk": "@clerk/backend", "version": "...", "results": [...] }, one
// result per case, in order:
//   { "name", "ok": true,  "written": FIELDS, "read": FIELDS }
//   { "name", "ok": false, "error": ERROR, "read": FIELDS }
// FIELDS holds the three metadata fields in the HTTP API's spelling; "written"
// is what the write returned, "read" what getUser returns afterwards. ERROR
// says whether the SDK threw its own ClerkAPIResponseError, with its status
// and first error. Only standard output carries results; a failure of the
// driver itself goes to standard error with a non-zero exit.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import { createClerkClient } from "@clerk/backend";
import { ClerkAPIResponseError } from "@clerk/backend/errors";

const WRITES = { PUT: "replaceUserMetadata", PATCH: "updateUserMetadata" };

function sdkVersion() {
  const require = createRequire(import.meta.url);
  return require("@clerk/backend/package.json").version;
}

function readInput() {
  const source = process.argv[2] ?? 0; // 0 is standard input
  return JSON.parse(readFileSync(source, "utf8"));
}

// The SDK's User spells the fields in camel case; the results use the API's names.
function fields(user) {
  return {
    public_metadata: user.publicMetadata,
    private_metadata: user.privateMetadata,
    unsafe_metadata: user.unsafeMetadata,
  };
}

function describeError(error) {
  const first = error?.errors?.[0];
  return {
    clerk_api_response_error: error instanceof ClerkAPIResponseError,
    class: error?.constructor?.name ?? typeof error,
    status: error?.status ?? null,
    code: first?.code ?? null,
    param_name: first?.meta?.paramName ?? null,
    message: String(error?.message ?? error),
  };
}

async function runCase(clerk, testCase) {
  const write = WRITES[testCase.method];
  if (write === undefined) {
    throw new Error(`case ${testCase.name}: unknown method ${testCase.method}`);
  }
  const params = { ...testCase.params };
  for (const name of testCase.undefined ?? []) {
    params[name] = undefined;
  }
  let outcome;
  try {
    const written = await clerk.users[write](testCase.userId, params);
    outcome = { name: testCase.name, ok: true, written: fields(written) };
  } catch (error) {
    outcome = { name: testCase.name, ok: false, error: describeError(error) };
  }
  outcome.read = fields(await clerk.users.getUser(testCase.userId));
  return outcome;
}

async function main() {
  const input = readInput();
  const clerk = createClerkClient({
    secretKey: input.secretKey,
    apiUrl: input.apiUrl,
    // No event may leave the machine.
    telemetry: { disabled: true },
  });
  const results = [];
  for (const testCase of input.cases) {
    results.push(await runCase(clerk, testCase));
  }
  process.stdout.write(
    JSON.stringify({ sdk: "@clerk/backend", version: sdkVersion(), results }) + "\n",
  );
}

main().catch((error) => {
  process.stderr.write(`driver failed: ${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
