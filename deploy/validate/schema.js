// Schema checks of rendered Kubernetes objects, offline.
//
// Two passes, because each misses what the other sees:
//  - the JSON schemas of kubernetes-models (types, enums, formats such as
//    quantities, required fields), which accept unknown fields, as the API
//    server's non-strict decoding would;
//  - the TypeScript compiler over the same objects typed with the models'
//    interfaces: excess-property checks report every unknown field (a
//    misspelt `readinessProbe` would otherwise pass and silently do nothing).
"use strict";

const fs = require("fs");
const path = require("path");
const ts = require("typescript");

// apiVersion/kind -> module and interface. An object of any other kind is an
// error: add it here, so that nothing reaches a cluster unchecked.
const KINDS = {
  "v1/ConfigMap": ["kubernetes-models/v1/ConfigMap", "ConfigMap"],
  "v1/Secret": ["kubernetes-models/v1/Secret", "Secret"],
  "v1/Service": ["kubernetes-models/v1/Service", "Service"],
  "apps/v1/Deployment": ["kubernetes-models/apps/v1/Deployment", "Deployment"],
  "autoscaling/v2/HorizontalPodAutoscaler": [
    "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler",
    "HorizontalPodAutoscaler",
  ],
  "policy/v1/PodDisruptionBudget": [
    "kubernetes-models/policy/v1/PodDisruptionBudget",
    "PodDisruptionBudget",
  ],
  "monitoring.coreos.com/v1/ServiceMonitor": [
    "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor",
    "ServiceMonitor",
  ],
  "monitoring.coreos.com/v1/PodMonitor": [
    "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor",
    "PodMonitor",
  ],
  "monitoring.coreos.com/v1/PrometheusRule": [
    "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule",
    "PrometheusRule",
  ],
};

function describe(obj) {
  const name = obj && obj.metadata && obj.metadata.name;
  return `${obj && obj.kind}/${name}`;
}

// JSON-schema validation; returns a list of messages.
function checkSchemas(objects) {
  const problems = [];
  for (const obj of objects) {
    const entry = KINDS[`${obj.apiVersion}/${obj.kind}`];
    if (entry === undefined) {
      problems.push(`${describe(obj)}: ${obj.apiVersion} ${obj.kind} has no schema here ` +
                    "(add it to deploy/validate/schema.js)");
      continue;
    }
    const Model = require(entry[0])[entry[1]];
    try {
      new Model(obj).validate();
    } catch (e) {
      const errors = Array.isArray(e.errors) ? e.errors : [{ instancePath: "", message: e.message }];
      for (const err of errors) {
        problems.push(`${describe(obj)}: ${err.instancePath || "/"} ${err.message}`);
      }
    }
  }
  return problems;
}

// Unknown fields, through tsc. `workDir` receives the generated source, and
// must see deploy/validate/node_modules.
function checkUnknownFields(objects, workDir) {
  const lines = [];
  const owners = [];  // line number (0-based) -> object description
  const known = objects.filter((o) => KINDS[`${o.apiVersion}/${o.kind}`] !== undefined);
  known.forEach((obj, i) => {
    const [module, cls] = KINDS[`${obj.apiVersion}/${obj.kind}`];
    const body = JSON.stringify(obj, null, 2).split("\n");
    const start = lines.length;
    lines.push(`export const object${i}: import(${JSON.stringify(module)}).I${cls} = ${body[0]}`);
    lines.push(...body.slice(1));
    lines[lines.length - 1] += ";";
    for (let l = start; l < lines.length; ++l) owners[l] = describe(obj);
  });
  const file = path.join(workDir, "objects.ts");
  fs.writeFileSync(file, lines.join("\n") + "\n");
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2020,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    baseUrl: __dirname,
    paths: { "*": [path.join(__dirname, "node_modules", "*")] },
    types: [],
  });
  const problems = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, " ");
    if (d.file && d.start !== undefined) {
      const { line } = d.file.getLineAndCharacterOfPosition(d.start);
      const where = d.file.fileName === file ? owners[line] : d.file.fileName;
      const text = d.file.fileName === file ? lines[line].trim() : "";
      problems.push(`${where}: ${message}${text ? ` (at: ${text})` : ""}`);
    } else {
      problems.push(message);
    }
  }
  return problems;
}

module.exports = { KINDS, checkSchemas, checkUnknownFields, describe };
