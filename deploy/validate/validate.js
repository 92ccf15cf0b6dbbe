#!/usr/bin/env node
// Checks rendered overlays (kubectl kustomize output) offline and extracts
// what the other checks need.
//
//   node validate.js --out DIR NAME=RENDERED.yaml ...
//
// For each overlay: every object against its JSON schema, unknown fields,
// and mysqlgw's own rules (policy.js). Writes DIR/NAME.config.yaml (the
// gateway configuration from the ConfigMap) and DIR/NAME.rules.yaml (the
// PrometheusRule's groups, for promtool). Prints one line per check and per
// problem; exits 1 on any problem.
"use strict";

const fs = require("fs");
const path = require("path");
const YAML = require("yaml");
const { checkSchemas, checkUnknownFields } = require("./schema");
const { checkPolicy, CONFIG_MAP, CONFIG_KEY } = require("./policy");

function parseArgs(argv) {
  const args = { out: null, overlays: [] };
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === "--out") {
      args.out = argv[++i];
    } else {
      const eq = argv[i].indexOf("=");
      if (eq <= 0) throw new Error(`expected NAME=FILE, got ${argv[i]}`);
      args.overlays.push({ name: argv[i].slice(0, eq), file: argv[i].slice(eq + 1) });
    }
  }
  if (!args.out || args.overlays.length === 0) {
    throw new Error("usage: validate.js --out DIR NAME=RENDERED.yaml ...");
  }
  return args;
}

function report(name, check, problems) {
  if (problems.length === 0) {
    console.log(`deploy: ${name}: ${check}: ok`);
  } else {
    console.log(`deploy: ${name}: ${check}: FAILED`);
    for (const p of problems) console.log(`deploy: ${name}:   ${p}`);
  }
  return problems.length;
}

function loadObjects(file) {
  const docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"));
  const errors = docs.flatMap((d) => d.errors.map((e) => e.message));
  if (errors.length > 0) throw new Error(`${file}: ${errors.join("; ")}`);
  return docs.map((d) => d.toJS()).filter((o) => o !== null);
}

function extract(name, objects, outDir) {
  const problems = [];
  const cm = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === CONFIG_MAP);
  if (cm && cm.data && cm.data[CONFIG_KEY] !== undefined) {
    fs.writeFileSync(path.join(outDir, `${name}.config.yaml`), cm.data[CONFIG_KEY]);
    // The same configuration with a rule the gateway must refuse on reload.
    const broken = YAML.parse(cm.data[CONFIG_KEY]);
    broken.interception = broken.interception || {};
    broken.interception.rules = [...(broken.interception.rules || []),
      { name: "deploy-check-broken", match: { sql_regex: "(unclosed" } }];
    fs.writeFileSync(path.join(outDir, `${name}.config-broken.yaml`), YAML.stringify(broken));
  }
  const rules = objects.filter((o) => o.kind === "PrometheusRule");
  if (rules.length !== 1) {
    problems.push(`expected one PrometheusRule, found ${rules.length}`);
  } else {
    fs.writeFileSync(path.join(outDir, `${name}.rules.yaml`),
                     YAML.stringify({ groups: rules[0].spec.groups }));
  }
  return problems;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  fs.mkdirSync(args.out, { recursive: true });
  let failures = 0;
  for (const { name, file } of args.overlays) {
    let objects;
    try {
      objects = loadObjects(file);
    } catch (e) {
      failures += report(name, "parse", [e.message]);
      continue;
    }
    const kinds = objects.map((o) => o.kind).join(", ");
    console.log(`deploy: ${name}: ${objects.length} objects (${kinds})`);
    failures += report(name, "JSON schemas", checkSchemas(objects));
    const work = fs.mkdtempSync(path.join(args.out, `${name}-ts-`));
    failures += report(name, "unknown fields", checkUnknownFields(objects, work));
    failures += report(name, "mysqlgw rules", checkPolicy(objects));
    failures += report(name, "extract config and alert rules", extract(name, objects, args.out));
  }
  process.exitCode = failures === 0 ? 0 : 1;
}

try {
  main();
} catch (e) {
  console.log(`deploy: validate.js: ${e.message}`);
  process.exitCode = 1;
}
