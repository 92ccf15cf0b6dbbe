// mysqlgw's own rules for its manifests: what a schema cannot know, such as
// probes that reach the addresses the gateway's configuration listens on,
// a grace period longer than the gateway's drain, or a token whose hash the
// configuration does not hold. Each rule returns plain messages.
"use strict";

const crypto = require("crypto");
const YAML = require("yaml");
const { describe } = require("./schema");

const GATEWAY_CONTAINER = "mysqlgw";
const CONFIG_MAP = "mysqlgw-config";
const CONFIG_KEY = "config.yaml";
const CONFIG_DIR = "/etc/mysqlgw";
const DEFAULT_GRACE_SECONDS = 10;  // config.proto: shutdown_grace_period

// "15s", "1.5s", "500ms", "2m", "1h" (server/config's duration forms).
function parseDuration(text) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(String(text));
  if (m === null) return null;
  const scale = { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2]];
  return Number(m[1]) * scale;
}

function hostPort(address) {
  const m = /^(\[[^\]]*\]|[^:]*):(\d+)$/.exec(String(address || ""));
  return m === null ? null : { host: m[1], port: Number(m[2]) };
}

function isLoopback(host) {
  return host === "localhost" || host.startsWith("127.") || host === "[::1]";
}

function matches(selector, labels) {
  return Object.entries(selector || {}).every(([k, v]) => (labels || {})[k] === v);
}

function byKind(objects, kind) {
  return objects.filter((o) => o.kind === kind);
}

function gatewayContainers(pod) {
  const all = [...(pod.containers || []), ...(pod.initContainers || [])];
  return all.filter((c) => c.name === GATEWAY_CONTAINER);
}

function containerPort(container, nameOrNumber) {
  const port = (container.ports || []).find(
    (p) => p.name === nameOrNumber || p.containerPort === nameOrNumber);
  return port === undefined ? null : port.containerPort;
}

// The gateway's configuration from its ConfigMap, parsed; null when absent.
function gatewayConfig(objects, problems) {
  const cm = byKind(objects, "ConfigMap").find((o) => o.metadata.name === CONFIG_MAP);
  if (cm === undefined || !cm.data || typeof cm.data[CONFIG_KEY] !== "string") {
    problems.push(`no ConfigMap ${CONFIG_MAP} with a key ${CONFIG_KEY}`);
    return null;
  }
  try {
    return YAML.parse(cm.data[CONFIG_KEY]);
  } catch (e) {
    problems.push(`ConfigMap/${CONFIG_MAP}: ${CONFIG_KEY} is not YAML: ${e.message}`);
    return null;
  }
}

function checkSecurity(where, pod, c, problems) {
  const sc = c.securityContext || {};
  const podSc = pod.securityContext || {};
  if (sc.allowPrivilegeEscalation !== false) {
    problems.push(`${where}: securityContext.allowPrivilegeEscalation must be false`);
  }
  if (sc.readOnlyRootFilesystem !== true) {
    problems.push(`${where}: securityContext.readOnlyRootFilesystem must be true`);
  }
  if (!((sc.capabilities || {}).drop || []).includes("ALL")) {
    problems.push(`${where}: securityContext.capabilities.drop must include ALL`);
  }
  if (sc.runAsNonRoot !== true && podSc.runAsNonRoot !== true) {
    problems.push(`${where}: runAsNonRoot must be true`);
  }
}

function checkResources(where, c, problems) {
  const resources = c.resources || {};
  for (const kind of ["requests", "limits"]) {
    for (const r of ["cpu", "memory"]) {
      if (!(resources[kind] || {})[r]) problems.push(`${where}: resources.${kind}.${r} missing`);
    }
  }
}

// Probes must reach what the configuration opens: gRPC probes need a gRPC
// listener off loopback, HTTP probes the admin server off loopback.
function checkProbes(where, c, config, problems) {
  const listen = hostPort((config.listen || {}).address || "127.0.0.1:50051");
  const admin = hostPort(config.admin_address || config.adminAddress || "");
  for (const probeName of ["livenessProbe", "readinessProbe"]) {
    if (!c[probeName]) problems.push(`${where}: ${probeName} missing`);
  }
  for (const probeName of ["livenessProbe", "readinessProbe", "startupProbe"]) {
    const probe = c[probeName];
    if (!probe) continue;
    if (probe.grpc) {
      if (listen === null || isLoopback(listen.host)) {
        problems.push(`${where}: ${probeName} is a gRPC probe but gRPC listens on ` +
                      `${(config.listen || {}).address || "127.0.0.1 (default)"}, ` +
                      "which the kubelet cannot reach");
      } else if (probe.grpc.port !== listen.port) {
        problems.push(`${where}: ${probeName} probes gRPC port ${probe.grpc.port}, ` +
                      `the gateway listens on ${listen.port}`);
      }
    } else if (probe.httpGet) {
      const port = containerPort(c, probe.httpGet.port);
      if (admin === null) {
        problems.push(`${where}: ${probeName} is an HTTP probe but admin_address is not set`);
      } else if (isLoopback(admin.host)) {
        problems.push(`${where}: ${probeName}: admin_address ${admin.host} is loopback`);
      } else if (port !== admin.port) {
        problems.push(`${where}: ${probeName} probes port ${probe.httpGet.port} (${port}), ` +
                      `admin_address is on ${admin.port}`);
      }
      if (!["/healthz", "/readyz"].includes(probe.httpGet.path)) {
        problems.push(`${where}: ${probeName} path ${probe.httpGet.path} is not /healthz or /readyz`);
      }
    } else {
      problems.push(`${where}: ${probeName} is neither gRPC nor httpGet`);
    }
  }
}

