#!/usr/bin/env node
// Interop peer driver for the npm package `http-message-signatures` (dhensby).
//
// Run with NODE_PATH=.interop/node/node_modules (scripts/setup-interop.sh installs it there from
// crates/conformance/interop/node/package-lock.json). Used by crates/conformance/tests/interop.rs;
// one process handles a whole batch of jobs.
//
//   node_peer.mjs batch  < jobs.json > results.json   (a JSON array in, a JSON array out)
//   node_peer.mjs sign   < job.json                    (one job: prints Signature-Input and Signature)
//   node_peer.mjs verify < job.json                    (one job: prints "ok" or "error: ...")
//
// The job and result shapes are those of py_peer.py. "base" is the library's own signature base,
// built with its exported createSignatureBase/formatSignatureBase plus the @signature-params line
// of the signature in question.
//
// Only the library's documented public API is used.

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const require = createRequire(path.resolve(process.env.NODE_PATH ?? '.', 'noop.js'));
const hms = require('http-message-signatures');
const { httpbis, createSigner, createVerifier } = hms;

function headersRecord(lines) {
  // Record<string, string | string[]>: a repeated field becomes an array of its lines, in order.
  const out = {};
  for (const [name, value] of lines) {
    const existing = Object.keys(out).find((k) => k.toLowerCase() === name.toLowerCase());
    if (existing === undefined) {
      out[name] = value;
    } else {
      out[existing] = Array.isArray(out[existing]) ? [...out[existing], value] : [out[existing], value];
    }
  }
  return out;
}

function buildMessage(m) {
  if (m.status !== undefined) {
    return { status: m.status, headers: headersRecord(m.headers) };
  }
  return { method: m.method, url: m.target_uri, headers: headersRecord(m.headers) };
}

function keys(job) {
  const k = job.key;
  if (k.secret_base64 !== undefined) {
    const secret = Buffer.from(k.secret_base64, 'base64');
    return [secret, secret];
  }
  return [k.private ? readFileSync(k.private, 'utf8') : null, k.public ? readFileSync(k.public, 'utf8') : null];
}

function paramConfig(job) {
  const params = [];
  const paramValues = {};
  for (const p of job.params) {
    const [name, value] = typeof p === 'string' ? [p, undefined] : p;
    params.push(name);
    if (name === 'created') paramValues.created = new Date(job.created * 1000);
    else if (name === 'keyid') paramValues.keyid = job.keyid;
    else if (name === 'alg') paramValues.alg = job.alg;
    else paramValues[name] = value;
  }
  return { params, paramValues };
}

function headerValue(headers, wanted) {
  const name = Object.keys(headers).find((k) => k.toLowerCase() === wanted);
  if (name === undefined) return undefined;
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function libraryBase(job, msg, req, signatureInput) {
  // The signature has one member, `label=`; its value is the @signature-params line.
  const label = job.label ?? 'sig1';
  const params = signatureInput.startsWith(`${label}=`) ? signatureInput.slice(label.length + 1) : signatureInput;
  const lines = httpbis.createSignatureBase({ fields: job.components }, msg, req);
  lines.push(['"@signature-params"', [params]]);
  return httpbis.formatSignatureBase(lines);
}

async function doSign(job) {
  const [priv] = keys(job);
  const msg = buildMessage(job.message);
  const req = job.request ? buildMessage(job.request) : undefined;
  const { params, paramValues } = paramConfig(job);
  const key = createSigner(priv, job.alg, job.keyid);
  const signed = await httpbis.signMessage(
    { key, name: job.label ?? 'sig1', fields: job.components, params, paramValues },
    msg,
    req,
  );
  const signatureInput = headerValue(signed.headers, 'signature-input');
  const signature = headerValue(signed.headers, 'signature');
  let base = null;
  try {
    base = libraryBase(job, msg, req, signatureInput);
  } catch (e) {
    base = null;
  }
  return { ok: true, signature_input: signatureInput, signature, base };
}

async function doVerify(job) {
  const [, pub] = keys(job);
  const msg = buildMessage(job.message);
  const req = job.request ? buildMessage(job.request) : undefined;
  let base = null;
  try {
    base = libraryBase(job, msg, req, job.signature_input);
  } catch (e) {
    base = null;
  }
  const lines = [...job.message.headers, ['Signature-Input', job.signature_input], ['Signature', job.signature]];
  const signedMsg = { ...msg, headers: headersRecord(lines) };
  const keyLookup = async (p) =>
    p.keyid === job.keyid ? { id: job.keyid, algs: [job.alg], verify: createVerifier(pub, job.alg) } : null;
  try {
    const verdict = await httpbis.verifyMessage({ keyLookup }, signedMsg, req);
    if (verdict === true) return { ok: true, base };
    return { ok: false, error: `verifyMessage returned ${verdict}`, base };
  } catch (e) {
    return { ok: false, error: `${e.name}: ${e.message}`, base };
  }
}

async function run(job) {
  let result;
  try {
    result = job.op === 'sign' ? await doSign(job) : await doVerify(job);
  } catch (e) {
    result = { ok: false, error: `${e.name}: ${e.message}` };
  }
  result.id = job.id;
  return result;
}

const mode = process.argv[2] ?? 'batch';
const input = JSON.parse(readFileSync(0, 'utf8'));
if (mode === 'batch') {
  const results = [];
  for (const job of input) results.push(await run(job));
  process.stdout.write(JSON.stringify(results));
} else {
  input.op = mode;
  const r = await run(input);
  if (mode === 'sign' && r.ok) {
    process.stdout.write(`Signature-Input: ${r.signature_input}\nSignature: ${r.signature}\n`);
  } else if (r.ok) {
    process.stdout.write('ok\n');
  } else {
    process.stdout.write(`error: ${r.error}\n`);
    process.exitCode = 1;
  }
}