function checkConfigVolume(where, pod, c, problems) {
  const mount = (c.volumeMounts || []).find((m) => m.mountPath === CONFIG_DIR);
  if (mount === undefined) {
    problems.push(`${where}: nothing mounted at ${CONFIG_DIR}`);
    return;
  }
  if (mount.subPath || mount.subPathExpr) {
    problems.push(`${where}: ${CONFIG_DIR} is a subPath mount, which never sees ConfigMap ` +
                  "updates (no hot reload)");
  }
  const volume = (pod.volumes || []).find((v) => v.name === mount.name);
  if (!volume || !volume.configMap || volume.configMap.name !== CONFIG_MAP) {
    problems.push(`${where}: ${CONFIG_DIR} is not the ConfigMap ${CONFIG_MAP}`);
  }
}

// Every Secret a container reads exists with that key; every password_env
// of the configuration is set in the gateway container.
function checkSecretsAndEnv(where, c, config, objects, problems) {
  const secrets = byKind(objects, "Secret");
  for (const env of c.env || []) {
    const ref = env.valueFrom && env.valueFrom.secretKeyRef;
    if (!ref) continue;
    const secret = secrets.find((s) => s.metadata.name === ref.name);
    const data = secret ? { ...(secret.data || {}), ...(secret.stringData || {}) } : {};
    if (!(ref.key in data)) {
      problems.push(`${where}: env ${env.name} reads Secret ${ref.name} key ${ref.key}, ` +
                    "which is not in the rendered manifests");
    }
  }
  if (c.name !== GATEWAY_CONTAINER) return;
  const names = new Set((c.env || []).map((e) => e.name));
  for (const b of config.backends || []) {
    const env = b.password_env || b.passwordEnv;
    if (env && !names.has(env)) {
      problems.push(`${where}: backend ${b.name} reads its password from ${env}, ` +
                    "which the container does not set");
    }
  }
}

function preStopSleepSeconds(c) {
  const command = (((c.lifecycle || {}).preStop || {}).exec || {}).command || [];
  return command[0] === "sleep" ? Number(command[1]) || 0 : 0;
}

function checkDeployment(dep, config, objects, problems) {
  const pod = dep.spec.template.spec;
  const name = describe(dep);
  const gateways = gatewayContainers(pod);
  if (gateways.length !== 1) {
    problems.push(`${name}: expected one container named ${GATEWAY_CONTAINER}, found ${gateways.length}`);
    return;
  }
  const gw = gateways[0];
  if ((pod.initContainers || []).includes(gw) && gw.restartPolicy !== "Always") {
    problems.push(`${name}: the gateway is an init container without restartPolicy: Always ` +
                  "(it would have to exit before the application starts)");
  }
  for (const c of [...(pod.containers || []), ...(pod.initContainers || [])]) {
    const where = `${name} container ${c.name}`;
    checkSecurity(where, pod, c, problems);
    checkSecretsAndEnv(where, c, config, objects, problems);
  }
  const where = `${name} container ${GATEWAY_CONTAINER}`;
  checkResources(where, gw, problems);
  checkProbes(where, gw, config, problems);
  checkConfigVolume(where, pod, gw, problems);

  const graceText = config.shutdown_grace_period || config.shutdownGracePeriod;
  const drain = graceText === undefined ? DEFAULT_GRACE_SECONDS : parseDuration(graceText);
  if (drain === null) {
    problems.push(`config: shutdown_grace_period ${graceText} is not a duration`);
  } else {
    // SIGTERM comes after preStop; then the drain, then transactions are
    // rolled back. 5 s of room for that and for the kubelet.
    const need = preStopSleepSeconds(gw) + drain + 5;
    const have = pod.terminationGracePeriodSeconds === undefined
      ? 30 : pod.terminationGracePeriodSeconds;
    if (have < need) {
      problems.push(`${name}: terminationGracePeriodSeconds ${have} < preStop ` +
                    `${preStopSleepSeconds(gw)} s + shutdown_grace_period ${drain} s + 5 s`);
    }
  }
  if (!config.io_threads && !config.ioThreads) {
    problems.push("config: io_threads is not set: the gateway would start one event loop " +
                  "per core of the node, not of its CPU limit");
  }
}

function checkTokens(objects, config, problems) {
  const hashes = new Set();
  for (const p of (config.auth || {}).principals || []) {
    for (const h of p.token_sha256 || p.tokenSha256 || []) hashes.add(h);
  }
  for (const secret of byKind(objects, "Secret")) {
    const values = { ...(secret.stringData || {}) };
    for (const [k, v] of Object.entries(secret.data || {})) {
      values[k] = Buffer.from(v, "base64").toString("utf8");
    }
    if (values.token === undefined) continue;
    const hash = crypto.createHash("sha256").update(values.token).digest("hex");
    if (!hashes.has(hash)) {
      problems.push(`${describe(secret)}: the SHA-256 of its token is in no principal's ` +
                    "token_sha256 of the gateway's configuration");
    }
  }
}

// Services, monitors, the autoscaler and the budget point at what exists.
function checkReferences(objects, problems) {
  const deployments = byKind(objects, "Deployment");
  const pods = deployments.map((d) => d.spec.template);
  const podPorts = (template) => [...(template.spec.containers || []),
                                  ...(template.spec.initContainers || [])]
    .flatMap((c) => c.ports || []);
  const services = byKind(objects, "Service");
  for (const svc of services) {
    const targets = pods.filter((t) => matches(svc.spec.selector, t.metadata.labels));
    if (targets.length === 0) problems.push(`${describe(svc)}: its selector matches no pod`);
    for (const port of svc.spec.ports || []) {
      for (const t of targets) {
        if (!podPorts(t).some((p) => p.name === port.targetPort || p.containerPort === port.targetPort)) {
          problems.push(`${describe(svc)}: targetPort ${port.targetPort} is not a port of the pod`);
        }
      }
    }
  }
  for (const sm of byKind(objects, "ServiceMonitor")) {
    const svcs = services.filter((s) => matches(sm.spec.selector.matchLabels, s.metadata.labels));
    if (svcs.length === 0) problems.push(`${describe(sm)}: its selector matches no Service`);
    for (const ep of sm.spec.endpoints || []) {
      if (!svcs.some((s) => (s.spec.ports || []).some((p) => p.name === ep.port))) {
        problems.push(`${describe(sm)}: no selected Service has a port named ${ep.port}`);
      }
    }
  }
  for (const pm of byKind(objects, "PodMonitor")) {
    const targets = pods.filter((t) => matches(pm.spec.selector.matchLabels, t.metadata.labels));
    if (targets.length === 0) problems.push(`${describe(pm)}: its selector matches no pod`);
    for (const ep of pm.spec.podMetricsEndpoints || []) {
      if (!targets.some((t) => podPorts(t).some((p) => p.name === ep.port))) {
        problems.push(`${describe(pm)}: no selected pod has a port named ${ep.port}`);
      }
    }
  }
  for (const hpa of byKind(objects, "HorizontalPodAutoscaler")) {
    const ref = hpa.spec.scaleTargetRef;
    const target = deployments.find((d) => d.kind === ref.kind && d.metadata.name === ref.name);
    if (target === undefined) problems.push(`${describe(hpa)}: no ${ref.kind} ${ref.name}`);
    for (const pdb of byKind(objects, "PodDisruptionBudget")) {
      if (typeof pdb.spec.minAvailable === "number" && pdb.spec.minAvailable >= (hpa.spec.minReplicas || 1)) {
        problems.push(`${describe(pdb)}: minAvailable ${pdb.spec.minAvailable} >= the ` +
                      `autoscaler's minReplicas: no node could ever be drained`);
      }
    }
  }
  for (const pdb of byKind(objects, "PodDisruptionBudget")) {
    if (!pods.some((t) => matches(pdb.spec.selector.matchLabels, t.metadata.labels))) {
      problems.push(`${describe(pdb)}: its selector matches no pod`);
    }
  }
}

function checkPolicy(objects) {
  const problems = [];
  const config = gatewayConfig(objects, problems);
  if (config === null) return problems;
  const deployments = byKind(objects, "Deployment");
  if (deployments.length === 0) problems.push("no Deployment");
  for (const dep of deployments) checkDeployment(dep, config, objects, problems);
  checkTokens(objects, config, problems);
  checkReferences(objects, problems);
  return problems;
}

module.exports = { checkPolicy, parseDuration, CONFIG_MAP, CONFIG_KEY };
